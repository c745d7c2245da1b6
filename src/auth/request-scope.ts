/**
 * Lookups the subrequests of one batch may share: a poll asks for the same room (and the caller's
 * permissions in it) in pollInfo and in messages/since. Only reads are shared: the dispatcher
 * forgets everything after any subrequest that is not a GET, so a batch that posts and then reads
 * sees its own write.
 */
export class RequestScope {
  private readonly memo = new Map<string, Promise<unknown>>();

  remember<T>(key: string, load: () => Promise<T>): Promise<T> {
    let hit = this.memo.get(key) as Promise<T> | undefined;
    if (!hit) {
      hit = load();
      this.memo.set(key, hit);
    }
    return hit;
  }

  forget(): void {
    this.memo.clear();
  }
}

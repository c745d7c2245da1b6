/** Unix time in float seconds. Injected so tests can move time without waiting. */
export abstract class Clock {
  abstract now(): number;
}

export class SystemClock extends Clock {
  now(): number {
    return Date.now() / 1000;
  }
}

/** A clock tests set and advance by hand; starts at the real time. */
export class ManualClock extends Clock {
  private offset = 0;
  now(): number {
    return Date.now() / 1000 + this.offset;
  }
  advance(seconds: number): void {
    this.offset += seconds;
  }
}

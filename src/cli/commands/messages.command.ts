import { parseSessionId } from '../../crypto';
import { parse, UsageError } from '../args';
import { CliContext } from '../cli-context';

export const MESSAGES_HELP = `sogs messages delete-all SID... (--room TOKEN... | --all-rooms)   (delete a user's messages and uploads)`;

export async function messagesCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (action !== 'delete-all') throw new UsageError(`unknown messages action "${action ?? ''}"; expected delete-all`);
  const { values, positionals } = parse(rest, { room: { type: 'string', multiple: true }, 'all-rooms': { type: 'boolean' } });
  if (!positionals.length) throw new UsageError('give at least one Session ID (05… or 15…)');
  const scope = await ctx.scope(values, false);
  const actor = await ctx.actor();
  const bad = positionals.find((sid) => !parseSessionId(sid));
  if (bad) throw new UsageError(`"${bad}" is not a Session ID (05… or 15… and 64 hex digits)`);
  for (const sid of positionals) {
    const target = await ctx.users.findTarget(sid);
    if (!target) {
      ctx.out(`No messages of ${sid}: this server has never seen that user`);
      continue;
    }
    for (const room of 'rooms' in scope ? scope.rooms : []) {
      const deleted = await ctx.messages.deleteAllBy(room, actor, target);
      ctx.out(`Deleted ${deleted} message${deleted === 1 ? '' : 's'} of ${target.session_id} in ${room.token}`);
    }
  }
  return 0;
}

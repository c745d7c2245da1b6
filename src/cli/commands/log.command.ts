import { ModerationLogRepository } from '../../moderation/moderation-log.repository';
import { formatTime, parse, positiveWhole, UsageError } from '../args';
import { CliContext } from '../cli-context';

export const LOG_HELP = `sogs log [--room TOKEN] [--limit N] [--before ID]   (the moderation audit log, newest first)`;

/** One line per entry: id, time, action, room, actor → target, details. */
export async function logCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { room: { type: 'string' }, limit: { type: 'string' }, before: { type: 'string' } });
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const limit = positiveWhole(values.limit, '--limit') ?? 50;
  const before = positiveWhole(values.before, '--before') ?? null;
  const room = values.room === undefined ? undefined : (await ctx.room(values.room)).id;
  const rows = await ctx.app.get(ModerationLogRepository).list({ room, before, limit });
  if (!rows.length) ctx.out('No moderation actions logged.');
  const system = ctx.serverKey.systemSessionId;
  const who = (sid: string | null) => (sid === null ? '(scheduled)' : sid === system ? '(admin CLI)' : sid);
  for (const r of rows) {
    const details = Object.keys(r.details).length ? ` ${JSON.stringify(r.details)}` : '';
    const target = r.target === null ? '' : ` → ${r.target}`;
    ctx.out(`#${r.id} ${formatTime(r.at)} ${r.action} ${r.room ?? '(server)'} by ${who(r.actor)}${target}${details}`);
  }
  return 0;
}

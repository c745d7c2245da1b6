import { formatTime, parse, UsageError } from '../args';
import { CliContext } from '../cli-context';

export const USERS_HELP = `sogs users list --room TOKEN [--days N]   (users active in the room in the last N days, default 7)`;

export async function usersCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (action !== 'list') throw new UsageError(`unknown users action "${action ?? ''}"; expected list`);
  const { values, positionals } = parse(rest, { room: { type: 'string' }, days: { type: 'string' } });
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (!values.room) throw new UsageError('give --room TOKEN');
  const days = values.days === undefined ? 7 : Number(values.days);
  if (!Number.isFinite(days) || days <= 0) throw new UsageError(`--days takes a positive number, got "${values.days}"`);
  const room = await ctx.room(values.room);
  const rows = await ctx.users.activeInRoom(room.id, days * 86400);
  if (!rows.length) ctx.out(`No users active in ${room.token} in the last ${days} days.`);
  for (const r of rows) ctx.out(`${r.session_id} last active ${formatTime(r.last_active)}`);
  return 0;
}

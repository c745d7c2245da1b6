import { ModerationRepository } from '../../moderation/moderation.repository';
import { PermissionChange, ScheduledValues } from '../../moderation/moderation.service';
import { PermissionFlags } from '../../rooms/room';
import { duration, formatTime, parse, permissionLetters, UsageError } from '../args';
import { CliContext } from '../cli-context';

export const PERMISSIONS_HELP = `sogs permissions set (--room TOKEN... | --all-rooms) [--grant rwua] [--revoke rwua]
sogs permissions set (--room TOKEN... | --all-rooms) --user SID... [--grant rwua] [--revoke rwua] [--clear rwua]
  letters: r read, w write, u upload, a accessible; without --user the room defaults change,
  with --user per-user overrides (--clear returns them to the room default)
sogs permissions schedule (--room TOKEN... | --all-rooms) --user SID... --in 1h [--grant rwu] [--revoke rwu]
sogs permissions list --room TOKEN   (per-user overrides and scheduled changes)`;

export async function permissionsCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (action === 'schedule') return schedule(ctx, rest);
  if (action === 'list') return list(ctx, rest);
  if (action !== 'set') throw new UsageError(`unknown permissions action "${action ?? ''}"; one of set, schedule, list`);
  const { values, positionals } = parse(rest, {
    room: { type: 'string', multiple: true },
    'all-rooms': { type: 'boolean' },
    user: { type: 'string', multiple: true },
    grant: { type: 'string' },
    revoke: { type: 'string' },
    clear: { type: 'string' },
  });
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const change: PermissionChange = {};
  const assign = (letters: string | undefined, option: string, value: boolean | null) => {
    for (const p of permissionLetters(letters, option)) {
      if (change[p] !== undefined) throw new UsageError(`${p} is named by more than one of --grant, --revoke, --clear`);
      change[p] = value;
    }
  };
  assign(values.grant, '--grant', true);
  assign(values.revoke, '--revoke', false);
  assign(values.clear, '--clear', null);
  if (!Object.keys(change).length) throw new UsageError('nothing to change: give --grant, --revoke or --clear');
  const scope = await ctx.scope(values, false);
  const rooms = 'rooms' in scope ? scope.rooms : [];
  if (!values.user?.length) {
    if (Object.values(change).includes(null)) throw new UsageError('--clear needs --user (room defaults cannot be cleared)');
    for (const room of rooms) {
      await ctx.rooms.update(room.token, change as PermissionFlags, await ctx.actor());
      ctx.out(`Updated default permissions of ${room.token}`);
    }
    return 0;
  }
  const actor = await ctx.actor();
  for (const room of rooms) {
    for (const sid of values.user) {
      const user = await ctx.moderation.setPermissions(actor, room, sid, change);
      ctx.out(`Updated permissions of ${user.session_id} in ${room.token}`);
    }
  }
  return 0;
}

/** Scheduled read/write/upload values for users, applied by the cleanup job (§8.4). */
async function schedule(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    room: { type: 'string', multiple: true },
    'all-rooms': { type: 'boolean' },
    user: { type: 'string', multiple: true },
    in: { type: 'string' },
    grant: { type: 'string' },
    revoke: { type: 'string' },
  });
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (!values.user?.length) throw new UsageError('give --user SID');
  if (values.in === undefined) throw new UsageError('give --in DURATION (e.g. 30m, 12h, 7d)');
  const delay = duration(values.in);
  const change: ScheduledValues = {};
  for (const [letters, option, value] of [[values.grant, '--grant', true], [values.revoke, '--revoke', false]] as const) {
    for (const p of permissionLetters(letters, option)) {
      if (p === 'accessible') throw new UsageError('accessible cannot be scheduled; use r, w or u');
      if (change[p] !== undefined) throw new UsageError(`${p} is named by both --grant and --revoke`);
      change[p] = value;
    }
  }
  if (!Object.keys(change).length) throw new UsageError('nothing to schedule: give --grant or --revoke');
  const scope = await ctx.scope(values, false);
  const actor = await ctx.actor();
  for (const room of 'rooms' in scope ? scope.rooms : []) {
    for (const sid of values.user) {
      const user = await ctx.moderation.schedulePermissions(actor, room, sid, delay, change);
      ctx.out(`Scheduled ${describe(change)} for ${user.session_id} in ${room.token} at ${formatTime(ctx.now() + delay)}`);
    }
  }
  return 0;
}

async function list(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { room: { type: 'string' } });
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (!values.room) throw new UsageError('give --room TOKEN');
  const room = await ctx.room(values.room);
  const repo = ctx.app.get(ModerationRepository);
  const overrides = await repo.listOverrides(room.id);
  const futures = await repo.listFutures(room.id, null);
  if (!overrides.length && !futures.length) ctx.out(`No per-user permissions in ${room.token}.`);
  for (const o of overrides) {
    const flags = (['read', 'accessible', 'write', 'upload'] as const).filter((p) => o[p] !== null).map((p) => `${p}=${o[p] ? 'yes' : 'no'}`);
    if (o.banned) flags.push('banned');
    if (o.admin) flags.push('admin');
    else if (o.moderator) flags.push('moderator');
    ctx.out(`${o.session_id} ${flags.join(' ')}`);
  }
  for (const f of futures) {
    const change = (['read', 'write', 'upload', 'banned'] as const).filter((p) => f[p] !== null).map((p) => `${p}=${f[p] ? 'yes' : 'no'}`);
    ctx.out(`${f.session_id} at ${formatTime(f.at)}: ${change.join(' ')}`);
  }
  return 0;
}

const describe = (change: ScheduledValues) =>
  (['read', 'write', 'upload'] as const).filter((p) => change[p] !== undefined).map((p) => `${p}=${change[p] ? 'yes' : 'no'}`).join(' ');

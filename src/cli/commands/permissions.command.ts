import { PermissionChange } from '../../moderation/moderation.service';
import { PermissionFlags } from '../../rooms/room';
import { parse, permissionLetters, UsageError } from '../args';
import { CliContext } from '../cli-context';

export const PERMISSIONS_HELP = `sogs permissions set (--room TOKEN... | --all-rooms) [--grant rwua] [--revoke rwua]
sogs permissions set (--room TOKEN... | --all-rooms) --user SID... [--grant rwua] [--revoke rwua] [--clear rwua]
  letters: r read, w write, u upload, a accessible; without --user the room defaults change,
  with --user per-user overrides (--clear returns them to the room default)`;

export async function permissionsCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (action !== 'set') throw new UsageError(`unknown permissions action "${action ?? ''}"; expected set`);
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
      await ctx.rooms.update(room.token, change as PermissionFlags);
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

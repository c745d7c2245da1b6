import { MAX_INVITE_USES } from '../../invites/dto/create-invite.dto';
import { parseGrant } from '../../invites/invite-grant';
import { InviteJson, InvitesService } from '../../invites/invites.service';
import { duration, formatTime, parse, UsageError } from '../args';
import { CliContext } from '../cli-context';
import { single } from './rooms.command';

export const INVITES_HELP = `sogs invites create --room TOKEN [--uses N] [--expires 7d] [--grant rwu]   (prints the invite link, once)
sogs invites list [--room TOKEN]
sogs invites revoke ID`;

export async function invitesCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  const invites = ctx.app.get(InvitesService);
  switch (action) {
    case 'create': {
      const { values, positionals } = parse(rest, { room: { type: 'string' }, uses: { type: 'string' }, expires: { type: 'string' }, grant: { type: 'string' } });
      if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
      if (!values.room) throw new UsageError('give --room TOKEN');
      const uses = values.uses === undefined ? undefined : wholeNumber(values.uses, '--uses', MAX_INVITE_USES);
      const expires = values.expires === undefined ? null : duration(values.expires);
      const grant = values.grant === undefined ? undefined : parseGrant(values.grant);
      if (grant === undefined && values.grant !== undefined) {
        throw new UsageError(`--grant takes letters r (read), w (write), u (upload), each at most once; got "${values.grant}"`);
      }
      const room = await ctx.room(values.room);
      const invite = await invites.create(await ctx.actor(), room, { uses, expires, grant });
      ctx.out(`Created invite ${invite.id} to ${room.token}: ${describe({ ...invite, uses: 0, revoked: null }, ctx.now())}`);
      ctx.out(`  link (shown only now): ${invite.url}`);
      return 0;
    }
    case 'list': {
      const { values, positionals } = parse(rest, { room: { type: 'string' } });
      if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
      const room = values.room === undefined ? null : await ctx.room(values.room);
      const rows = await invites.list(room);
      if (!rows.length) ctx.out(room ? `No invites to ${room.token}.` : 'No invites.');
      const system = ctx.serverKey.systemSessionId;
      for (const r of rows) {
        const by = r.created_by === null ? '' : ` by ${r.created_by === system ? '(admin CLI)' : r.created_by}`;
        ctx.out(`#${r.id} ${r.room}: ${describe(r, ctx.now())}; created ${formatTime(r.created)}${by}`);
      }
      return 0;
    }
    case 'revoke': {
      const { positionals } = parse(rest, {});
      const id = wholeNumber(single(positionals, 'invites revoke ID'), 'ID', Number.MAX_SAFE_INTEGER);
      const invite = await invites.revoke(await ctx.actor(), id, null);
      ctx.out(`Revoked invite ${invite.id} to ${invite.room}`);
      return 0;
    }
    default:
      throw new UsageError(`unknown invites action "${action ?? ''}"; one of create, list, revoke`);
  }
}

/** `grants rwu, 0/1 used, expires 2026-…; active` */
function describe(i: Pick<InviteJson, 'grant' | 'uses' | 'max_uses' | 'expires' | 'revoked'>, now: number): string {
  const state =
    i.revoked !== null ? `revoked ${formatTime(i.revoked)}` : i.expires !== null && i.expires <= now ? 'expired' : i.uses >= i.max_uses ? 'used up' : 'active';
  const expiry = i.expires === null ? 'never expires' : `expires ${formatTime(i.expires)}`;
  return `grants ${i.grant}, ${i.uses}/${i.max_uses} used, ${expiry}; ${state}`;
}

function wholeNumber(value: string, option: string, max: number): number {
  if (!/^\d{1,16}$/.test(value) || Number(value) < 1 || Number(value) > max) throw new UsageError(`${option} takes a whole number from 1 to ${max}, got "${value}"`);
  return Number(value);
}

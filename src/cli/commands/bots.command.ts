import { parse, UsageError } from '../args';
import { CliContext } from '../cli-context';
import { single } from './rooms.command';

export const BOTS_HELP = `sogs bots add NAME [--display-name TEXT] [--room TOKEN...] [--moderator]
sogs bots list
sogs bots remove NAME
sogs bots token NAME   (prints a new bearer token for the bot API; the previous one stops working)`;

export async function botsCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  switch (action) {
    case 'add': {
      const { values, positionals } = parse(rest, {
        'display-name': { type: 'string' },
        room: { type: 'string', multiple: true },
        moderator: { type: 'boolean' },
      });
      const name = single(positionals, 'bots add NAME');
      const rooms = await ctx.roomList(values.room ?? []);
      const { key } = await ctx.bots.add({ name, displayName: values['display-name'], rooms, moderator: values.moderator === true }, await ctx.actor());
      ctx.out(`Created bot ${name}: ${key.sessionId}`);
      ctx.out(`  rooms: ${rooms.length ? rooms.map((r) => r.token).join(', ') : 'all'}${values.moderator ? ' (moderator)' : ''}`);
      ctx.out(`  API token: sogs bots token ${name}`);
      return 0;
    }
    case 'list': {
      const { positionals } = parse(rest, {});
      if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
      const bots = await ctx.bots.list();
      if (!bots.length) ctx.out('No bots. Add one with: sogs bots add NAME');
      for (const b of bots) {
        ctx.out(b.name);
        ctx.out(`  session id:   ${b.session_id}`);
        if (b.display_name) ctx.out(`  display name: ${b.display_name}`);
        ctx.out(`  rooms:        ${b.all_rooms ? 'all' : b.rooms.join(', ') || 'none (its rooms were deleted)'}`);
        ctx.out(`  API token:    ${b.token_hash ? 'issued' : 'none'}`);
      }
      return 0;
    }
    case 'remove': {
      const { positionals } = parse(rest, {});
      const name = single(positionals, 'bots remove NAME');
      await ctx.bots.remove(name, await ctx.actor());
      ctx.out(`Removed bot ${name}`);
      return 0;
    }
    case 'token': {
      const { positionals } = parse(rest, {});
      const name = single(positionals, 'bots token NAME');
      ctx.out(await ctx.bots.issueToken(name));
      return 0;
    }
    default:
      throw new UsageError(`unknown bots action "${action ?? ''}"; one of add, list, remove, token`);
  }
}

import { duration, formatTime, parse, UsageError, LIST_SCOPE_OPTIONS, SCOPE_OPTIONS } from '../args';
import { CliContext } from '../cli-context';
import { where } from './moderators.command';

export const BANS_HELP = `sogs bans add SID... (--room TOKEN... | --all-rooms | --global) [--duration 12h]
sogs bans remove SID... (--room TOKEN... | --all-rooms | --global)
sogs bans list (--room TOKEN | --global)`;


export async function bansCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  switch (action) {
    case 'add': {
      const { values, positionals } = parse(rest, { ...SCOPE_OPTIONS, duration: { type: 'string' } });
      if (!positionals.length) throw new UsageError('give at least one Session ID (05… or 15…)');
      const timeout = values.duration === undefined ? null : duration(values.duration);
      const scope = await ctx.scope(values);
      const actor = await ctx.actor();
      for (const sid of positionals) {
        const user = await ctx.moderation.ban(actor, sid, scope, timeout);
        ctx.out(`Banned ${user.session_id} ${where(scope)}${timeout === null ? '' : ` for ${timeout} s`}`);
      }
      return 0;
    }
    case 'remove': {
      const { values, positionals } = parse(rest, SCOPE_OPTIONS);
      if (!positionals.length) throw new UsageError('give at least one Session ID (05… or 15…)');
      const scope = await ctx.scope(values);
      const actor = await ctx.actor();
      for (const sid of positionals) {
        const user = await ctx.moderation.unban(actor, sid, scope);
        ctx.out(`Unbanned ${user.session_id} ${where(scope)}`);
      }
      return 0;
    }
    case 'list': {
      const { values, positionals } = parse(rest, LIST_SCOPE_OPTIONS);
      if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
      if (!values.room === !values.global) throw new UsageError('give exactly one of --room TOKEN or --global');
      const rows = await ctx.moderation.listBans(values.global ? 'global' : await ctx.room(values.room!));
      if (!rows.length) ctx.out('No bans.');
      for (const b of rows) ctx.out(`${b.session_id} until ${formatTime(b.until)}`);
      return 0;
    }
    default:
      throw new UsageError(`unknown bans action "${action ?? ''}"; one of add, remove, list`);
  }
}

import { parse, UsageError, LIST_SCOPE_OPTIONS, SCOPE_OPTIONS } from '../args';
import { CliContext } from '../cli-context';

export const MODERATORS_HELP = `sogs moderators add SID... (--room TOKEN... | --all-rooms | --global) [--admin] [--hidden | --visible]
sogs moderators remove SID... (--room TOKEN... | --all-rooms | --global) [--admin-only]
sogs moderators list (--room TOKEN | --global)`;


export async function moderatorsCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  switch (action) {
    case 'add': {
      const { values, positionals } = parse(rest, { ...SCOPE_OPTIONS, admin: { type: 'boolean' }, hidden: { type: 'boolean' }, visible: { type: 'boolean' } });
      if (!positionals.length) throw new UsageError('give at least one Session ID (05… or 15…)');
      if (values.hidden && values.visible) throw new UsageError('--hidden and --visible exclude each other');
      const scope = await ctx.scope(values);
      const visible = values.hidden ? false : values.visible ? true : null;
      const actor = await ctx.actor();
      for (const sid of positionals) {
        const user = await ctx.moderation.setModerator(actor, sid, scope, {
          admin: values.admin ? true : null,
          moderator: true,
          visible,
        });
        ctx.out(`${user.session_id} is now ${values.admin ? 'an admin' : 'a moderator'} ${where(scope)}`);
      }
      return 0;
    }
    case 'remove': {
      const { values, positionals } = parse(rest, { ...SCOPE_OPTIONS, 'admin-only': { type: 'boolean' } });
      if (!positionals.length) throw new UsageError('give at least one Session ID (05… or 15…)');
      const scope = await ctx.scope(values);
      const actor = await ctx.actor();
      for (const sid of positionals) {
        const change = values['admin-only'] ? { admin: false } : { moderator: false };
        const user = await ctx.moderation.setModerator(actor, sid, scope, change);
        ctx.out(`${user.session_id} is no longer ${values['admin-only'] ? 'an admin' : 'a moderator or admin'} ${where(scope)}`);
      }
      return 0;
    }
    case 'list': {
      const { values, positionals } = parse(rest, LIST_SCOPE_OPTIONS);
      if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
      if (!values.room === !values.global) throw new UsageError('give exactly one of --room TOKEN or --global');
      const rows = values.global
        ? await ctx.moderation.listGlobalModerators()
        : await ctx.moderation.listModerators(await ctx.room(values.room!));
      if (!rows.length) ctx.out('No moderators.');
      for (const m of rows) {
        ctx.out(`${m.session_id} ${m.admin ? 'admin' : 'moderator'}${m.visible ? '' : ' hidden'}${m.global ? ' global' : ''}`);
      }
      return 0;
    }
    default:
      throw new UsageError(`unknown moderators action "${action ?? ''}"; one of add, remove, list`);
  }
}

export function where(scope: { global: true } | { rooms: { token: string }[] }): string {
  return 'global' in scope ? 'globally' : `in ${scope.rooms.map((r) => r.token).join(', ')}`;
}

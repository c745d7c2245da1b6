import { parseNameList } from '../../config/config.schema';
import { ALPHABETS } from '../../moderation/filters/alphabets';
import { RoomFilters } from '../../moderation/filters/content-filter.service';
import { MAX_MESSAGES_LIMIT, PermissionFlags, Permission, PERMISSIONS, RoomRetentionChanges } from '../../rooms/room';
import { Room } from '../../rooms/room.entity';
import { duration, formatDuration, parse, permissionLetters, roomToken, UsageError } from '../args';
import { readImageFile } from '../image-file';
import { CliContext } from '../cli-context';

export const ROOMS_HELP = `sogs rooms add TOKEN [--name NAME] [--description TEXT] [--revoke rwua] [--private]
    [--listed on|off] [--retention 30d|none|default] [--max-messages N|none]
sogs rooms update TOKEN [--name NAME] [--description TEXT] [--grant rwua] [--revoke rwua] [--dm-refuse-banned on|off] [--image PATH]
    [--private on|off]   (private: nobody reads, writes or uploads but whom an invite lets in; the room stays accessible)
    [--profanity on|off|default] [--profanity-silent on|off|default]
    [--alphabets persian,arabic,cyrillic|none|default] [--alphabet-silent on|off|default]
    [--welcome TEXT|none]   (the welcome bot whispers TEXT to each user on their first visit)
    [--filter-reply TEXT|none|default]   (the filter bot whispers TEXT to a poster whose post the filters stopped)
    [--listed on|off] [--retention 30d|none|default] [--max-messages N|none]
sogs rooms delete TOKEN --yes
sogs rooms list [--verbose]`;

const ROOM_OPTIONS = {
  name: { type: 'string' },
  description: { type: 'string' },
  grant: { type: 'string' },
  revoke: { type: 'string' },
  listed: { type: 'string' },
  retention: { type: 'string' },
  'max-messages': { type: 'string' },
} as const;

/** `--grant`/`--revoke` letters → room default permission flags. */
function defaults(values: { grant?: string; revoke?: string }): PermissionFlags {
  const flags: PermissionFlags = {};
  for (const p of permissionLetters(values.grant, '--grant')) flags[p] = true;
  for (const p of permissionLetters(values.revoke, '--revoke')) {
    if (flags[p]) throw new UsageError(`--grant and --revoke both name ${p}`);
    flags[p] = false;
  }
  return flags;
}

/** `--private on`: no read, write or upload by default, still accessible (name and image); `off`: all four. */
function privacy(on: boolean | undefined, values: { grant?: string; revoke?: string }): PermissionFlags {
  if (on === undefined) return {};
  if (values.grant !== undefined || values.revoke !== undefined) throw new UsageError('--private sets the defaults itself: give it without --grant or --revoke');
  return on ? { read: false, write: false, upload: false, accessible: true } : { read: true, write: true, upload: true, accessible: true };
}

/** `--listed`, `--retention`, `--max-messages` → room columns (undefined: unchanged). */
function listingAndRetention(values: { listed?: string; retention?: string; 'max-messages'?: string }): RoomRetentionChanges {
  return {
    listed: onOff(values.listed, '--listed'),
    retention_seconds: retention(values.retention),
    max_messages: maxMessages(values['max-messages']),
  };
}

/** A duration; none = keep forever (0), default = the server-wide setting (null). */
function retention(value: string | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  if (value === 'none') return 0;
  if (value === 'default') return null;
  return duration(value);
}

function maxMessages(value: string | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  if (value === 'none') return null;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > MAX_MESSAGES_LIMIT) {
    throw new UsageError(`--max-messages takes a whole number from 1 to ${MAX_MESSAGES_LIMIT} or none, got "${value}"`);
  }
  return n;
}

/** `--filter-reply`: none = no reply here (''), default = SOGS_FILTER_REPLY (null); `\n` is kept for the bot to fill in. */
function filterReply(value: string | undefined): string | null | undefined {
  if (value === 'none') return '';
  if (value === 'default') return null;
  return value;
}

/** `\n` in a description given on the command line means a line break. */
const unescape = (s: string | undefined) => s?.replace(/\\n/g, '\n');

export async function roomsCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  switch (action) {
    case 'add': {
      const { values, positionals } = parse(rest, { ...ROOM_OPTIONS, private: { type: 'boolean' } });
      const token = single(positionals, 'rooms add TOKEN');
      const room = await ctx.rooms.create({
        token,
        name: values.name,
        description: unescape(values.description),
        ...defaults(values),
        ...privacy(values.private || undefined, values),
        ...listingAndRetention(values),
      }, await ctx.actor());
      ctx.out(`Created room ${room.token} (${room.name})`);
      ctx.out(`  join URL: ${ctx.rooms.joinUrl(room)}`);
      return 0;
    }
    case 'update': {
      const { values, positionals } = parse(rest, {
        ...ROOM_OPTIONS,
        'dm-refuse-banned': { type: 'string' },
        image: { type: 'string' },
        profanity: { type: 'string' },
        'profanity-silent': { type: 'string' },
        alphabets: { type: 'string' },
        'alphabet-silent': { type: 'string' },
        private: { type: 'string' },
        welcome: { type: 'string' },
        'filter-reply': { type: 'string' },
      });
      const token = roomToken(single(positionals, 'rooms update TOKEN'));
      // Read before anything changes, so a bad path or a file that is no image leaves the room as it was.
      const image = values.image === undefined ? undefined : readImageFile(values.image);
      if (image) ctx.requireServerUploads();
      const changes = {
        name: values.name,
        description: unescape(values.description),
        dmRefuseBanned: onOff(values['dm-refuse-banned'], '--dm-refuse-banned'),
        profanity_filter: onOffDefault(values.profanity, '--profanity'),
        profanity_silent: onOffDefault(values['profanity-silent'], '--profanity-silent'),
        alphabet_filters: alphabets(values.alphabets),
        alphabet_silent: onOffDefault(values['alphabet-silent'], '--alphabet-silent'),
        filterReply: filterReply(values['filter-reply']),
        ...defaults(values),
        ...privacy(onOff(values.private, '--private'), values),
        ...listingAndRetention(values),
      };
      const welcome = values.welcome === undefined ? undefined : values.welcome === 'none' ? null : unescape(values.welcome)!;
      const nothing = Object.values(changes).every((v) => v === undefined);
      if (nothing && !image && welcome === undefined) throw new UsageError('nothing to update: see sogs help rooms for the options');
      let room = nothing ? await ctx.room(token) : await ctx.rooms.update(token, changes, await ctx.actor());
      if (welcome !== undefined) {
        room = await ctx.welcomes.setText(room.token, welcome, await ctx.actor());
        ctx.out(welcome === null ? `Removed the welcome text of room ${room.token}` : `Set the welcome text of room ${room.token}`);
      }
      if (image) {
        const id = await ctx.files.setRoomImage(room.token, await ctx.actor(), image.data, image.name);
        ctx.out(`Set the image of room ${room.token} to file ${id} (${image.data.length} bytes)`);
      }
      ctx.out(`Updated room ${room.token} (${room.name})`);
      return 0;
    }
    case 'delete': {
      const { values, positionals } = parse(rest, { yes: { type: 'boolean' } });
      const token = roomToken(single(positionals, 'rooms delete TOKEN'));
      if (!values.yes) throw new UsageError(`deleting a room removes all its messages and files; add --yes to confirm`);
      const room = await ctx.room(token);
      await ctx.rooms.delete(token, await ctx.actor());
      ctx.out(`Deleted room ${room.token}`);
      return 0;
    }
    case 'list': {
      const { values, positionals } = parse(rest, { verbose: { type: 'boolean', short: 'v' } });
      if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
      const rooms = await ctx.rooms.list();
      if (!rooms.length) ctx.out('No rooms. Add one with: sogs rooms add TOKEN --name NAME');
      for (const room of rooms) {
        ctx.out(`${room.token}`);
        ctx.out(`  name:         ${room.name}`);
        if (room.description) ctx.out(`  description:  ${room.description.replace(/\n/g, '\n                ')}`);
        ctx.out(`  join URL:     ${ctx.rooms.joinUrl(room)}`);
        if (!room.listed) ctx.out(`  listed:       no`);
        ctx.out(`  defaults:     ${describeDefaults(room)}${!room.read && room.accessible ? ' (private)' : ''}`);
        ctx.out(`  filters:      ${describeFilters(ctx.filters.forRoom(room), room)}`);
        if (room.welcome) ctx.out(`  welcome:      ${room.welcome.replace(/\n/g, '\n                ')}`);
        if (room.filter_reply !== null) ctx.out(`  filter reply: ${room.filter_reply === '' ? 'none' : room.filter_reply.replace(/\n/g, '\n                ')}`);
        ctx.out(`  active users: ${room.active_users}`);
        if (values.verbose) {
          const stats = await ctx.rooms.stats(room);
          ctx.out(`  messages:     ${stats?.messages ?? 0}`);
          ctx.out(`  files:        ${stats?.files ?? 0} (${stats?.file_bytes ?? 0} bytes)`);
          const kept = ctx.retention.effective(room);
          ctx.out(`  retention:    ${kept.seconds ? formatDuration(kept.seconds) : 'none'} (${kept.source})`);
          ctx.out(`  max messages: ${room.max_messages ?? 'none'}`);
          for (const m of await ctx.moderation.listModerators(room)) {
            ctx.out(`  ${m.admin ? 'admin' : 'moderator'}:${m.admin ? '        ' : '    '}${m.session_id}${m.visible ? '' : ' (hidden)'}${m.global ? ' (global)' : ''}`);
          }
        }
      }
      return 0;
    }
    default:
      throw new UsageError(`unknown rooms action "${action ?? ''}"; one of add, update, delete, list`);
  }
}

function describeDefaults(room: Record<Permission, boolean>): string {
  return PERMISSIONS.map((p) => `${p}=${room[p] ? 'yes' : 'no'}`).join(' ');
}

/** Each filter setting, marked "(server)" where the room follows the server-wide setting. */
function describeFilters(f: RoomFilters, room: Room): string {
  const from = (own: unknown) => (own === null ? ' (server)' : '');
  const mode = (silent: boolean, own: boolean | null) => `, ${silent ? 'silent' : 'refuse'}${from(own)}`;
  const profanity = `${f.profanity ? 'on' : 'off'}${from(room.profanity_filter)}${f.profanity ? mode(f.profanitySilent, room.profanity_silent) : ''}`;
  const alphabets = f.alphabets.length
    ? `${f.alphabets.join(',')}${from(room.alphabet_filters)}${mode(f.alphabetSilent, room.alphabet_silent)}`
    : `none${from(room.alphabet_filters)}`;
  return `profanity ${profanity}; alphabets ${alphabets}`;
}

/** on/off sets the room's own value; default returns it to the server-wide setting (null). */
function onOffDefault(value: string | undefined, option: string): boolean | null | undefined {
  if (value === 'default') return null;
  if (value === undefined || value === 'on' || value === 'off') return onOff(value, option);
  throw new UsageError(`${option} takes on, off or default, got "${value}"`);
}

function alphabets(value: string | undefined): string[] | null | undefined {
  if (value === undefined) return undefined;
  if (value === 'default') return null;
  if (value === 'none') return [];
  const parsed = parseNameList(value, ALPHABETS);
  if (typeof parsed === 'string' || !parsed.length) throw new UsageError(`--alphabets takes none, default or a list from ${ALPHABETS.join(',')}`);
  return parsed;
}

function onOff(value: string | undefined, option: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'on' || value === 'off') return value === 'on';
  throw new UsageError(`${option} takes on or off, got "${value}"`);
}

export function single(positionals: string[], usage: string): string {
  if (positionals.length !== 1) throw new UsageError(`usage: sogs ${usage}`);
  return positionals[0];
}

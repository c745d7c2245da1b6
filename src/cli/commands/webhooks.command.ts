import { WEBHOOK_EVENTS, WebhookEventType } from '../../webhooks/webhook-event';
import { WebhooksService } from '../../webhooks/webhooks.service';
import { DeliveryRow } from '../../webhooks/webhooks.repository';
import { formatTime, parse, positiveWhole, UsageError } from '../args';
import { CliContext } from '../cli-context';

export const WEBHOOKS_HELP = `sogs webhooks add URL [--room TOKEN...] [--events ${WEBHOOK_EVENTS.join(',')}] [--secret S]
sogs webhooks list
sogs webhooks remove ID
sogs webhooks deliveries [ID] [--failed] [--limit N]   (newest first, each with its last status)
sogs webhooks retry [ID]   (the failed deliveries of webhook ID, or of all, tried once more now)`;

export async function webhooksCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  const webhooks = ctx.app.get(WebhooksService);
  switch (action) {
    case 'add': {
      const { values, positionals } = parse(rest, { room: { type: 'string', multiple: true }, events: { type: 'string' }, secret: { type: 'string' } });
      if (positionals.length !== 1) throw new UsageError('usage: sogs webhooks add URL [--room TOKEN...] [--events LIST] [--secret S]');
      // Stored as the rooms spell their tokens; a room that does not exist is refused (exit 1).
      const rooms = (await ctx.roomList(values.room ?? [])).map((r) => r.token);
      const hook = await webhooks.add({ url: positionals[0], rooms, events: eventList(values.events), secret: values.secret });
      ctx.out(`Added webhook ${hook.id}: ${hook.url}`);
      ctx.out(`  rooms:  ${hook.rooms.length ? hook.rooms.join(', ') : 'all'}`);
      ctx.out(`  events: ${hook.events.length ? hook.events.join(', ') : 'all'}`);
      ctx.out(`  secret: ${hook.secret}`);
      return 0;
    }
    case 'list': {
      const { positionals } = parse(rest, {});
      if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
      const list = await webhooks.list();
      if (!list.length) ctx.out('No webhooks. Add one with: sogs webhooks add URL');
      for (const w of list) {
        ctx.out(`${w.id} ${w.url}`);
        ctx.out(`  rooms:      ${w.rooms.length ? w.rooms.join(', ') : 'all'}`);
        ctx.out(`  events:     ${w.events.length ? w.events.join(', ') : 'all'}`);
        ctx.out(`  deliveries: ${w.delivered} delivered, ${w.pending} pending, ${w.failed} failed`);
        ctx.out(`  last:       ${w.last ? `delivery ${w.last.id} ${w.last.status}, ${lastResult(w.last)}` : 'nothing sent yet'}`);
      }
      return 0;
    }
    case 'remove': {
      const { positionals } = parse(rest, {});
      if (positionals.length !== 1) throw new UsageError('usage: sogs webhooks remove ID');
      const id = webhookId(positionals[0]);
      await webhooks.remove(id);
      ctx.out(`Removed webhook ${id} and its deliveries`);
      return 0;
    }
    case 'deliveries': {
      const { values, positionals } = parse(rest, { failed: { type: 'boolean' }, limit: { type: 'string' } });
      if (positionals.length > 1) throw new UsageError('usage: sogs webhooks deliveries [ID] [--failed] [--limit N]');
      const limit = positiveWhole(values.limit, '--limit') ?? 50;
      const rows = await webhooks.deliveries({ webhook: positionals.length ? webhookId(positionals[0]) : null, failed: values.failed === true, limit });
      if (!rows.length) ctx.out(values.failed ? 'No failed deliveries.' : 'No deliveries.');
      for (const d of rows) ctx.out(`${d.id} ${formatTime(d.created)} webhook ${d.webhook} ${d.event} ${describeDelivery(d)}`);
      return 0;
    }
    case 'retry': {
      const { positionals } = parse(rest, {});
      if (positionals.length > 1) throw new UsageError('usage: sogs webhooks retry [ID]');
      const n = await webhooks.retry(positionals.length ? webhookId(positionals[0]) : null);
      ctx.out(n ? `${n} failed deliver${n === 1 ? 'y' : 'ies'} will be tried again now` : 'No failed deliveries.');
      return 0;
    }
    default:
      throw new UsageError(`unknown webhooks action "${action ?? ''}"; one of add, list, remove, deliveries, retry`);
  }
}

/** `--events a,b`: names from WEBHOOK_EVENTS; not given = every event. */
function eventList(value: string | undefined): WebhookEventType[] {
  if (value === undefined) return [];
  const names = value.split(/[\s,]+/).filter(Boolean);
  const bad = names.find((n) => !WEBHOOK_EVENTS.includes(n as WebhookEventType));
  if (bad !== undefined || !names.length) throw new UsageError(`--events takes a list from ${WEBHOOK_EVENTS.join(',')}, got "${value}"`);
  return names as WebhookEventType[];
}

function webhookId(value: string): number {
  if (!/^\d{1,15}$/.test(value)) throw new UsageError(`"${value}" is not a webhook id (see sogs webhooks list)`);
  return Number(value);
}

function lastResult(d: Pick<DeliveryRow, 'last_status' | 'last_error'>): string {
  return d.last_status !== null ? `HTTP ${d.last_status}` : (d.last_error ?? 'no answer');
}

const times = (n: number) => `${n} attempt${n === 1 ? '' : 's'}`;

/** Where a delivery stands, with its last status. */
export function describeDelivery(d: DeliveryRow): string {
  switch (d.status) {
    case 'delivered':
      return `delivered ${formatTime(d.delivered)} after ${times(d.attempts)} (${lastResult(d)})`;
    case 'failed':
      return `failed after ${times(d.attempts)} (last: ${lastResult(d)})`;
    default:
      return d.attempts
        ? `pending after ${times(d.attempts)} (last: ${lastResult(d)}), next ${formatTime(d.next_attempt)}`
        : 'pending, not tried yet';
  }
}

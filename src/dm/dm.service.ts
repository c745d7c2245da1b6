import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { AppConfig, CONFIG } from '../config/config';
import { Clock } from '../common/clock';
import { Forbidden, NotFound } from '../common/errors';
import { decodeBase64Strict, parseSessionId } from '../crypto';
import { CleanupService } from '../jobs/cleanup.service';
import { Metrics } from '../metrics/metrics';
import { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { DirectMessageRow, DmRepository } from './dm.repository';
import { SendDirectMessageDto } from './dto/send-direct-message.dto';

export interface DirectMessage {
  id: number;
  posted_at: number;
  expires_at: number | null;
  sender: string;
  recipient: string;
  message?: string;
}

/**
 * Blinded direct messages ("message requests", §10): opaque end-to-end encrypted blobs the
 * server keeps until they expire. Recipients must be known users who are not globally banned.
 */
@Injectable()
export class DmService implements OnModuleInit {
  constructor(
    private readonly repo: DmRepository,
    private readonly users: UsersService,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly cleanup: CleanupService,
    @Inject(CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.cleanup.register('expired direct messages', (tx, now) => this.repo.deleteExpired(now, tx));
  }

  /** The body (400) has been checked; then the recipient (404) and the sender's limits (403). */
  async send(sender: User, recipientId: string, body: SendDirectMessageDto): Promise<DirectMessage> {
    const bytes = decodeBase64Strict(body.message)!;
    const id = parseSessionId(recipientId);
    const recipient = id?.prefix === '15' ? await this.users.findBySessionId(id.id) : undefined;
    if (!recipient || recipient.banned) throw new NotFound('Recipient not found');
    const now = this.clock.now();
    await this.checkSender(sender, recipient, now);
    const row = await this.repo.insert(sender.id, recipient.id, bytes, now, now + this.config.dmExpiry);
    this.metrics.directMessages.inc();
    return toMessage(row, false);
  }

  /**
   * Protections against DM spam the reference lacks; each is off by default (reference
   * behaviour): senders banned wherever they meet the recipient, brand-new users, and floods.
   */
  private async checkSender(sender: User, recipient: User, now: number): Promise<void> {
    if (sender.moderator || sender.admin) return;
    const { dmMinAccountAge, dmDailyLimit, dmRefuseBanned } = this.config;
    if (dmMinAccountAge && now - sender.created < dmMinAccountAge) {
      throw new Forbidden('Direct messages are not accepted from users this new to the server; try again later');
    }
    if (dmDailyLimit && (await this.repo.sentSince(sender.id, now - 86400)) >= dmDailyLimit) {
      throw new Forbidden('Daily direct message limit reached; try again later');
    }
    const rooms = await this.repo.sharedRooms(sender.id, recipient.id);
    if (rooms.shared > 0 && rooms.banned_in === rooms.shared && (dmRefuseBanned || rooms.room_switch)) {
      throw new Forbidden('Direct messages are not accepted from users banned in the rooms they share with the recipient');
    }
  }

  /** Messages after `afterId` (0 = all), oldest first. */
  async list(user: User, box: 'inbox' | 'outbox', afterId: number, limit: number): Promise<DirectMessage[]> {
    return (await this.repo.list(box, user.id, afterId, limit)).map((r) => toMessage(r, true));
  }

  deleteInbox(user: User): Promise<number> {
    return this.repo.deleteInbox(user.id);
  }
}

function toMessage(row: DirectMessageRow, withBody: boolean): DirectMessage {
  const m: DirectMessage = {
    id: row.id,
    posted_at: row.posted_at,
    expires_at: row.expires_at,
    sender: row.sender,
    recipient: row.recipient,
  };
  if (withBody) m.message = row.body.toString('base64');
  return m;
}

import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, CONFIG } from '../config/config';
import { Forbidden, NotFound } from '../common/errors';
import { parseSessionContent } from '../crypto';
import { imageFormat } from '../cli/image-file';
import { FilesService } from '../files/files.service';
import { Room } from '../rooms/room.entity';
import { RoomsService } from '../rooms/rooms.service';
import { abbreviateId, esc, page } from './html';
import { qrPng } from './qr-png';
import { WebRepository } from './web.repository';

const RECENT_MESSAGES = 50;
const QR_SIZE = 512;

/**
 * Server-rendered pages for people arriving with a browser: the public rooms with their join
 * links and QR codes (unlisted rooms left out), and a page per public room. Public = readable
 * without an account.
 */
@Injectable()
export class WebService {
  private readonly qrCache = new Map<string, Buffer>();

  constructor(
    private readonly rooms: RoomsService,
    private readonly repo: WebRepository,
    private readonly files: FilesService,
    @Inject(CONFIG) private readonly config: AppConfig,
  ) {}

  async indexPage(): Promise<string> {
    if (!this.config.showIndex) throw new Forbidden('The room list is not public on this server');
    const rooms = (await this.rooms.list()).filter((r) => r.read && r.listed);
    if (!rooms.length) {
      return page(
        'Session community',
        `<h1>Session community</h1>
<p>This server has no public rooms yet.</p>
<p>If you run it, create one with the admin command:</p>
<code class="url">${esc('npm run sogs -- rooms add lobby --name "Lobby"')}</code>
<p>Then share the join link it prints; people paste it into Session under <em>Join Community</em>.</p>`,
      );
    }
    const items = rooms
      .map(
        (r) => `<section class="room">
<img src="/r/${encodeURIComponent(r.token)}/invite.png" alt="QR code to join ${esc(r.name)}" width="160" height="160">
<div class="info">
<h2><a href="/r/${encodeURIComponent(r.token)}/">${esc(r.name)}</a></h2>
${r.description ? `<p>${esc(r.description)}</p>` : ''}
<p class="meta">${r.active_users} active ${r.active_users === 1 ? 'user' : 'users'} this ${this.windowName()}</p>
<code class="url">${esc(this.rooms.joinUrl(r))}</code>
</div>
</section>`,
      )
      .join('\n');
    return page('Session community rooms', `<h1>Rooms</h1>\n<p>Scan a code with Session, or paste a link under <em>Join Community</em>.</p>\n${items}`);
  }

  async roomPage(token: string): Promise<string> {
    const room = await this.publicRoom(token);
    let recent = '';
    if (this.config.showRecent) {
      const messages = (await this.repo.recentPublicMessages(room.id, RECENT_MESSAGES)).reverse();
      const items = messages.map((m) => {
        const content = parseSessionContent(m.data);
        const who = content?.displayName ? `${esc(content.displayName)} (${esc(abbreviateId(m.session_id))})` : esc(abbreviateId(m.session_id));
        const text = content?.body ?? (content?.attachments ? `[${content.attachments} attachment${content.attachments > 1 ? 's' : ''}]` : '');
        return `<li><span class="meta">${who} · <time datetime="${new Date(m.posted * 1000).toISOString()}">${formatTime(m.posted)}</time></span>
<p class="text">${esc(text)}</p></li>`;
      });
      recent = `<h2>Recent messages</h2>\n${items.length ? `<ul class="messages">\n${items.join('\n')}\n</ul>` : '<p class="meta">No messages yet.</p>'}`;
    }
    return page(
      room.name,
      `<p><a href="/">All rooms</a></p>
<h1>${esc(room.name)}</h1>
${room.description ? `<p>${esc(room.description)}</p>` : ''}
<img class="qr large" src="/r/${encodeURIComponent(room.token)}/invite.png" alt="QR code to join ${esc(room.name)}" width="256" height="256">
<p>Join in Session with this link:</p>
<code class="url">${esc(this.rooms.joinUrl(room))}</code>
${recent}`,
    );
  }

  /**
   * A 512×512 PNG QR code of the room's join URL: for every room a client may see (read or
   * accessible), private rooms included, whose invite pages show it.
   */
  async invitePng(token: string): Promise<Buffer> {
    const room = await this.accessibleRoom(token);
    const url = this.rooms.joinUrl(room);
    let png = this.qrCache.get(url);
    if (!png) {
      png = qrPng(url, QR_SIZE);
      if (this.qrCache.size > 1000) this.qrCache.clear();
      this.qrCache.set(url, png);
    }
    return png;
  }

  /** The room's image, for rooms a client may see (as its info shows it); 404 when it has none that is an image. */
  async roomImage(token: string): Promise<{ data: Buffer; type: string }> {
    const room = await this.accessibleRoom(token);
    const data = await this.files.roomImage(room);
    const format = data && imageFormat(data);
    if (!data || !format) throw new NotFound('This room has no image');
    return { data, type: `image/${format.toLowerCase()}` };
  }

  private async publicRoom(token: string): Promise<Room> {
    const room = await this.findRoom(token);
    if (!room.read) throw new Forbidden('This room is not public');
    return room;
  }

  private async accessibleRoom(token: string): Promise<Room> {
    const room = await this.findRoom(token);
    if (!room.read && !room.accessible) throw new Forbidden('This room is not public');
    return room;
  }

  private findRoom(token: string): Promise<Room> {
    return this.rooms.get(token).catch(() => {
      throw new NotFound('No such room');
    });
  }

  private windowName(): string {
    const days = Math.round(this.config.activeThreshold / 86400);
    return days === 7 ? 'week' : `${days} days`;
  }
}

function formatTime(t: number): string {
  return new Date(t * 1000).toISOString().replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC');
}

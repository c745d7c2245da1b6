import { RequestNonce } from '../auth/request-nonce.entity';
import { BotRoom } from '../bots/bot-room.entity';
import { Bot } from '../bots/bot.entity';
import { FilterReply } from '../bots/filter-reply.entity';
import { RoomWelcome } from '../bots/room-welcome.entity';
import { DirectMessage } from '../dm/direct-message.entity';
import { ServerSetting } from '../keys/server-setting.entity';
import { InvitePageHit } from '../invites/invite-page-hit.entity';
import { RoomInvite } from '../invites/room-invite.entity';
import { FileChunk } from '../files/file-chunk.entity';
import { StoredFile } from '../files/stored-file.entity';
import { MessageHistory } from '../messages/message-history.entity';
import { Message } from '../messages/message.entity';
import { Reaction } from '../messages/reaction.entity';
import { UserReaction } from '../messages/user-reaction.entity';
import { BanFuture } from '../moderation/ban-future.entity';
import { ModerationLogEntry } from '../moderation/moderation-log.entity';
import { PermissionFuture } from '../moderation/permission-future.entity';
import { PermissionOverride } from '../moderation/permission-override.entity';
import { PinnedMessage } from '../rooms/pinned-message.entity';
import { RoomUser } from '../rooms/room-user.entity';
import { Room } from '../rooms/room.entity';
import { NeedsBlinding } from '../users/needs-blinding.entity';
import { User } from '../users/user.entity';
import { WebhookDelivery } from '../webhooks/webhook-delivery.entity';
import { Webhook } from '../webhooks/webhook.entity';

/** Every table's entity: the one typed description of its rows. */
export const ENTITIES = [
  User,
  NeedsBlinding,
  Room,
  RoomUser,
  PinnedMessage,
  Message,
  MessageHistory,
  Reaction,
  UserReaction,
  StoredFile,
  FileChunk,
  PermissionOverride,
  PermissionFuture,
  BanFuture,
  ModerationLogEntry,
  DirectMessage,
  RequestNonce,
  ServerSetting,
  RoomInvite,
  InvitePageHit,
  Bot,
  BotRoom,
  RoomWelcome,
  FilterReply,
  Webhook,
  WebhookDelivery,
];

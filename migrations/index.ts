import { InitialSchema1795305600000 } from './1795305600000-InitialSchema';
import { DmProtection1795341600000 } from './1795341600000-DmProtection';
import { RoomContentFilters1795377600000 } from './1795377600000-RoomContentFilters';
import { ModerationLog1795388400000 } from './1795388400000-ModerationLog';
import { EntityAlignment1795867200000 } from './1795867200000-EntityAlignment';
import { ServerSettings1795900000000 } from './1795900000000-ServerSettings';
import { FileChunks1795903200000 } from './1795903200000-FileChunks';
import { RoomInvites1795910400000 } from './1795910400000-RoomInvites';
import { RoomListingRetention1795911300000 } from './1795911300000-RoomListingRetention';
import { Bots1795920000000 } from './1795920000000-Bots';
import { Webhooks1795946400000 } from './1795946400000-Webhooks';
import { FilterReplies1795950000000 } from './1795950000000-FilterReplies';
import { InvitePageHits1795980000000 } from './1795980000000-InvitePageHits';

/** Every migration, oldest first; the only way the schema changes. */
export const MIGRATIONS = [
  InitialSchema1795305600000,
  DmProtection1795341600000,
  RoomContentFilters1795377600000,
  ModerationLog1795388400000,
  EntityAlignment1795867200000,
  ServerSettings1795900000000,
  FileChunks1795903200000,
  RoomInvites1795910400000,
  RoomListingRetention1795911300000,
  Bots1795920000000,
  Webhooks1795946400000,
  FilterReplies1795950000000,
  InvitePageHits1795980000000,
];

/**
 * Databases created before the move to TypeORM migrations list what they applied in
 * `schema_migrations`, under these names; the migrator carries them over.
 */
export const LEGACY_MIGRATION_NAMES: Record<string, string> = {
  '20261122000000_initial_schema': InitialSchema1795305600000.name,
  '20261122100000_dm_protection': DmProtection1795341600000.name,
  '20261122200000_room_content_filters': RoomContentFilters1795377600000.name,
  '20261122300000_moderation_log': ModerationLog1795388400000.name,
};

import { ModerationService } from '../../src/moderation/moderation.service';
import { Room } from '../../src/rooms/room.entity';
import { RoomsService } from '../../src/rooms/rooms.service';
import { User, SYSTEM_USER_ID } from '../../src/users/user.entity';
import { UsersRepository } from '../../src/users/users.repository';
import { SessionClient } from './session-client';
import { TestApp } from './test-app';

export interface ReferenceRoom {
  system: User;
  moderation: ModerationService;
  room: Room;
  /** The extra rooms asked for, created before the appointments (so the global ones count there too). */
  others: Room[];
  user: SessionClient;
  user2: SessionClient;
  mod: SessionClient;
  admin: SessionClient;
  gmod: SessionClient;
  gadmin: SessionClient;
}

/**
 * The reference suite's fixture: `test-room` with a moderator and an admin, a global moderator
 * and a global admin (four appointments: the room is at info_updates 5), and two plain users.
 */
export async function referenceRoom(t: TestApp, otherRooms: Parameters<RoomsService['create']>[0][] = []): Promise<ReferenceRoom> {
  const system = (await t.app.get(UsersRepository).findById(SYSTEM_USER_ID))!;
  const moderation = t.app.get(ModerationService);
  const rooms = t.app.get(RoomsService);
  const room = await rooms.create({ token: 'test-room', name: 'Test room', description: 'Test suite testing room' });
  const others: Room[] = [];
  for (const input of otherRooms) others.push(await rooms.create(input));
  const [user, user2, mod, admin, gmod, gadmin] = Array.from({ length: 6 }, () => t.newClient());
  await moderation.setModerator(system, mod.blindedId, { rooms: [room] }, { moderator: true });
  await moderation.setModerator(system, admin.blindedId, { rooms: [room] }, { admin: true });
  await moderation.setModerator(system, gmod.blindedId, { global: true }, { moderator: true });
  await moderation.setModerator(system, gadmin.blindedId, { global: true }, { admin: true });
  return { system, moderation, room, others, user, user2, mod, admin, gmod, gadmin };
}

/** `test-room`'s info as a plain user sees it right after `referenceRoom` (§6.1). */
export function referenceRoomInfo(f: ReferenceRoom): Record<string, unknown> {
  return {
    token: 'test-room',
    name: 'Test room',
    description: 'Test suite testing room',
    info_updates: 5,
    message_sequence: 0,
    created: f.room.created,
    active_users: 0,
    active_users_cutoff: 7 * 86400,
    moderators: [f.mod.blindedId],
    admins: [f.admin.blindedId],
    read: true,
    write: true,
    upload: true,
  };
}

-- Per-room switch: refuse direct messages from a user banned in every room they share with the
-- recipient, when one of those rooms has it on (the server-wide setting covers all rooms).
ALTER TABLE rooms ADD COLUMN dm_refuse_banned BOOLEAN NOT NULL DEFAULT false;

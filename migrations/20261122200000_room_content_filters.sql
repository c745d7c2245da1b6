-- Per-room content filter settings (§7.8); NULL = follow the server-wide setting.
ALTER TABLE rooms ADD COLUMN profanity_filter BOOLEAN;
ALTER TABLE rooms ADD COLUMN profanity_silent BOOLEAN;
-- Names from persian, arabic, cyrillic; an empty array turns the alphabet filters off in the room.
ALTER TABLE rooms ADD COLUMN alphabet_filters TEXT[];
ALTER TABLE rooms ADD COLUMN alphabet_silent BOOLEAN;

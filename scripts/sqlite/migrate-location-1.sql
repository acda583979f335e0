-- location version 1 -> 2: the methods column (SIP methods the contact
-- accepts) was added.
ALTER TABLE location ADD COLUMN methods INTEGER DEFAULT NULL;
UPDATE version SET table_version = 2 WHERE table_name = 'location';

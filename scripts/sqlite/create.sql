-- openser schema for SQLite (openserdbctl create).  Every table's
-- version is in `version`; openser refuses a table whose version is not
-- the one it was built for, and 'openserdbctl migrate' upgrades it.
CREATE TABLE version (
    table_name TEXT NOT NULL PRIMARY KEY,
    table_version INTEGER NOT NULL DEFAULT 0
);

INSERT INTO version (table_name, table_version) VALUES ('subscriber', 1);
CREATE TABLE subscriber (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL DEFAULT '',
    domain TEXT NOT NULL DEFAULT '',
    password TEXT NOT NULL DEFAULT '',
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    email_address TEXT NOT NULL DEFAULT '',
    datetime_created TEXT NOT NULL DEFAULT '1900-01-01 00:00:01',
    ha1 TEXT NOT NULL DEFAULT '',
    ha1b TEXT NOT NULL DEFAULT '',
    rpid TEXT DEFAULT NULL,
    UNIQUE (username, domain)
);

INSERT INTO version (table_name, table_version) VALUES ('location', 2);
CREATE TABLE location (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL DEFAULT '',
    domain TEXT NOT NULL DEFAULT '',
    contact TEXT NOT NULL DEFAULT '',
    received TEXT DEFAULT NULL,
    path TEXT DEFAULT NULL,
    expires TEXT NOT NULL DEFAULT '2030-05-28 21:32:15',
    q REAL NOT NULL DEFAULT 1.0,
    callid TEXT NOT NULL DEFAULT 'Default-Call-ID',
    cseq INTEGER NOT NULL DEFAULT 13,
    last_modified TEXT NOT NULL DEFAULT '1900-01-01 00:00:01',
    flags INTEGER NOT NULL DEFAULT 0,
    cflags INTEGER NOT NULL DEFAULT 0,
    user_agent TEXT NOT NULL DEFAULT '',
    socket TEXT DEFAULT NULL,
    methods INTEGER DEFAULT NULL
);
CREATE INDEX location_account_contact_idx ON location (username, domain, contact);
CREATE INDEX location_expires_idx ON location (expires);

INSERT INTO version (table_name, table_version) VALUES ('uri', 1);
CREATE TABLE uri (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL DEFAULT '',
    domain TEXT NOT NULL DEFAULT '',
    uri_user TEXT NOT NULL DEFAULT '',
    last_modified TEXT NOT NULL DEFAULT '1900-01-01 00:00:01',
    UNIQUE (username, domain, uri_user)
);

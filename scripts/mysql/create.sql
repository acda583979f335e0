-- openser schema for MariaDB/MySQL (openserdbctl create).  Names and
-- contacts are VARBINARY: stored and compared byte for byte (quotes,
-- semicolons, NUL bytes, case).  Every table's version is in `version`.
CREATE TABLE version (
    table_name VARCHAR(32) NOT NULL PRIMARY KEY,
    table_version INT UNSIGNED NOT NULL DEFAULT 0
) ENGINE=InnoDB;

INSERT INTO version (table_name, table_version) VALUES ('subscriber', 1);
CREATE TABLE subscriber (
    id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY NOT NULL,
    username VARBINARY(64) NOT NULL DEFAULT '',
    domain VARBINARY(64) NOT NULL DEFAULT '',
    password VARBINARY(64) NOT NULL DEFAULT '',
    first_name VARCHAR(64) NOT NULL DEFAULT '',
    last_name VARCHAR(64) NOT NULL DEFAULT '',
    email_address VARCHAR(128) NOT NULL DEFAULT '',
    datetime_created DATETIME NOT NULL DEFAULT '1900-01-01 00:00:01',
    ha1 VARCHAR(64) NOT NULL DEFAULT '',
    ha1b VARCHAR(64) NOT NULL DEFAULT '',
    rpid VARCHAR(128) DEFAULT NULL,
    UNIQUE KEY account_idx (username, domain)
) ENGINE=InnoDB;

INSERT INTO version (table_name, table_version) VALUES ('location', 2);
CREATE TABLE location (
    id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY NOT NULL,
    username VARBINARY(64) NOT NULL DEFAULT '',
    domain VARBINARY(64) NOT NULL DEFAULT '',
    contact VARBINARY(512) NOT NULL DEFAULT '',
    received VARBINARY(128) DEFAULT NULL,
    path VARBINARY(512) DEFAULT NULL,
    expires DATETIME NOT NULL DEFAULT '2030-05-28 21:32:15',
    q DOUBLE NOT NULL DEFAULT 1.0,
    callid VARBINARY(255) NOT NULL DEFAULT 'Default-Call-ID',
    cseq INT NOT NULL DEFAULT 13,
    last_modified DATETIME NOT NULL DEFAULT '1900-01-01 00:00:01',
    flags INT NOT NULL DEFAULT 0,
    cflags INT NOT NULL DEFAULT 0,
    user_agent VARBINARY(255) NOT NULL DEFAULT '',
    socket VARBINARY(64) DEFAULT NULL,
    methods INT DEFAULT NULL,
    KEY account_contact_idx (username, domain, contact),
    KEY expires_idx (expires)
) ENGINE=InnoDB;

INSERT INTO version (table_name, table_version) VALUES ('uri', 1);
CREATE TABLE uri (
    id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY NOT NULL,
    username VARBINARY(64) NOT NULL DEFAULT '',
    domain VARBINARY(64) NOT NULL DEFAULT '',
    uri_user VARBINARY(64) NOT NULL DEFAULT '',
    last_modified DATETIME NOT NULL DEFAULT '1900-01-01 00:00:01',
    UNIQUE KEY account_idx (username, domain, uri_user)
) ENGINE=InnoDB;

/*
 * Unit tests for db/db_val.c: db_url forms, hidden passwords, names,
 * typed values, datetimes and the SQL text.  Output is TAP.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "db/db.h"
#include "mem/pkg.h"
#include "test/lib/tap.h"

#define is_str_c(a, b, name)                                              \
	do {                                                              \
		const char *tc_a = (a), *tc_b = (b);                      \
		if (!ok(strcmp(tc_a, tc_b) == 0, name))                   \
			printf("#   got '%s', expected '%s'\n", tc_a, tc_b); \
	} while (0)

static void
test_urls(void)
{
	struct db_url u;
	char err[128], buf[256];
	static const char *bad[] = {
		"", "sqlite:", "sqlite://relative.db", "sqlite://",
		"mysql://host/db", "mysql://@host/db", "mysql://u:p@/db",
		"mysql://u:p@host", "mysql://u:p@host:0/db",
		"mysql://u:p@host:70000/db", "mysql://u:p@host:x/db",
		"mysql://u:p@host/db;drop", "mysql://u:p@unix(sock)/db",
		"mysql://u:p@unix(/s/db", "://x", "my-sql://u@h/d",
	};
	size_t i;

	ok(db_url_parse("sqlite:///var/lib/openser/openser.db", &u, err,
	    sizeof(err)) == 0, "sqlite url");
	is_str_c(u.scheme, "sqlite", "sqlite scheme");
	is_str_c(u.database, "/var/lib/openser/openser.db", "sqlite path");
	ok(db_url_parse("mysql://openser:s3cr:t@@db1.example.com:3307/openser",
	    &u, err, sizeof(err)) == 0, "mysql url with : and @ in password");
	is_str_c(u.user, "openser", "user");
	is_str_c(u.pass, "s3cr:t@", "password up to the last @");
	is_str_c(u.host, "db1.example.com", "host");
	ok(u.port == 3307, "port");
	is_str_c(u.database, "openser", "database");
	ok(db_url_parse("mysql://ser@localhost/openser", &u, err, sizeof(err))
	    == 0 && u.pass[0] == '\0' && u.port == 0, "no password, no port");
	ok(db_url_parse("mysql://ser:pw@unix(/run/mysqld/mysqld.sock)/openser",
	    &u, err, sizeof(err)) == 0, "socket form");
	is_str_c(u.socket, "/run/mysqld/mysqld.sock", "socket path");
	ok(u.host[0] == '\0', "no host with a socket");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		(void)snprintf(buf, sizeof(buf), "bad url refused with a "
		    "reason: '%s'", bad[i]);
		ok(db_url_parse(bad[i], &u, err, sizeof(err)) == -1
		    && err[0] != '\0', buf);
	}
	is_str_c(db_url_hide("mysql://u:secret@h:1/db", buf, sizeof(buf)),
	    "mysql://u:***@h:1/db", "password hidden");
	is_str_c(db_url_hide("mysql://u:se@cret@h/db", buf, sizeof(buf)),
	    "mysql://u:***@h/db", "password with @ hidden");
	is_str_c(db_url_hide("mysql://u@h/db", buf, sizeof(buf)),
	    "mysql://u@h/db", "no password: unchanged");
	is_str_c(db_url_hide("sqlite:///tmp/a@b:c.db", buf, sizeof(buf)),
	    "sqlite:///tmp/a@b:c.db", "sqlite path untouched");
}

static void
test_names(void)
{
	char id[DB_IDENT_MAX + 2];

	ok(db_ident_ok("location") && db_ident_ok("_x9"), "identifiers");
	ok(!db_ident_ok("") && !db_ident_ok("9a") && !db_ident_ok("a b")
	    && !db_ident_ok("a;drop") && !db_ident_ok("a`b")
	    && !db_ident_ok("t\xc3\xa9") && !db_ident_ok(NULL),
	    "non-identifiers refused");
	memset(id, 'a', sizeof(id) - 1);
	id[DB_IDENT_MAX] = '\0';
	ok(db_ident_ok(id), "64 bytes accepted");
	id[DB_IDENT_MAX] = 'a';
	id[DB_IDENT_MAX + 1] = '\0';
	ok(!db_ident_ok(id), "longer refused");
	ok(db_op_ok("=") && db_op_ok("<=") && db_op_ok("!=")
	    && !db_op_ok("LIKE") && !db_op_ok("= 1 OR 1") && !db_op_ok(NULL),
	    "operators");
}

static void
test_values(void)
{
	struct db_val v;
	long long ll;
	time_t t;
	char buf[20];
	str s, in = { (char *)(uintptr_t)"a'b;\0c", 6 };

	db_val_int(&v, -7);
	ok(v.type == DB_INT && !v.nul && db_val_get_ll(&v, &ll) == 0
	    && ll == -7, "int");
	db_val_bigint(&v, 1LL << 40);
	ok(db_val_get_ll(&v, &ll) == 0 && ll == 1LL << 40, "bigint");
	db_val_double(&v, 0.5);
	ok(v.type == DB_DOUBLE && v.v.d == 0.5, "double");
	db_val_str(&v, &in);
	ok(db_val_get_str(&v, &s) == 0 && s.len == 6
	    && memcmp(s.s, "a'b;\0c", 6) == 0, "str keeps quote, ; and NUL");
	db_val_blob(&v, &in);
	ok(v.type == DB_BLOB && db_val_get_str(&v, &s) == 0 && s.len == 6,
	    "blob");
	db_val_string(&v, "42");
	ok(db_val_get_ll(&v, &ll) == 0 && ll == 42, "string read as number");
	db_val_string(&v, "4x");
	ok(db_val_get_ll(&v, &ll) == -1, "not a number");
	db_val_null(&v, DB_INT);
	ok(v.nul && db_val_get_ll(&v, &ll) == -1, "NULL int");
	db_val_null(&v, DB_STR);
	ok(db_val_get_str(&v, &s) == 0 && s.len == 0, "NULL str reads empty");
	db_val_string(&v, NULL);
	ok(v.nul, "NULL string pointer is NULL");
	db_time_str(1700000000, buf);
	is_str_c(buf, "2023-11-14 22:13:20", "datetime text (UTC)");
	ok(db_time_parse(buf, 19, &t) == 0 && t == 1700000000, "round trip");
	ok(db_time_parse("2023-13-14 22:13:20", 19, &t) == -1
	    && db_time_parse("2023-11-14T22:13:20", 19, &t) == -1
	    && db_time_parse("2023-11-14", 10, &t) == -1, "bad datetimes");
	db_val_string(&v, "2023-11-14 22:13:20");
	ok(db_val_get_time(&v, &t) == 0 && t == 1700000000,
	    "datetime from text");
	db_val_bigint(&v, 1234);
	ok(db_val_get_time(&v, &t) == 0 && t == 1234, "datetime from int");
	db_val_time(&v, 99);
	ok(v.type == DB_DATETIME && db_val_get_time(&v, &t) == 0 && t == 99,
	    "datetime");
}

static void
test_sql(void)
{
	const char *keys[] = { "username", "domain" };
	const char *ops[] = { "=", "<" };
	const char *cols[] = { "contact", "expires" };
	const char *badk[] = { "user name" };
	const char *badop[] = { "LIKE" };
	char b[512];

	ok(db_sql_select(b, sizeof(b), "location", keys, ops, 2, cols, 2,
	    "q") > 0, "select");
	is_str_c(b, "SELECT `contact`,`expires` FROM `location` WHERE "
	    "`username`=? AND `domain`<? ORDER BY `q`", "select text");
	ok(db_sql_select(b, sizeof(b), "version", NULL, NULL, 0, NULL, 0,
	    NULL) > 0, "select *");
	is_str_c(b, "SELECT * FROM `version`", "select * text");
	ok(db_sql_insert(b, sizeof(b), "INSERT", "location", keys, 2) > 0,
	    "insert");
	is_str_c(b, "INSERT INTO `location` (`username`,`domain`) VALUES "
	    "(?,?)", "insert text");
	ok(db_sql_update(b, sizeof(b), "location", keys, NULL, 1, cols, 2)
	    > 0, "update");
	is_str_c(b, "UPDATE `location` SET `contact`=?,`expires`=? WHERE "
	    "`username`=?", "update text");
	ok(db_sql_delete(b, sizeof(b), "location", NULL, NULL, 0) > 0,
	    "delete all");
	is_str_c(b, "DELETE FROM `location`", "delete text");
	ok(db_sql_select(b, sizeof(b), "location", badk, NULL, 1, NULL, 0,
	    NULL) == -1, "bad column refused");
	ok(db_sql_delete(b, sizeof(b), "loc;x", NULL, NULL, 0) == -1,
	    "bad table refused");
	ok(db_sql_delete(b, sizeof(b), "location", keys, badop, 1) == -1,
	    "bad operator refused");
	ok(db_sql_insert(b, 20, "INSERT", "location", keys, 2) == -1,
	    "too long refused");
}

int
main(void)
{
	plan(68);
	(void)pkg_init(1 << 20);
	test_urls();
	test_names();
	test_values();
	test_sql();
	return done_testing();
}

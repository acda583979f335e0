/*
 * db.h: the database API, in the OpenSER 1.x shape.  A module binds a
 * driver from a db_url and gets a table of functions:
 *
 *	struct db_func dbf;
 *	struct db_con *h;
 *
 *	if (db_bind_mod(url, &dbf) == -1) ...		   (mod_init)
 *	if ((h = dbf.init(url)) == NULL) ...		   (child_init)
 *	dbf.use_table(h, "location");
 *	dbf.query(h, keys, ops, vals, cols, n, nc, NULL, &res);
 *	dbf.free_result(h, res);
 *
 * The driver is the module "db_<scheme>" (db_sqlite, db_mysql); it must be
 * loaded (loadmodule) but its place among the loadmodule lines does not
 * matter.  A connection belongs to the process that opened it: open it in
 * child_init, never before fork (or close it before fork).
 *
 * Every value reaches the server as a bound parameter.  Table and column
 * names are never user data: they come from the config and must be
 * identifiers ([A-Za-z_][A-Za-z0-9_]*, at most DB_IDENT_MAX bytes); a call
 * with another name fails.
 *
 * A lost connection is closed, logged once (db_url without its password)
 * and opened again by the next call; the call that found it lost returns
 * -1.  Drivers bound every wait by a timeout (module parameters).
 */
#ifndef DB_DB_H
#define DB_DB_H

#include <time.h>

#include "lib/str.h"

#define DB_IDENT_MAX	64
#define DB_URL_MAX	512
#define DB_MAX_COLS	32	/* keys, columns or values in one call */

enum db_type {
	DB_INT = 0,	/* int */
	DB_BIGINT,	/* long long */
	DB_DOUBLE,	/* double */
	DB_STRING,	/* NUL-terminated const char * */
	DB_STR,		/* str: any bytes, NUL included */
	DB_DATETIME,	/* time_t, stored as UTC "YYYY-MM-DD HH:MM:SS" */
	DB_BLOB,	/* str: any bytes */
};

struct db_val {
	enum db_type type;
	int nul;	/* 1: SQL NULL, the value is ignored */
	union {
		int i;
		long long ll;
		double d;
		const char *string;
		str s;		/* DB_STR and DB_BLOB */
		time_t t;
	} v;
};

/* a result: rows x cols values, row-major; strings in pkg memory owned
 * by the result */
struct db_res {
	int ncols, nrows;
	struct db_val *vals;
};

#define DB_RES_VAL(r, row, col) (&(r)->vals[(row) * (r)->ncols + (col)])

/* a parsed db_url */
struct db_url {
	char scheme[16];	/* "sqlite", "mysql" */
	char user[64];
	char pass[128];
	char host[256];		/* empty for sqlite and the socket form */
	unsigned short port;	/* 0: the driver's default */
	char socket[256];	/* unix socket path, or empty */
	char database[256];	/* db name; sqlite: the file's absolute path */
};

struct db_con;

/*
 * What a driver module gives the core: db_<scheme>_bind() fills one of
 * these.  The core builds the SQL (with ? placeholders) and handles
 * reconnects; the driver only talks to its library.
 */
#define DB_ECONN -2	/* exec: the connection is lost (reconnect) */

struct db_driver {
	const char *name;	/* "db_sqlite" */
	/* a connection to <u>, or NULL with why in <err> */
	void *(*open)(const struct db_url *u, char *err, int errlen);
	void (*close)(void *conn);
	/*
	 * Run <sql> with <np> bound <params>.  A statement returning rows
	 * stores them in *<res> (pkg, when <res> is not NULL); *<affected>
	 * gets the rows changed (or found, for an UPDATE).  0, -1 (with why
	 * in <err>) or DB_ECONN.
	 */
	int (*exec)(void *conn, const char *sql, const struct db_val *params,
	    int np, struct db_res **res, long long *affected, char *err,
	    int errlen);
	long long (*last_id)(void *conn);
};

/* the functions a module gets from db_bind_mod() */
struct db_func {
	struct db_con *(*init)(const char *url);
	void (*close)(struct db_con *h);
	int (*use_table)(struct db_con *h, const char *table);
	int (*query)(struct db_con *h, const char *const *keys,
	    const char *const *ops, const struct db_val *vals,
	    const char *const *cols, int n, int nc, const char *order,
	    struct db_res **res);
	int (*insert)(struct db_con *h, const char *const *keys,
	    const struct db_val *vals, int n);
	/* rows matched, or -1 */
	int (*update)(struct db_con *h, const char *const *keys,
	    const char *const *ops, const struct db_val *vals,
	    const char *const *ukeys, const struct db_val *uvals, int n,
	    int un);
	/* rows removed, or -1 */
	int (*delete)(struct db_con *h, const char *const *keys,
	    const char *const *ops, const struct db_val *vals, int n);
	int (*replace)(struct db_con *h, const char *const *keys,
	    const struct db_val *vals, int n);
	int (*raw_query)(struct db_con *h, const char *sql,
	    struct db_res **res);
	void (*free_result)(struct db_con *h, struct db_res *res);
	long long (*last_inserted_id)(struct db_con *h);
};

/*
 * Fill <f> with the API of the driver <url>'s scheme names.  0, or -1
 * after logging why (bad url, driver module not loaded).  Attendant, in
 * mod_init.
 */
int db_bind_mod(const char *url, struct db_func *f);

/*
 * Parse <s> into <u>.  Forms:
 *	sqlite:///absolute/path.db
 *	mysql://user[:password]@host[:port]/database
 *	mysql://user[:password]@unix(/path/to/socket)/database
 * 0, or -1 with why in <err>.  Any process; no logging.
 */
int db_url_parse(const char *s, struct db_url *u, char *err, int errlen);

/* <s> with its password replaced by "***", for logs, into <buf>. */
const char *db_url_hide(const char *s, char *buf, int size);

/* 1 when <s> is a valid table or column name. */
int db_ident_ok(const char *s);

/* 1 when <op> is one of = != <> < > <= >= */
int db_op_ok(const char *op);

/* ---- values ------------------------------------------------------------ */

void db_val_int(struct db_val *v, int i);
void db_val_bigint(struct db_val *v, long long ll);
void db_val_double(struct db_val *v, double d);
void db_val_string(struct db_val *v, const char *s);
void db_val_str(struct db_val *v, const str *s);
void db_val_blob(struct db_val *v, const str *s);
void db_val_time(struct db_val *v, time_t t);
void db_val_null(struct db_val *v, enum db_type type);

/* Read <v> as an integer (INT, BIGINT, DOUBLE, or a decimal string).
 * 0, or -1 (NULL or not a number). */
int db_val_get_ll(const struct db_val *v, long long *out);
/* Read <v> as bytes (STRING, STR, BLOB; "" for NULL).  0 or -1. */
int db_val_get_str(const struct db_val *v, str *out);
/* Read <v> as a time (DATETIME, an integer, or "YYYY-MM-DD HH:MM:SS"
 * UTC).  0 or -1. */
int db_val_get_time(const struct db_val *v, time_t *out);

/* Write <t> as "YYYY-MM-DD HH:MM:SS" UTC into <buf> (20 bytes). */
void db_time_str(time_t t, char *buf);
/* Parse "YYYY-MM-DD HH:MM:SS" (UTC) of <len> bytes.  0 or -1. */
int db_time_parse(const char *s, int len, time_t *out);

/* ---- for drivers --------------------------------------------------------- */

/* A result of <nrows> x <ncols> NULL values (pkg), or NULL. */
struct db_res *db_res_new(int nrows, int ncols);
/* Set string value <v> of a result to a pkg copy of <len> bytes.  0/-1. */
int db_res_set_bytes(struct db_val *v, enum db_type type, const char *s,
    int len);
void db_res_free(struct db_res *res);

/*
 * Build SQL with ? placeholders into <buf>: SELECT (<nc> cols or *) FROM
 * <table> [WHERE k op ? AND ...] [ORDER BY <order>]; INSERT / REPLACE
 * INTO <table> (keys) VALUES (?...); UPDATE <table> SET uk=? ... [WHERE
 * ...]; DELETE FROM <table> [WHERE ...].  Names are checked; the length,
 * or -1 (bad name or operator, too long).  Exposed for the unit tests.
 */
int db_sql_select(char *buf, int size, const char *table,
    const char *const *keys, const char *const *ops, int n,
    const char *const *cols, int nc, const char *order);
int db_sql_insert(char *buf, int size, const char *verb, const char *table,
    const char *const *keys, int n);
int db_sql_update(char *buf, int size, const char *table,
    const char *const *keys, const char *const *ops, int n,
    const char *const *ukeys, int un);
int db_sql_delete(char *buf, int size, const char *table,
    const char *const *keys, const char *const *ops, int n);

#endif

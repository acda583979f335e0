/*
 * db.c: binding a driver and the connection handle (db.h).  The SQL text
 * is built here with ? placeholders (db_val.c); the driver prepares it,
 * binds the values and runs it.  A connection lost on one call is closed
 * and opened again on the next one.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "db/db.h"
#include "lib/log.h"
#include "mem/pkg.h"

#define DB_SQL_MAX 4096

/* pkg; one per connection, in the process that opened it */
struct db_con {
	struct db_driver drv;
	void *conn;		/* NULL while lost */
	pid_t pid;		/* the process that owns it */
	int down;		/* 1 after a loss was logged, until back */
	struct db_url u;
	char url[DB_URL_MAX];	/* with the password hidden */
	char table[DB_IDENT_MAX + 1];
};

typedef int (*db_bind_f)(struct db_driver *drv);

/* The driver for <scheme>: db_<scheme>_bind() of the loaded module. */
static int
db_driver_find(const char *scheme, struct db_driver *drv)
{
	char sym[64];
	db_bind_f bind;
	void *p;

	(void)snprintf(sym, sizeof(sym), "db_%s_bind", scheme);
	if ((p = dlsym(RTLD_DEFAULT, sym)) == NULL)
		return -1;
	memcpy(&bind, &p, sizeof(bind));
	memset(drv, 0, sizeof(*drv));
	return bind(drv);
}

static struct db_con *
db_init(const char *url)
{
	struct db_con *h;
	char err[256];

	if ((h = pkg_zalloc(sizeof(*h))) == NULL) {
		PKG_MEM_ERROR("opening a database connection");
		return NULL;
	}
	(void)db_url_hide(url, h->url, sizeof(h->url));
	if (db_url_parse(url, &h->u, err, sizeof(err)) == -1
	    || db_driver_find(h->u.scheme, &h->drv) == -1) {
		LM_ERR("db_url %s: cannot use it; check the url and loadmodule "
		    "\"db_%s.so\"", h->url, h->u.scheme);
		goto fail;
	}
	if ((h->conn = h->drv.open(&h->u, err, sizeof(err))) == NULL) {
		LM_ERR("db_url %s: cannot connect: %s; start the database "
		    "server, or create the database with 'openserdbctl create'",
		    h->url, err);
		goto fail;
	}
	h->pid = getpid();
	return h;
fail:
	pkg_free(h);
	return NULL;
}

static void
db_close(struct db_con *h)
{
	if (h == NULL)
		return;
	if (h->conn != NULL)
		h->drv.close(h->conn);
	pkg_free(h);
}

static int
db_use_table(struct db_con *h, const char *table)
{
	if (!db_ident_ok(table)) {
		LM_ERR("db_url %s: bad table name '%s': letters, digits and _ "
		    "only", h->url, table);
		return -1;
	}
	(void)snprintf(h->table, sizeof(h->table), "%s", table);
	return 0;
}

/* Make sure <h> is connected in this process.  0 or -1 (logged once). */
static int
db_ready(struct db_con *h)
{
	char err[256];

	if (h->pid != getpid()) {
		LM_CRIT("db_url %s: connection opened by process %d used by %d; "
		    "open connections in child_init", h->url, (int)h->pid,
		    (int)getpid());
		return -1;
	}
	if (h->conn != NULL)
		return 0;
	if ((h->conn = h->drv.open(&h->u, err, sizeof(err))) == NULL) {
		if (!h->down)
			LM_ERR("db_url %s: cannot reconnect: %s", h->url, err);
		h->down = 1;
		return -1;
	}
	if (h->down)
		LM_NOTICE("db_url %s: connected again", h->url);
	h->down = 0;
	return 0;
}

/* Run <sql> (<len> >= 0, else a bad name was given) on <h>. */
static int
db_run(struct db_con *h, const char *what, const char *sql, int len,
    const struct db_val *vals, int nv, struct db_res **res, long long *aff)
{
	char err[256];
	long long dummy;
	int rc;

	if (len < 0) {
		LM_ERR("db_url %s: %s on table '%s': bad table or column name, "
		    "or operator", h->url, what, h->table);
		return -1;
	}
	if (h->table[0] == '\0' && what[0] != 'r') {
		LM_ERR("db_url %s: %s without use_table()", h->url, what);
		return -1;
	}
	if (db_ready(h) == -1)
		return -1;
	if (res != NULL)
		*res = NULL;
	rc = h->drv.exec(h->conn, sql, vals, nv, res, aff != NULL ? aff
	    : &dummy, err, sizeof(err));
	if (rc == DB_ECONN) {
		/* an idle connection the server dropped (restart, timeout):
		 * one new connection and one more try */
		LM_ERR("db_url %s: connection lost during %s on %s: %s; "
		    "reconnecting", h->url, what, h->table, err);
		h->drv.close(h->conn);
		h->conn = NULL;
		if (db_ready(h) == -1)
			return -1;
		rc = h->drv.exec(h->conn, sql, vals, nv, res, aff != NULL ? aff
		    : &dummy, err, sizeof(err));
	}
	if (rc == DB_ECONN) {
		LM_ERR("db_url %s: connection lost again during %s on %s: %s; "
		    "reconnecting on the next query", h->url, what, h->table,
		    err);
		h->drv.close(h->conn);
		h->conn = NULL;
		h->down = 1;
		return -1;
	}
	if (rc != 0)
		LM_ERR("db_url %s: %s on table %s failed: %s", h->url, what,
		    h->table, err);
	return rc == 0 ? 0 : -1;
}

static int
db_query(struct db_con *h, const char *const *keys, const char *const *ops,
    const struct db_val *vals, const char *const *cols, int n, int nc,
    const char *order, struct db_res **res)
{
	char sql[DB_SQL_MAX];

	return db_run(h, "query", sql, db_sql_select(sql, sizeof(sql),
	    h->table, keys, ops, n, cols, nc, order), vals, n, res, NULL);
}

static int
db_insert(struct db_con *h, const char *const *keys,
    const struct db_val *vals, int n)
{
	char sql[DB_SQL_MAX];

	return db_run(h, "insert", sql, db_sql_insert(sql, sizeof(sql),
	    "INSERT", h->table, keys, n), vals, n, NULL, NULL);
}

static int
db_replace(struct db_con *h, const char *const *keys,
    const struct db_val *vals, int n)
{
	char sql[DB_SQL_MAX];

	return db_run(h, "replace", sql, db_sql_insert(sql, sizeof(sql),
	    "REPLACE", h->table, keys, n), vals, n, NULL, NULL);
}

static int
db_update(struct db_con *h, const char *const *keys, const char *const *ops,
    const struct db_val *vals, const char *const *ukeys,
    const struct db_val *uvals, int n, int un)
{
	struct db_val all[2 * DB_MAX_COLS];
	char sql[DB_SQL_MAX];
	long long aff = 0;

	if (n < 0 || un < 0 || n > DB_MAX_COLS || un > DB_MAX_COLS)
		return db_run(h, "update", "", -1, NULL, 0, NULL, NULL);
	memcpy(all, uvals, (size_t)un * sizeof(*all));
	if (n > 0)
		memcpy(all + un, vals, (size_t)n * sizeof(*all));
	if (db_run(h, "update", sql, db_sql_update(sql, sizeof(sql), h->table,
	    keys, ops, n, ukeys, un), all, n + un, NULL, &aff) == -1)
		return -1;
	return (int)aff;
}

static int
db_delete(struct db_con *h, const char *const *keys, const char *const *ops,
    const struct db_val *vals, int n)
{
	char sql[DB_SQL_MAX];
	long long aff = 0;

	if (db_run(h, "delete", sql, db_sql_delete(sql, sizeof(sql), h->table,
	    keys, ops, n), vals, n, NULL, &aff) == -1)
		return -1;
	return (int)aff;
}

static int
db_raw_query(struct db_con *h, const char *sql, struct db_res **res)
{
	return db_run(h, "raw query", sql, (int)strlen(sql), NULL, 0, res,
	    NULL);
}

static void
db_free_result(struct db_con *h, struct db_res *res)
{
	db_res_free(res);
}

static long long
db_last_inserted_id(struct db_con *h)
{
	return h->conn != NULL ? h->drv.last_id(h->conn) : -1;
}

int
db_bind_mod(const char *url, struct db_func *f)
{
	struct db_driver drv;
	struct db_url u;
	char err[256], hidden[DB_URL_MAX];

	if (db_url_parse(url, &u, err, sizeof(err)) == -1) {
		LM_ERR("db_url %s: %s", db_url_hide(url, hidden,
		    sizeof(hidden)), err);
		return -1;
	}
	if (db_driver_find(u.scheme, &drv) == -1) {
		LM_ERR("db_url %s: no driver for '%s://': add loadmodule "
		    "\"db_%s.so\" to the config", db_url_hide(url, hidden,
		    sizeof(hidden)), u.scheme, u.scheme);
		return -1;
	}
	f->init = db_init;
	f->close = db_close;
	f->use_table = db_use_table;
	f->query = db_query;
	f->insert = db_insert;
	f->update = db_update;
	f->delete = db_delete;
	f->replace = db_replace;
	f->raw_query = db_raw_query;
	f->free_result = db_free_result;
	f->last_inserted_id = db_last_inserted_id;
	return 0;
}

/*
 * db_sqlite.c: the SQLite driver of the DB API (db/db.h), for
 * db_url = "sqlite:///absolute/path.db".  The embedded default: no
 * server to install or start.  Each process opens the file itself; a
 * writer holding the lock makes the others wait at most busy_timeout ms,
 * then their statement fails.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "db/db.h"
#include "script/sr_module.h"

static unsigned int sqlite_busy_timeout = 3000;	/* ms */

static void *
sqlite_open(const struct db_url *u, char *err, int errlen)
{
	sqlite3 *db = NULL;
	int rc;

	/* never create a database here: a missing file is an error that
	 * openserdbctl create fixes */
	if (access(u->database, R_OK | W_OK) != 0) {
		(void)snprintf(err, (size_t)errlen, "%s: no such file or not "
		    "writable", u->database);
		return NULL;
	}
	rc = sqlite3_open_v2(u->database, &db, SQLITE_OPEN_READWRITE
	    | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		(void)snprintf(err, (size_t)errlen, "%s", db != NULL
		    ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		(void)sqlite3_close(db);
		return NULL;
	}
	(void)sqlite3_busy_timeout(db, (int)sqlite_busy_timeout);
	(void)sqlite3_extended_result_codes(db, 1);
	return db;
}

static void
sqlite_close(void *conn)
{
	(void)sqlite3_close(conn);
}

static int
sqlite_bind(sqlite3_stmt *st, int i, const struct db_val *v)
{
	char tbuf[20];

	if (v->nul)
		return sqlite3_bind_null(st, i);
	switch (v->type) {
	case DB_INT:
		return sqlite3_bind_int(st, i, v->v.i);
	case DB_BIGINT:
		return sqlite3_bind_int64(st, i, v->v.ll);
	case DB_DOUBLE:
		return sqlite3_bind_double(st, i, v->v.d);
	case DB_STRING:
		return sqlite3_bind_text(st, i, v->v.string, -1,
		    SQLITE_TRANSIENT);
	case DB_STR:
		return sqlite3_bind_text(st, i, v->v.s.s, v->v.s.len,
		    SQLITE_TRANSIENT);
	case DB_BLOB:
		return sqlite3_bind_blob(st, i, v->v.s.s, v->v.s.len,
		    SQLITE_TRANSIENT);
	case DB_DATETIME:
		db_time_str(v->v.t, tbuf);
		return sqlite3_bind_text(st, i, tbuf, 19, SQLITE_TRANSIENT);
	}
	return SQLITE_MISUSE;
}

/* Store the current row of <st> as row <row> of <r>.  0 or -1. */
static int
sqlite_row(sqlite3_stmt *st, struct db_res *r, int row)
{
	struct db_val *v;
	int c, type;

	for (c = 0; c < r->ncols; c++) {
		v = DB_RES_VAL(r, row, c);
		type = sqlite3_column_type(st, c);
		if (type == SQLITE_NULL)
			continue;
		if (type == SQLITE_INTEGER) {
			db_val_bigint(v, sqlite3_column_int64(st, c));
		} else if (type == SQLITE_FLOAT) {
			db_val_double(v, sqlite3_column_double(st, c));
		} else {
			const void *p = type == SQLITE_BLOB
			    ? sqlite3_column_blob(st, c)
			    : (const void *)sqlite3_column_text(st, c);

			if (db_res_set_bytes(v, type == SQLITE_BLOB ? DB_BLOB
			    : DB_STR, p, sqlite3_column_bytes(st, c)) == -1)
				return -1;
		}
	}
	return 0;
}

/* Append a row to *<r> (grown by doubling). */
static int
sqlite_grow(struct db_res **r, int *cap, int ncols)
{
	struct db_res *n;

	if ((*r)->nrows < *cap)
		return 0;
	if ((n = db_res_new(*cap * 2, ncols)) == NULL)
		return -1;
	if ((*r)->nrows > 0)
		memcpy(n->vals, (*r)->vals, (size_t)(*r)->nrows
		    * (size_t)ncols * sizeof(*n->vals));
	n->nrows = (*r)->nrows;
	(*r)->nrows = 0;	/* the values moved */
	db_res_free(*r);
	*r = n;
	*cap *= 2;
	return 0;
}

static int
sqlite_exec(void *conn, const char *sql, const struct db_val *params, int np,
    struct db_res **res, long long *affected, char *err, int errlen)
{
	sqlite3 *db = conn;
	sqlite3_stmt *st = NULL;
	struct db_res *r = NULL;
	int i, rc, cap = 16, ncols;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		goto fail;
	for (i = 0; i < np; i++)
		if (sqlite_bind(st, i + 1, &params[i]) != SQLITE_OK)
			goto fail;
	ncols = sqlite3_column_count(st);
	if (res != NULL && ncols > 0) {
		if ((r = db_res_new(cap, ncols)) == NULL)
			goto oom;
		r->nrows = 0;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (r == NULL)
			continue;
		if (sqlite_grow(&r, &cap, ncols) == -1
		    || sqlite_row(st, r, r->nrows) == -1)
			goto oom;
		r->nrows++;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	*affected = sqlite3_changes(db);
	(void)sqlite3_finalize(st);
	if (res != NULL)
		*res = r;
	return 0;
oom:
	(void)snprintf(err, (size_t)errlen, "out of pkg memory for the result");
	db_res_free(r);
	(void)sqlite3_finalize(st);
	return -1;
fail:
	(void)snprintf(err, (size_t)errlen, "%s", sqlite3_errmsg(db));
	db_res_free(r);
	(void)sqlite3_finalize(st);
	return -1;
}

static long long
sqlite_last_id(void *conn)
{
	return sqlite3_last_insert_rowid(conn);
}

/* The driver table, found by the core as db_<scheme>_bind. */
int db_sqlite_bind(struct db_driver *drv);

int
db_sqlite_bind(struct db_driver *drv)
{
	drv->name = "db_sqlite";
	drv->open = sqlite_open;
	drv->close = sqlite_close;
	drv->exec = sqlite_exec;
	drv->last_id = sqlite_last_id;
	return 0;
}

static const struct param_export params[] = {
	{ "busy_timeout", PARAM_UINT, &sqlite_busy_timeout },
	{ 0 },
};

__attribute__((visibility("protected")))
const struct module_exports exports = {
	.abi = MODULE_ABI,
	.name = "db_sqlite",
	.params = params,
};

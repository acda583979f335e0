/*
 * db_mysql.c: the MariaDB/MySQL driver of the DB API (db/db.h), over
 * libmariadb, for db_url = "mysql://user:password@host[:port]/db" or
 * "mysql://user:password@unix(/path/to/socket)/db".  Every statement is a
 * server-side prepared statement: values travel as bound parameters.
 * Connect, read and write wait at most timeout_interval seconds each; a
 * lost server is reported as DB_ECONN and the core reconnects.
 */
#include <mysql.h>
#include <errmsg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "mem/pkg.h"
#include "script/sr_module.h"

static unsigned int my_timeout = 3;	/* "timeout_interval", seconds */

static void *
my_open(const struct db_url *u, char *err, int errlen)
{
	unsigned int t = my_timeout > 0 ? my_timeout : 1;
	my_bool off = 0;
	MYSQL *m;

	if ((m = mysql_init(NULL)) == NULL) {
		(void)snprintf(err, (size_t)errlen, "out of memory");
		return NULL;
	}
	(void)mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &t);
	(void)mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &t);
	(void)mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &t);
	(void)mysql_options(m, MYSQL_OPT_RECONNECT, &off);
	(void)mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (mysql_real_connect(m, u->socket[0] != '\0' ? "localhost"
	    : u->host, u->user, u->pass, u->database, u->port,
	    u->socket[0] != '\0' ? u->socket : NULL, CLIENT_FOUND_ROWS)
	    == NULL) {
		(void)snprintf(err, (size_t)errlen, "%s", mysql_error(m));
		mysql_close(m);
		return NULL;
	}
	return m;
}

static void
my_close(void *conn)
{
	mysql_close(conn);
}

static int
my_lost(unsigned int e)
{
	return e == CR_SERVER_GONE_ERROR || e == CR_SERVER_LOST
	    || e == CR_CONNECTION_ERROR || e == CR_CONN_HOST_ERROR
	    || e == CR_SERVER_LOST_EXTENDED;
}

/* storage for the parameters' bound copies */
struct my_param {
	char tbuf[20];
	unsigned long len;
	my_bool isnull;
};

static void
my_bind_param(MYSQL_BIND *b, struct my_param *p, const struct db_val *v)
{
	memset(b, 0, sizeof(*b));
	p->isnull = (my_bool)v->nul;
	b->is_null = &p->isnull;
	b->length = &p->len;
	switch (v->type) {
	case DB_INT:
		b->buffer_type = MYSQL_TYPE_LONG;
		b->buffer = (void *)(uintptr_t)&v->v.i;
		break;
	case DB_BIGINT:
		b->buffer_type = MYSQL_TYPE_LONGLONG;
		b->buffer = (void *)(uintptr_t)&v->v.ll;
		break;
	case DB_DOUBLE:
		b->buffer_type = MYSQL_TYPE_DOUBLE;
		b->buffer = (void *)(uintptr_t)&v->v.d;
		break;
	case DB_STRING:
		b->buffer_type = MYSQL_TYPE_STRING;
		b->buffer = (void *)(uintptr_t)(v->nul ? "" : v->v.string);
		p->len = v->nul ? 0 : strlen(v->v.string);
		break;
	case DB_STR:
	case DB_BLOB:
		b->buffer_type = v->type == DB_BLOB ? MYSQL_TYPE_BLOB
		    : MYSQL_TYPE_STRING;
		b->buffer = v->v.s.s;
		p->len = (unsigned long)v->v.s.len;
		break;
	case DB_DATETIME:
		db_time_str(v->v.t, p->tbuf);
		b->buffer_type = MYSQL_TYPE_STRING;
		b->buffer = p->tbuf;
		p->len = 19;
		break;
	}
}

/* one result column's fetch buffer */
struct my_col {
	enum enum_field_types type;
	long long ll;
	double d;
	MYSQL_TIME tm;
	char *buf;
	unsigned long cap, len;
	my_bool isnull, trunc;
};

static void
my_bind_col(MYSQL_BIND *b, struct my_col *c, const MYSQL_FIELD *f)
{
	memset(b, 0, sizeof(*b));
	c->type = f->type;
	b->is_null = &c->isnull;
	b->length = &c->len;
	b->error = &c->trunc;
	switch (f->type) {
	case MYSQL_TYPE_TINY: case MYSQL_TYPE_SHORT: case MYSQL_TYPE_LONG:
	case MYSQL_TYPE_INT24: case MYSQL_TYPE_LONGLONG: case MYSQL_TYPE_YEAR:
		b->buffer_type = MYSQL_TYPE_LONGLONG;
		b->buffer = &c->ll;
		b->is_unsigned = (f->flags & UNSIGNED_FLAG) != 0;
		break;
	case MYSQL_TYPE_FLOAT: case MYSQL_TYPE_DOUBLE:
		b->buffer_type = MYSQL_TYPE_DOUBLE;
		b->buffer = &c->d;
		break;
	case MYSQL_TYPE_DATETIME: case MYSQL_TYPE_TIMESTAMP:
	case MYSQL_TYPE_DATE:
		b->buffer_type = MYSQL_TYPE_DATETIME;
		b->buffer = &c->tm;
		break;
	default:
		b->buffer_type = MYSQL_TYPE_BLOB;
		b->buffer = c->buf;
		b->buffer_length = c->cap;
		break;
	}
}

/* Store the fetched row in row <row> of <r>.  0 or -1. */
static int
my_store_row(MYSQL_STMT *st, MYSQL_BIND *b, struct my_col *cols,
    struct db_res *r, int row)
{
	struct db_val *v;
	struct tm tm;
	int c;

	for (c = 0; c < r->ncols; c++) {
		v = DB_RES_VAL(r, row, c);
		if (cols[c].isnull)
			continue;
		switch (b[c].buffer_type) {
		case MYSQL_TYPE_LONGLONG:
			db_val_bigint(v, cols[c].ll);
			break;
		case MYSQL_TYPE_DOUBLE:
			db_val_double(v, cols[c].d);
			break;
		case MYSQL_TYPE_DATETIME:
			memset(&tm, 0, sizeof(tm));
			tm.tm_year = (int)cols[c].tm.year - 1900;
			tm.tm_mon = (int)cols[c].tm.month - 1;
			tm.tm_mday = (int)cols[c].tm.day;
			tm.tm_hour = (int)cols[c].tm.hour;
			tm.tm_min = (int)cols[c].tm.minute;
			tm.tm_sec = (int)cols[c].tm.second;
			db_val_time(v, timegm(&tm));
			break;
		default:
			if (db_res_set_bytes(v, DB_STR, NULL, 0) == -1)
				return -1;
			if (cols[c].len > 0) {
				MYSQL_BIND one = b[c];

				pkg_free(v->v.s.s);
				if ((v->v.s.s = pkg_malloc(cols[c].len + 1)) == NULL) {
					v->nul = 1;
					return -1;
				}
				one.buffer = v->v.s.s;
				one.buffer_length = cols[c].len;
				if (mysql_stmt_fetch_column(st, &one, (unsigned)c,
				    0) != 0)
					return -1;
				v->v.s.s[cols[c].len] = '\0';
				v->v.s.len = (int)cols[c].len;
			}
			break;
		}
	}
	return 0;
}

static int
my_fetch_all(MYSQL_STMT *st, MYSQL_RES *meta, struct db_res **res)
{
	MYSQL_FIELD *f = mysql_fetch_fields(meta);
	int ncols = (int)mysql_num_fields(meta), nrows, c, rc, row = 0;
	MYSQL_BIND b[DB_MAX_COLS];
	struct my_col cols[DB_MAX_COLS];
	struct db_res *r;

	if (ncols > DB_MAX_COLS || mysql_stmt_store_result(st) != 0)
		return -1;
	nrows = (int)mysql_stmt_num_rows(st);
	memset(cols, 0, sizeof(cols));
	for (c = 0; c < ncols; c++)
		my_bind_col(&b[c], &cols[c], &f[c]);
	if (mysql_stmt_bind_result(st, b) != 0
	    || (r = db_res_new(nrows, ncols)) == NULL)
		return -1;
	while (row < nrows && ((rc = mysql_stmt_fetch(st)) == 0
	    || rc == MYSQL_DATA_TRUNCATED)) {
		if (my_store_row(st, b, cols, r, row) == -1) {
			r->nrows = row + 1;
			db_res_free(r);
			return -1;
		}
		row++;
	}
	r->nrows = row;
	*res = r;
	return 0;
}

static int
my_exec(void *conn, const char *sql, const struct db_val *params, int np,
    struct db_res **res, long long *affected, char *err, int errlen)
{
	MYSQL_BIND b[2 * DB_MAX_COLS];
	struct my_param p[2 * DB_MAX_COLS];
	MYSQL_STMT *st;
	MYSQL_RES *meta = NULL;
	unsigned int e;
	int i, rc = -1;

	if (np > 2 * DB_MAX_COLS) {
		(void)snprintf(err, (size_t)errlen, "too many values");
		return -1;
	}
	if ((st = mysql_stmt_init(conn)) == NULL) {
		(void)snprintf(err, (size_t)errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < np; i++)
		my_bind_param(&b[i], &p[i], &params[i]);
	if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0
	    || (np > 0 && mysql_stmt_bind_param(st, b) != 0)
	    || mysql_stmt_execute(st) != 0)
		goto fail;
	*affected = (long long)mysql_stmt_affected_rows(st);
	if ((meta = mysql_stmt_result_metadata(st)) != NULL) {
		if (res != NULL && my_fetch_all(st, meta, res) == -1)
			goto fail;
		mysql_free_result(meta);
	}
	(void)mysql_stmt_close(st);
	return 0;
fail:
	e = mysql_stmt_errno(st) != 0 ? mysql_stmt_errno(st)
	    : mysql_errno(conn);
	(void)snprintf(err, (size_t)errlen, "%s", mysql_stmt_errno(st) != 0
	    ? mysql_stmt_error(st) : mysql_errno(conn) != 0 ? mysql_error(conn)
	    : "out of memory");
	if (my_lost(e))
		rc = DB_ECONN;
	if (meta != NULL)
		mysql_free_result(meta);
	(void)mysql_stmt_close(st);
	return rc;
}

static long long
my_last_id(void *conn)
{
	return (long long)mysql_insert_id(conn);
}

/* The driver table, found by the core as db_<scheme>_bind. */
int db_mysql_bind(struct db_driver *drv);

int
db_mysql_bind(struct db_driver *drv)
{
	drv->name = "db_mysql";
	drv->open = my_open;
	drv->close = my_close;
	drv->exec = my_exec;
	drv->last_id = my_last_id;
	return 0;
}

static int
my_mod_init(void)
{
	if (mysql_library_init(0, NULL, NULL) != 0)
		return -1;
	return 0;
}

static const struct param_export params[] = {
	{ "timeout_interval", PARAM_UINT, &my_timeout },
	{ 0 },
};

__attribute__((visibility("protected")))
const struct module_exports exports = {
	.abi = MODULE_ABI,
	.name = "db_mysql",
	.params = params,
	.init = my_mod_init,
};

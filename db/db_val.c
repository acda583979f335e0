/*
 * db_val.c: the pure parts of the DB API (db.h): db_url parsing, names,
 * typed values, results and the SQL text with ? placeholders.  Nothing
 * here logs or talks to a database.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "mem/pkg.h"

static char db_empty[1];

/* ---- db_url -------------------------------------------------------------- */

static int
db_url_err(char *err, int errlen, const char *why)
{
	(void)snprintf(err, (size_t)errlen, "%s", why);
	return -1;
}

/* Copy <len> bytes of <s> into <dst> of <size>.  0, or -1 when too long. */
static int
db_url_copy(char *dst, int size, const char *s, size_t len)
{
	if (len >= (size_t)size)
		return -1;
	memcpy(dst, s, len);
	dst[len] = '\0';
	return 0;
}

static int
db_url_server(const char *p, struct db_url *u, char *err, int errlen)
{
	const char *at, *slash, *colon, *hp;
	char *end;
	long port;

	/* user[:pass]@ ; the password may hold '@', the last one ends it */
	if ((slash = strchr(p, '/')) == NULL)
		return db_url_err(err, errlen, "no /database at the end "
		    "(mysql://user:password@host[:port]/database)");
	at = NULL;
	for (hp = p; *hp != '\0'; hp++)
		if (*hp == '@')
			at = hp;
	if (at == NULL)
		return db_url_err(err, errlen, "no user@ "
		    "(mysql://user:password@host[:port]/database)");
	colon = memchr(p, ':', (size_t)(at - p));
	if (db_url_copy(u->user, sizeof(u->user), p, (size_t)((colon != NULL
	    ? colon : at) - p)) == -1 || u->user[0] == '\0')
		return db_url_err(err, errlen, "user name empty or too long");
	if (colon != NULL && db_url_copy(u->pass, sizeof(u->pass), colon + 1,
	    (size_t)(at - colon - 1)) == -1)
		return db_url_err(err, errlen, "password too long");
	hp = at + 1;
	if (strncmp(hp, "unix(", 5) == 0) {
		const char *close = strchr(hp, ')');

		if (close == NULL || close[1] != '/' || hp[5] != '/'
		    || db_url_copy(u->socket, sizeof(u->socket), hp + 5,
		    (size_t)(close - hp - 5)) == -1)
			return db_url_err(err, errlen, "bad socket form: "
			    "use unix(/absolute/path/to/socket)");
		slash = close + 1;
	} else {
		if ((slash = strchr(hp, '/')) == NULL)
			return db_url_err(err, errlen, "no /database");
		colon = memchr(hp, ':', (size_t)(slash - hp));
		if (db_url_copy(u->host, sizeof(u->host), hp, (size_t)((colon
		    != NULL ? colon : slash) - hp)) == -1 || u->host[0] == '\0')
			return db_url_err(err, errlen, "host empty or too long");
		if (colon != NULL) {
			port = strtol(colon + 1, &end, 10);
			if (end != slash || colon + 1 == slash || port < 1
			    || port > 65535)
				return db_url_err(err, errlen, "bad port: "
				    "a number 1..65535");
			u->port = (unsigned short)port;
		}
	}
	if (db_url_copy(u->database, sizeof(u->database), slash + 1,
	    strlen(slash + 1)) == -1 || !db_ident_ok(u->database))
		return db_url_err(err, errlen, "bad database name: letters, "
		    "digits and _ only");
	return 0;
}

int
db_url_parse(const char *s, struct db_url *u, char *err, int errlen)
{
	const char *p;

	memset(u, 0, sizeof(*u));
	if (s == NULL || (p = strstr(s, "://")) == NULL || p == s)
		return db_url_err(err, errlen, "no scheme:// (sqlite:///path "
		    "or mysql://user:password@host/database)");
	if (strlen(s) >= DB_URL_MAX)
		return db_url_err(err, errlen, "too long");
	if (db_url_copy(u->scheme, sizeof(u->scheme), s, (size_t)(p - s))
	    == -1 || !db_ident_ok(u->scheme))
		return db_url_err(err, errlen, "bad scheme");
	p += 3;
	if (strcmp(u->scheme, "sqlite") == 0) {
		if (*p != '/' || p[1] == '\0')
			return db_url_err(err, errlen, "sqlite needs an absolute "
			    "file path: sqlite:///var/lib/openser/openser.db");
		if (db_url_copy(u->database, sizeof(u->database), p,
		    strlen(p)) == -1)
			return db_url_err(err, errlen, "path too long");
		return 0;
	}
	return db_url_server(p, u, err, errlen);
}

const char *
db_url_hide(const char *s, char *buf, int size)
{
	const char *p, *at = NULL, *colon, *q;

	if (s == NULL)
		s = "(none)";
	if ((p = strstr(s, "://")) != NULL) {
		p += 3;
		for (q = p; *q != '\0' && !(*q == '/' && at != NULL); q++)
			if (*q == '@')
				at = q;
	}
	if (p == NULL || at == NULL
	    || (colon = memchr(p, ':', (size_t)(at - p))) == NULL) {
		(void)snprintf(buf, (size_t)size, "%s", s);
		return buf;
	}
	(void)snprintf(buf, (size_t)size, "%.*s:***%s", (int)(colon - s), s, at);
	return buf;
}

int
db_ident_ok(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0' || isdigit((unsigned char)s[0]))
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (i >= DB_IDENT_MAX || !(isalnum((unsigned char)s[i])
		    || s[i] == '_') || (unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

int
db_op_ok(const char *op)
{
	static const char *const ops[] = { "=", "!=", "<>", "<", ">", "<=",
		">=" };
	size_t i;

	for (i = 0; op != NULL && i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(op, ops[i]) == 0)
			return 1;
	return 0;
}

/* ---- values -------------------------------------------------------------- */

void
db_val_int(struct db_val *v, int i)
{
	memset(v, 0, sizeof(*v));
	v->type = DB_INT;
	v->v.i = i;
}

void
db_val_bigint(struct db_val *v, long long ll)
{
	memset(v, 0, sizeof(*v));
	v->type = DB_BIGINT;
	v->v.ll = ll;
}

void
db_val_double(struct db_val *v, double d)
{
	memset(v, 0, sizeof(*v));
	v->type = DB_DOUBLE;
	v->v.d = d;
}

void
db_val_string(struct db_val *v, const char *s)
{
	memset(v, 0, sizeof(*v));
	v->type = DB_STRING;
	v->v.string = s;
	v->nul = s == NULL;
}

void
db_val_str(struct db_val *v, const str *s)
{
	memset(v, 0, sizeof(*v));
	v->type = DB_STR;
	v->v.s = *s;
	if (v->v.s.s == NULL) {
		v->v.s.s = db_empty;
		v->v.s.len = 0;
	}
}

void
db_val_blob(struct db_val *v, const str *s)
{
	db_val_str(v, s);
	v->type = DB_BLOB;
}

void
db_val_time(struct db_val *v, time_t t)
{
	memset(v, 0, sizeof(*v));
	v->type = DB_DATETIME;
	v->v.t = t;
}

void
db_val_null(struct db_val *v, enum db_type type)
{
	memset(v, 0, sizeof(*v));
	v->type = type;
	v->nul = 1;
}

int
db_val_get_ll(const struct db_val *v, long long *out)
{
	char tmp[32], *end;
	str s;

	if (v->nul)
		return -1;
	switch (v->type) {
	case DB_INT:
		*out = v->v.i;
		return 0;
	case DB_BIGINT:
		*out = v->v.ll;
		return 0;
	case DB_DOUBLE:
		*out = (long long)v->v.d;
		return 0;
	case DB_DATETIME:
		*out = (long long)v->v.t;
		return 0;
	default:
		if (db_val_get_str(v, &s) == -1 || s.len == 0
		    || s.len >= (int)sizeof(tmp))
			return -1;
		memcpy(tmp, s.s, (size_t)s.len);
		tmp[s.len] = '\0';
		*out = strtoll(tmp, &end, 10);
		return *end == '\0' ? 0 : -1;
	}
}

int
db_val_get_str(const struct db_val *v, str *out)
{
	if (v->nul) {
		out->s = db_empty;
		out->len = 0;
		return 0;
	}
	switch (v->type) {
	case DB_STRING:
		out->s = (char *)(uintptr_t)v->v.string;
		out->len = (int)strlen(v->v.string);
		return 0;
	case DB_STR:
	case DB_BLOB:
		*out = v->v.s;
		return 0;
	default:
		return -1;
	}
}

int
db_val_get_time(const struct db_val *v, time_t *out)
{
	long long ll;
	str s;

	if (v->nul)
		return -1;
	if (v->type == DB_DATETIME) {
		*out = v->v.t;
		return 0;
	}
	if (db_val_get_str(v, &s) == 0 && db_time_parse(s.s, s.len, out) == 0)
		return 0;
	if (db_val_get_ll(v, &ll) == -1)
		return -1;
	*out = (time_t)ll;
	return 0;
}

void
db_time_str(time_t t, char *buf)
{
	char tmp[64];
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 > 9999
	    || tm.tm_year + 1900 < 1) {
		memcpy(buf, "1970-01-01 00:00:00", 20);
		return;
	}
	(void)snprintf(tmp, sizeof(tmp), "%04d-%02d-%02d %02d:%02d:%02d",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
	memcpy(buf, tmp, 19);
	buf[19] = '\0';
}

int
db_time_parse(const char *s, int len, time_t *out)
{
	struct tm tm;
	char tmp[20];
	int i;

	if (len != 19)
		return -1;
	for (i = 0; i < 19; i++) {
		if (i == 4 || i == 7 ? s[i] != '-' : i == 10 ? s[i] != ' '
		    : i == 13 || i == 16 ? s[i] != ':'
		    : !isdigit((unsigned char)s[i]))
			return -1;
	}
	memcpy(tmp, s, 19);
	tmp[19] = '\0';
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = atoi(tmp) - 1900;
	tm.tm_mon = atoi(tmp + 5) - 1;
	tm.tm_mday = atoi(tmp + 8);
	tm.tm_hour = atoi(tmp + 11);
	tm.tm_min = atoi(tmp + 14);
	tm.tm_sec = atoi(tmp + 17);
	if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31
	    || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	*out = timegm(&tm);
	return 0;
}

/* ---- results ------------------------------------------------------------- */

struct db_res *
db_res_new(int nrows, int ncols)
{
	struct db_res *r;
	int i;

	if (nrows < 0 || ncols < 0 || (r = pkg_zalloc(sizeof(*r))) == NULL)
		return NULL;
	r->nrows = nrows;
	r->ncols = ncols;
	if (nrows * ncols > 0 && (r->vals = pkg_zalloc((size_t)nrows
	    * (size_t)ncols * sizeof(*r->vals))) == NULL) {
		pkg_free(r);
		return NULL;
	}
	for (i = 0; i < nrows * ncols; i++)
		r->vals[i].nul = 1;
	return r;
}

int
db_res_set_bytes(struct db_val *v, enum db_type type, const char *s, int len)
{
	char *p;

	if ((p = pkg_malloc((size_t)len + 1)) == NULL)
		return -1;
	if (len > 0)
		memcpy(p, s, (size_t)len);
	p[len] = '\0';
	memset(v, 0, sizeof(*v));
	v->type = type == DB_BLOB ? DB_BLOB : DB_STR;
	v->v.s.s = p;
	v->v.s.len = len;
	return 0;
}

void
db_res_free(struct db_res *res)
{
	int i;

	if (res == NULL)
		return;
	for (i = 0; i < res->nrows * res->ncols; i++)
		if (!res->vals[i].nul && (res->vals[i].type == DB_STR
		    || res->vals[i].type == DB_BLOB))
			pkg_free(res->vals[i].v.s.s);
	pkg_free(res->vals);
	pkg_free(res);
}

/* ---- SQL text ------------------------------------------------------------ */

struct db_sql {
	char *buf;
	int size, len, bad;
};

static void
db_sql_add(struct db_sql *q, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
db_sql_add(struct db_sql *q, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (q->bad)
		return;
	va_start(ap, fmt);
	n = vsnprintf(q->buf + q->len, (size_t)(q->size - q->len), fmt, ap);
	va_end(ap);
	if (n < 0 || n >= q->size - q->len)
		q->bad = 1;
	else
		q->len += n;
}

/* `name`, after checking it */
static void
db_sql_ident(struct db_sql *q, const char *name)
{
	if (!db_ident_ok(name))
		q->bad = 1;
	else
		db_sql_add(q, "`%s`", name);
}

static void
db_sql_where(struct db_sql *q, const char *const *keys,
    const char *const *ops, int n)
{
	int i;

	if (n < 0 || n > DB_MAX_COLS)
		q->bad = 1;
	for (i = 0; i < n; i++) {
		const char *op = ops != NULL && ops[i] != NULL ? ops[i] : "=";

		if (!db_op_ok(op))
			q->bad = 1;
		db_sql_add(q, i == 0 ? " WHERE " : " AND ");
		db_sql_ident(q, keys[i]);
		db_sql_add(q, "%s?", op);
	}
}

static int
db_sql_end(struct db_sql *q)
{
	return q->bad ? -1 : q->len;
}

int
db_sql_select(char *buf, int size, const char *table,
    const char *const *keys, const char *const *ops, int n,
    const char *const *cols, int nc, const char *order)
{
	struct db_sql q = { buf, size, 0, 0 };
	int i;

	db_sql_add(&q, "SELECT ");
	if (nc < 0 || nc > DB_MAX_COLS)
		q.bad = 1;
	for (i = 0; i < nc; i++) {
		if (i > 0)
			db_sql_add(&q, ",");
		db_sql_ident(&q, cols[i]);
	}
	if (nc == 0)
		db_sql_add(&q, "*");
	db_sql_add(&q, " FROM ");
	db_sql_ident(&q, table);
	db_sql_where(&q, keys, ops, n);
	if (order != NULL) {
		db_sql_add(&q, " ORDER BY ");
		db_sql_ident(&q, order);
	}
	return db_sql_end(&q);
}

int
db_sql_insert(char *buf, int size, const char *verb, const char *table,
    const char *const *keys, int n)
{
	struct db_sql q = { buf, size, 0, 0 };
	int i;

	if (n < 1 || n > DB_MAX_COLS)
		return -1;
	db_sql_add(&q, "%s INTO ", verb);
	db_sql_ident(&q, table);
	db_sql_add(&q, " (");
	for (i = 0; i < n; i++) {
		if (i > 0)
			db_sql_add(&q, ",");
		db_sql_ident(&q, keys[i]);
	}
	db_sql_add(&q, ") VALUES (");
	for (i = 0; i < n; i++)
		db_sql_add(&q, i > 0 ? ",?" : "?");
	db_sql_add(&q, ")");
	return db_sql_end(&q);
}

int
db_sql_update(char *buf, int size, const char *table,
    const char *const *keys, const char *const *ops, int n,
    const char *const *ukeys, int un)
{
	struct db_sql q = { buf, size, 0, 0 };
	int i;

	if (un < 1 || un > DB_MAX_COLS)
		return -1;
	db_sql_add(&q, "UPDATE ");
	db_sql_ident(&q, table);
	db_sql_add(&q, " SET ");
	for (i = 0; i < un; i++) {
		if (i > 0)
			db_sql_add(&q, ",");
		db_sql_ident(&q, ukeys[i]);
		db_sql_add(&q, "=?");
	}
	db_sql_where(&q, keys, ops, n);
	return db_sql_end(&q);
}

int
db_sql_delete(char *buf, int size, const char *table,
    const char *const *keys, const char *const *ops, int n)
{
	struct db_sql q = { buf, size, 0, 0 };

	db_sql_add(&q, "DELETE FROM ");
	db_sql_ident(&q, table);
	db_sql_where(&q, keys, ops, n);
	return db_sql_end(&q);
}

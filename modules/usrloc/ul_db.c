/*
 * ul_db.c: usrloc's database side (db_mode 1, 2, 3).  One row per
 * contact in the table named like the usrloc table ("location"), keyed by
 * (username, domain, contact); column names are module parameters with
 * the OpenSER 1.x names.  Each process opens its own connection on first
 * use (child_init); the attendant opens one only to check the schema and
 * load the table before fork, and closes it.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "db/db.h"
#include "lib/log.h"
#include "mem/shm.h"
#include "modules/usrloc/ul_table.h"
#include "net/socket_info.h"
#include "script/sr_module.h"

#define UL_TABLE_VERSION 2	/* scripts/<engine>/location.sql */
#define UL_PERMANENT_EXPIRES ((time_t)253402300799LL) /* 9999-12-31 */

int ul_db_mode;
int ul_db_error;
char *ul_db_url;

/* the 1.x column parameters (config strings replace the defaults) */
static char ul_def_user[] = "username";
static char ul_def_domain[] = "domain";
static char ul_def_contact[] = "contact";
static char ul_def_expires[] = "expires";
static char ul_def_q[] = "q";
static char ul_def_callid[] = "callid";
static char ul_def_cseq[] = "cseq";
static char ul_def_flags[] = "flags";
static char ul_def_cflags[] = "cflags";
static char ul_def_user_agent[] = "user_agent";
static char ul_def_received[] = "received";
static char ul_def_path[] = "path";
static char ul_def_socket[] = "socket";
static char ul_def_methods[] = "methods";
static char ul_def_last_mod[] = "last_modified";
char *ul_col_user = ul_def_user;
char *ul_col_domain = ul_def_domain;
char *ul_col_contact = ul_def_contact;
char *ul_col_expires = ul_def_expires;
char *ul_col_q = ul_def_q;
char *ul_col_callid = ul_def_callid;
char *ul_col_cseq = ul_def_cseq;
char *ul_col_flags = ul_def_flags;
char *ul_col_cflags = ul_def_cflags;
char *ul_col_user_agent = ul_def_user_agent;
char *ul_col_received = ul_def_received;
char *ul_col_path = ul_def_path;
char *ul_col_socket = ul_def_socket;
char *ul_col_methods = ul_def_methods;
char *ul_col_last_mod = ul_def_last_mod;

enum { C_USER = 0, C_DOMAIN, C_CONTACT, C_EXPIRES, C_Q, C_CALLID, C_CSEQ,
	C_FLAGS, C_CFLAGS, C_UA, C_RECEIVED, C_PATH, C_SOCKET, C_METHODS,
	C_LASTMOD, C_N };

static const char *ul_cols[C_N];
static struct db_func ul_dbf;
static struct db_con *ul_dbh;	/* this process's connection */
static char ul_url_hidden[DB_URL_MAX];

static void
ul_db_names(void)
{
	const char *c[C_N] = { ul_col_user, ul_col_domain, ul_col_contact,
		ul_col_expires, ul_col_q, ul_col_callid, ul_col_cseq,
		ul_col_flags, ul_col_cflags, ul_col_user_agent,
		ul_col_received, ul_col_path, ul_col_socket, ul_col_methods,
		ul_col_last_mod };

	memcpy(ul_cols, c, sizeof(c));
}

/*
 * Check the parameters and bind the driver.  Attendant, mod_init.
 * 0, or -1 after logging what to fix.
 */
int
ul_db_init(void)
{
	int i;

	if (ul_db_mode < 0 || ul_db_mode > 3) {
		LM_ERR("usrloc: db_mode %d: use 0 (memory), 1 (write-through), "
		    "2 (write-back) or 3 (database only)", ul_db_mode);
		return -1;
	}
	if (ul_db_mode == 0)
		return 0;
	if (ul_db_url == NULL || ul_db_url[0] == '\0') {
		LM_ERR("usrloc: db_mode %d needs a database: set "
		    "modparam(\"usrloc\", \"db_url\", \"sqlite:///var/lib/"
		    "openser/openser.db\")", ul_db_mode);
		return -1;
	}
	ul_db_names();
	for (i = 0; i < C_N; i++)
		if (!db_ident_ok(ul_cols[i])) {
			LM_ERR("usrloc: column name '%s' is not an identifier: "
			    "letters, digits and _ only", ul_cols[i]);
			return -1;
		}
	(void)db_url_hide(ul_db_url, ul_url_hidden, sizeof(ul_url_hidden));
	return db_bind_mod(ul_db_url, &ul_dbf);
}

/* Open this process's connection.  Each process after fork. */
int
ul_db_child_init(int rank)
{
	if (ul_db_mode == 0 || rank == PROC_TCP_MAIN || ul_dbh != NULL)
		return 0;
	ul_dbh = ul_dbf.init(ul_db_url);	/* NULL: retried on use */
	return 0;
}

/* This process's connection on <table>, or NULL (logged). */
static struct db_con *
ul_db_use(const struct ul_domain *d)
{
	if (ul_dbh == NULL && (ul_dbh = ul_dbf.init(ul_db_url)) == NULL)
		return NULL;
	if (ul_dbf.use_table(ul_dbh, ul_domain_name(d)) == -1)
		return NULL;
	return ul_dbh;
}

/* Split AoR key <aor> into username and domain ("" without use_domain). */
static void
ul_db_split(const str *aor, str *user, str *domain)
{
	int i;

	*user = *aor;
	domain->s = aor->s + aor->len;
	domain->len = 0;
	if (!ul_use_domain)
		return;
	for (i = aor->len - 1; i >= 0; i--)
		if (aor->s[i] == '@') {
			user->len = i;
			domain->s = aor->s + i + 1;
			domain->len = aor->len - i - 1;
			return;
		}
}

static int
ul_db_fail(void)
{
	ul_db_error = 1;
	return -1;
}

/*
 * Write contact <c> of <aor> to the table of <d>: update the row, or
 * insert it when there is none.  0, or -1 (ul_db_error set).  Any
 * process, under the AoR's lock.
 */
int
ul_db_store(struct ul_domain *d, const str *aor, const struct ul_contact *c)
{
	const char *keys[3] = { ul_cols[C_USER], ul_cols[C_DOMAIN],
		ul_cols[C_CONTACT] };
	struct db_val kv[3], v[C_N];
	struct db_con *h;
	str user, domain, sock = STR_NULL;
	int n;

	if ((h = ul_db_use(d)) == NULL)
		return ul_db_fail();
	ul_db_split(aor, &user, &domain);
	db_val_str(&kv[0], &user);
	db_val_str(&kv[1], &domain);
	db_val_str(&kv[2], &c->c);
	memcpy(v, kv, sizeof(kv));
	db_val_time(&v[C_EXPIRES], (c->flags & UL_FL_PERMANENT)
	    ? UL_PERMANENT_EXPIRES : c->expires);
	db_val_double(&v[C_Q], c->q < 0 ? -1.0 : c->q / 1000.0);
	db_val_str(&v[C_CALLID], &c->callid);
	db_val_bigint(&v[C_CSEQ], c->cseq);
	db_val_bigint(&v[C_FLAGS], c->flags);
	db_val_bigint(&v[C_CFLAGS], 0);
	db_val_str(&v[C_UA], &c->user_agent);
	db_val_str(&v[C_RECEIVED], &c->received);
	db_val_str(&v[C_PATH], &c->path);
	if (c->sock != NULL)
		sock = c->sock->sock_str;
	db_val_str(&v[C_SOCKET], &sock);
	db_val_bigint(&v[C_METHODS], c->methods);
	db_val_time(&v[C_LASTMOD], c->last_modified);
	n = ul_dbf.update(h, keys, NULL, kv, ul_cols + 3, v + 3, 3, C_N - 3);
	if (n == 0)
		n = ul_dbf.insert(h, ul_cols, v, C_N) == 0 ? 1 : -1;
	return n < 0 ? ul_db_fail() : 0;
}

/* Remove contact <c> of <aor>, or every contact of <aor> when <c> is
 * NULL.  0, or -1 (ul_db_error set). */
int
ul_db_delete(struct ul_domain *d, const str *aor, const str *c)
{
	const char *keys[3] = { ul_cols[C_USER], ul_cols[C_DOMAIN],
		ul_cols[C_CONTACT] };
	struct db_val kv[3];
	struct db_con *h;
	str user, domain;

	if ((h = ul_db_use(d)) == NULL)
		return ul_db_fail();
	ul_db_split(aor, &user, &domain);
	db_val_str(&kv[0], &user);
	db_val_str(&kv[1], &domain);
	if (c != NULL)
		db_val_str(&kv[2], c);
	return ul_dbf.delete(h, keys, NULL, kv, c != NULL ? 3 : 2) < 0
	    ? ul_db_fail() : 0;
}

/* Remove the rows of <d> that expired before <now>.  Timer process. */
int
ul_db_expire(struct ul_domain *d, time_t now)
{
	const char *keys[1] = { ul_cols[C_EXPIRES] };
	const char *ops[1] = { "<" };
	struct db_val kv[1];
	struct db_con *h;

	if ((h = ul_db_use(d)) == NULL)
		return -1;
	db_val_time(&kv[0], now);
	return ul_dbf.delete(h, keys, ops, kv, 1);
}

static struct socket_info *
ul_db_socket(const str *s)
{
	struct socket_info *si;

	for (si = sock_list; s->len > 0 && si != NULL; si = si->next)
		if (str_eq(&si->sock_str, s))
			return si;
	return NULL;
}

/*
 * Add row <row> of <res> (columns in ul_cols order) to the memory table
 * <d>, under the AoR's lock held by the caller when <locked>.  0, or -1
 * (out of shm, logged).
 */
static int
ul_db_row(struct ul_domain *d, struct db_res *res, int row, int locked,
    time_t now)
{
	struct ul_info ci;
	struct ul_record *r;
	struct ul_contact *uc;
	char buf[512];
	str user, domain, c, aor, sock;
	long long ll;
	time_t t;
	int rc = 0;

	memset(&ci, 0, sizeof(ci));
	(void)db_val_get_str(DB_RES_VAL(res, row, C_USER), &user);
	(void)db_val_get_str(DB_RES_VAL(res, row, C_DOMAIN), &domain);
	(void)db_val_get_str(DB_RES_VAL(res, row, C_CONTACT), &c);
	if (db_val_get_time(DB_RES_VAL(res, row, C_EXPIRES), &t) == -1)
		t = 0;
	if (t >= UL_PERMANENT_EXPIRES)
		ci.flags |= UL_FL_PERMANENT;
	else if (t <= now)
		return 0;
	ci.expires = t;
	ci.q = UL_Q_NONE;
	if (!DB_RES_VAL(res, row, C_Q)->nul
	    && DB_RES_VAL(res, row, C_Q)->type == DB_DOUBLE
	    && DB_RES_VAL(res, row, C_Q)->v.d >= 0)
		ci.q = (int)(DB_RES_VAL(res, row, C_Q)->v.d * 1000 + 0.5);
	(void)db_val_get_str(DB_RES_VAL(res, row, C_CALLID), &ci.callid);
	if (db_val_get_ll(DB_RES_VAL(res, row, C_CSEQ), &ll) == 0)
		ci.cseq = (unsigned int)ll;
	if (db_val_get_ll(DB_RES_VAL(res, row, C_FLAGS), &ll) == 0)
		ci.flags |= (unsigned int)ll;
	(void)db_val_get_str(DB_RES_VAL(res, row, C_UA), &ci.user_agent);
	(void)db_val_get_str(DB_RES_VAL(res, row, C_RECEIVED), &ci.received);
	(void)db_val_get_str(DB_RES_VAL(res, row, C_PATH), &ci.path);
	(void)db_val_get_str(DB_RES_VAL(res, row, C_SOCKET), &sock);
	if ((ci.sock = ul_db_socket(&sock)) != NULL)
		ci.proto = ci.sock->proto;
	if (db_val_get_ll(DB_RES_VAL(res, row, C_METHODS), &ll) == 0)
		ci.methods = (unsigned int)ll;
	if (ul_aor_normalize(&user, &domain, buf, sizeof(buf), &aor) == -1) {
		LM_WARN("usrloc %s: db_url %s: AoR '%.*s' too long, skipped",
		    ul_domain_name(d), ul_url_hidden, STR_FMT(&user));
		return 0;
	}
	if (!locked)
		ul_lock(d, &aor);
	if ((r = ul_get_record_mem_locked(d, &aor)) == NULL
	    && (r = ul_insert_record_locked(d, &aor)) == NULL)
		rc = -1;
	else if (ul_get_contact_locked(r, &c) == NULL
	    && (uc = ul_add_contact_mem_locked(r, &c, &ci)) == NULL)
		rc = -1;
	if (!locked)
		ul_unlock(d, &aor);
	return rc;
}

/*
 * Check the schema version of table <d> and, in db_mode 1 and 2, load
 * its rows.  Attendant, before fork (a registrar fixup): the connection
 * is closed before returning.  0, or -1 after logging what to do.
 */
int
ul_db_table_start(struct ul_domain *d)
{
	const char *vk[1] = { "table_name" }, *vc[1] = { "table_version" };
	struct db_val kv[1];
	struct db_res *res = NULL;
	struct db_con *h;
	long long ver = -1;
	int i, rc = -1, n = 0;
	time_t now = time(NULL);

	if ((h = ul_dbf.init(ul_db_url)) == NULL) {
		LM_ERR("usrloc %s: db_url %s: the database is missing or "
		    "unreachable; create it with 'openserdbctl create' and "
		    "check db_url", ul_domain_name(d), ul_url_hidden);
		return -1;
	}
	db_val_string(&kv[0], ul_domain_name(d));
	if (ul_dbf.use_table(h, "version") == -1 || ul_dbf.query(h, vk, NULL,
	    kv, vc, 1, 1, NULL, &res) == -1 || res == NULL || res->nrows != 1
	    || db_val_get_ll(DB_RES_VAL(res, 0, 0), &ver) == -1
	    || ver != UL_TABLE_VERSION) {
		LM_ERR("usrloc %s: db_url %s: table '%s' has schema version "
		    "%lld, this openser needs %d; run 'openserdbctl migrate' "
		    "(or 'openserdbctl create' on a new database)",
		    ul_domain_name(d), ul_url_hidden, ul_domain_name(d), ver,
		    UL_TABLE_VERSION);
		goto done;
	}
	ul_dbf.free_result(h, res);
	res = NULL;
	if (ul_db_mode == 1 || ul_db_mode == 2) {
		if (ul_dbf.use_table(h, ul_domain_name(d)) == -1
		    || ul_dbf.query(h, NULL, NULL, NULL, ul_cols, 0, C_N, NULL,
		    &res) == -1) {
			LM_ERR("usrloc %s: db_url %s: cannot load the table",
			    ul_domain_name(d), ul_url_hidden);
			goto done;
		}
		for (i = 0; res != NULL && i < res->nrows; i++) {
			if (ul_db_row(d, res, i, 0, now) == -1)
				goto done;
			n++;
		}
		LM_NOTICE("usrloc %s: loaded %d contact%s from %s",
		    ul_domain_name(d), n, n == 1 ? "" : "s", ul_url_hidden);
	}
	rc = 0;
done:
	ul_dbf.free_result(h, res);
	ul_dbf.close(h);
	return rc;
}

/*
 * db_mode 3: make record <aor> of <d> in memory what the database holds.
 * 0, or -1 (ul_db_error set; the memory record is left as it was).  AoR
 * lock held.
 */
int
ul_db_refresh_locked(struct ul_domain *d, const str *aor)
{
	const char *keys[2] = { ul_cols[C_USER], ul_cols[C_DOMAIN] };
	struct db_val kv[2];
	struct db_res *res = NULL;
	struct db_con *h;
	struct ul_record *r;
	str user, domain;
	time_t now = time(NULL);
	int i, rc = 0;

	if ((h = ul_db_use(d)) == NULL)
		return ul_db_fail();
	ul_db_split(aor, &user, &domain);
	db_val_str(&kv[0], &user);
	db_val_str(&kv[1], &domain);
	if (ul_dbf.query(h, keys, NULL, kv, ul_cols, 2, C_N, NULL, &res) == -1)
		return ul_db_fail();
	if ((r = ul_get_record_mem_locked(d, aor)) != NULL)
		ul_drop_record_mem_locked(d, r);
	for (i = 0; res != NULL && i < res->nrows && rc == 0; i++)
		rc = ul_db_row(d, res, i, 1, now);
	ul_dbf.free_result(h, res);
	return rc;
}

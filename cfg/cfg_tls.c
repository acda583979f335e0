/*
 * cfg_tls.c: the TLS part of openser.cfg: tls_* globals, disable_tls,
 * tls_server_domain[...] / tls_client_domain[...] blocks and listen=tls:.
 * Without TLS=1 each of them is the error "TLS support is not compiled
 * in" at its position (a config meant for TLS must not silently run
 * without it).  This file and the keyword table are the only places that
 * know whether TLS is built in.
 *
 * With TLS=1 the values are checked against the table in tls/tls_config.c
 * and stored in the default domains (globals) or in the domain of the
 * block.  Only the syntax and the values are checked here: certificate,
 * key and CA files are read by init_tls(), which `openser -c` does not
 * run, so a config can be checked on a machine without its key material.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg/cfg_ctx.h"
#include "tls/tls_config.h"

#define TLS_MISSING "TLS support is not compiled in; rebuild with TLS=1"

int
cfg_tls_is_keyword(const char *name)
{
	return strncmp(name, "tls_", 4) == 0 || strcmp(name, "disable_tls") == 0;
}

#ifdef USE_TLS

#include <openssl/ssl.h>

#include "tls/tls_domain.h"

/* The tls_*_domain block being parsed. */
static struct {
	int active;
	int server;
	struct tls_domain *td;		/* NULL when its head was refused */
	int nparams;
	char head[300];			/* "tls_server_domain[...]" */
} cur;

#define BLOCK_NAME(server)                                            \
	((server) ? "tls_server_domain" : "tls_client_domain")

/* The value as written, for messages. */
static const char *
val_text(const struct route_val *v, char *buf, size_t size)
{
	if (v->type == RVAL_NUM)
		(void)snprintf(buf, size, "%ld", v->num);
	else if (v->type == RVAL_STR)
		(void)snprintf(buf, size, "\"%s\"", v->s);
	else
		(void)snprintf(buf, size, "%s", v->s != NULL ? v->s : "");
	return buf;
}

static void
val_loc(const struct route_val *v, struct cfg_loc *loc)
{
	loc->first_line = loc->last_line = v->pos.line;
	loc->first_column = loc->last_column = v->pos.col;
}

/* "a, b, c": the parameters whose `where` has a bit of <mask>. */
static const char *
param_names(int mask, char *buf, size_t size)
{
	const struct tls_param *p;
	size_t len = 0;
	int i, n;

	buf[0] = '\0';
	p = tls_param_table(&n);
	for (i = 0; i < n && len < size; i++)
		if (p[i].where & mask)
			len += (size_t)snprintf(buf + len, size - len, "%s%s",
			    len > 0 ? ", " : "", p[i].name);
	return buf;
}

static int
defaults_ready(void)
{
	/* pre_init_tls() makes them; a unit test may parse without it */
	return tls_domain_default(TLS_DOMAIN_SRV) != NULL
	    || tls_domain_defaults_init() == 0;
}

/*
 * Check <v> against row <p>; on success <*num> / <*s> hold what to store.
 * Errors are at the value and name the parameter, the value and what is
 * allowed.  0 or -1.
 */
static int
check_value(struct cfg_ctx *cx, const struct tls_param *p,
    const struct route_val *v, long *num, const char **s)
{
	int b, lo, hi, insecure;
	char buf[300], err[300];
	struct cfg_loc loc;

	val_loc(v, &loc);
	*num = 0;
	*s = NULL;
	switch (p->type) {
	case TLS_PARAM_INT:
		if (v->type != RVAL_NUM) {
			cfg_error(cx, &loc, "%s: expects a number (%ld..%ld), "
			    "not %s", p->name, p->min, p->max,
			    val_text(v, buf, sizeof(buf)));
			return -1;
		}
		if (v->num < p->min || v->num > p->max) {
			cfg_error(cx, &loc, "%s: %ld is out of range (%ld..%ld)",
			    p->name, v->num, p->min, p->max);
			return -1;
		}
		*num = v->num;
		return 0;
	case TLS_PARAM_BOOL:
		if (cfg_val_bool(v, &b) == -1) {
			cfg_error(cx, &loc, "%s: %s is not a boolean (use yes/no, "
			    "on/off, true/false or 1/0)", p->name,
			    val_text(v, buf, sizeof(buf)));
			return -1;
		}
		*num = b;
		return 0;
	case TLS_PARAM_STR:
		if (v->type != RVAL_STR) {
			cfg_error(cx, &loc, "%s: expects a quoted string, not %s",
			    p->name, val_text(v, buf, sizeof(buf)));
			return -1;
		}
		*s = v->s;
		return 0;
	case TLS_PARAM_METHOD:
		if (v->type == RVAL_NUM
		    || tls_method_parse(v->s, &lo, &hi, &insecure, err,
			(int)sizeof(err)) == -1) {
			if (v->type == RVAL_NUM)
				(void)snprintf(err, sizeof(err), "%ld is not a "
				    "TLS method (use SSLv23, TLSv1_2, TLSv1_3 or "
				    "a range such as TLSv1_2-TLSv1_3)", v->num);
			cfg_error(cx, &loc, "%s: %s", p->name, err);
			return -1;
		}
		if (insecure)
			cfg_notice(cx, &loc, "%s: %s allows %s, which is "
			    "INSECURE (RFC 8996) and needs OpenSSL's security "
			    "level 0; use SSLv23 or TLSv1_2 unless a legacy peer "
			    "needs it", p->name, v->s,
			    lo == TLS1_VERSION ? "TLS 1.0" : "TLS 1.1");
		*s = v->s;
		return 0;
	}
	return -1;
}

/* Old spellings: OpenSER 1.0 names and the tls_log lexer accident. */
static int
compat_global(struct cfg_ctx *cx, const struct cfg_loc *loc, char *name,
    struct route_val *v)
{
	const char *now[2] = { NULL, NULL };
	struct route_val copy;
	int i;

	if (strcmp(name, "tls_log") == 0) {
		cfg_notice(cx, loc, "tls_log is ignored (OpenSER 1.x never used "
		    "it); TLS messages follow debug/log_level");
		free(name);
		route_val_clear(v);
		return 1;
	}
	if (strcmp(name, "tls_verify") == 0) {
		now[0] = "tls_verify_client";
		now[1] = "tls_verify_server";
	} else if (strcmp(name, "tls_require_certificate") == 0) {
		now[0] = "tls_require_client_certificate";
	} else {
		return 0;
	}
	cfg_notice(cx, loc, "%s is the OpenSER 1.0 name; it sets %s%s%s", name,
	    now[0], now[1] != NULL ? " and " : "", now[1] != NULL ? now[1] : "");
	free(name);
	for (i = 0; i < 2 && now[i] != NULL; i++) {
		copy = *v;
		if (v->s != NULL)
			copy.s = cfg_strdup(v->s);
		cfg_tls_global(cx, loc, cfg_strdup(now[i]), &copy);
	}
	route_val_clear(v);
	return 1;
}

/*
 * A global tls_* parameter or disable_tls: check it, store it (domain
 * parameters go to the default domains) and keep it for cfg_print().
 * Takes <name> and <v>.
 */
void
cfg_tls_global(struct cfg_ctx *cx, const struct cfg_loc *loc, char *name,
    struct route_val *v)
{
	const struct tls_param *p;
	struct cfg_item *it;
	struct cfg_loc vloc;
	char err[300] = "out of memory", names[1024];
	const char *s;
	long num;

	if (compat_global(cx, loc, name, v))
		return;
	if ((p = tls_param_find(name)) == NULL) {
		cfg_error(cx, loc, "unknown TLS parameter '%s' (TLS parameters: "
		    "%s)", name, param_names(TLS_PARAM_GLOBAL | TLS_PARAM_SRV
		    | TLS_PARAM_CLI, names, sizeof(names)));
		goto fail;
	}
	if (check_value(cx, p, v, &num, &s) == -1)
		goto fail;
	val_loc(v, &vloc);
	if (!defaults_ready()
	    || tls_param_set(p, NULL, num, s, err, (int)sizeof(err)) == -1) {
		cfg_error(cx, &vloc, "%s: %s", name, err);
		goto fail;
	}
	it = cfg_zalloc(sizeof(*it));
	it->kind = CFG_ITEM_GLOBAL;
	it->name = name;
	it->val = *v;
	cfg_item_add(cx, it);
	return;

fail:
	free(name);
	route_val_clear(v);
}

/*
 * tls_server_domain[ip:port] / tls_client_domain[ip:port] /
 * tls_client_domain["name"]: create the domain; the parameters that
 * follow go to it.  A hostname, a missing port or a duplicate is an error
 * (the block is still read, to report its own errors).  Takes <name>.
 */
void
cfg_tls_domain_begin(struct cfg_ctx *cx, const struct cfg_loc *loc,
    int server, struct route_val *name)
{
	struct tls_domain *dup;
	struct cfg_loc vloc;
	char err[400], buf[300];
	int type;

	memset(&cur, 0, sizeof(cur));
	cur.active = 1;
	cur.server = server;
	(void)snprintf(cur.head, sizeof(cur.head), "%s[%s]", BLOCK_NAME(server),
	    val_text(name, buf, sizeof(buf)));
	cx->tls_block = 1;
	val_loc(name, &vloc);
	type = server ? TLS_DOMAIN_SRV : TLS_DOMAIN_CLI;
	if (!server && name->type == RVAL_STR)
		type |= TLS_DOMAIN_NAME;
	if (name->type == RVAL_NUM) {
		cfg_error(cx, &vloc, "%s: expects ip:port%s", cur.head,
		    server ? "" : " or a quoted name");
	} else if (server && name->type == RVAL_STR) {
		cfg_error(cx, &vloc, "%s: a server domain is selected by the "
		    "local ip:port, not by name; write it unquoted, e.g. "
		    "tls_server_domain[10.0.0.1:5061]", cur.head);
	} else if (!defaults_ready()) {
		cfg_error(cx, &vloc, "%s: out of memory", cur.head);
	} else if ((cur.td = tls_domain_add(type, name->s, &dup, err,
	    (int)sizeof(err))) == NULL) {
		if (dup != NULL)
			cfg_error(cx, &vloc, "%s: duplicate domain; the first "
			    "one is at %s:%d:%d", cur.head, cx->file,
			    dup->cfg_line, dup->cfg_col);
		else
			cfg_error(cx, &vloc, "%s: %s%s", cur.head, err,
			    server || strstr(err, "hostname") == NULL ? ""
			    : "; a client domain chosen by name takes a quoted "
			      "name: tls_client_domain[\"name\"]");
	} else {
		cur.td->cfg_line = loc->first_line;
		cur.td->cfg_col = loc->first_column;
	}
	route_val_clear(name);
}

/* A parameter that cannot go in this kind of block: say where it goes. */
static void
misplaced(struct cfg_ctx *cx, const struct cfg_loc *loc,
    const struct tls_param *p, int server)
{
	if (p->where & TLS_PARAM_GLOBAL)
		cfg_error(cx, loc, "%s: not allowed in a %s block; it is a global "
		    "parameter (set it outside any block)", p->name,
		    BLOCK_NAME(server));
	else
		cfg_error(cx, loc, "%s: not allowed in a %s block; only "
		    "%s blocks (and the global setting) accept it", p->name,
		    BLOCK_NAME(server), BLOCK_NAME(!server));
}

/*
 * name = value inside the current block: the per-block parameter lists
 * of OpenSER 1.x (plus tls_ca_dir, tls_ciphersuites, tls_verify_depth).
 * Takes <name> and <v>.
 */
void
cfg_tls_domain_set(struct cfg_ctx *cx, const struct cfg_loc *loc, char *name,
    struct route_val *v)
{
	int mask = cur.server ? TLS_PARAM_SRV : TLS_PARAM_CLI;
	const struct tls_param *p;
	char err[300], names[1024];
	struct cfg_loc vloc;
	const char *s;
	long num;

	if (!cur.active)
		goto done;
	cur.nparams++;
	if ((p = tls_param_find(name)) == NULL) {
		cfg_error(cx, loc, "unknown parameter '%s' in a %s block (it "
		    "accepts: %s)", name, BLOCK_NAME(cur.server),
		    param_names(mask, names, sizeof(names)));
		goto done;
	}
	if (!(p->where & mask)) {
		misplaced(cx, loc, p, cur.server);
		goto done;
	}
	if (check_value(cx, p, v, &num, &s) == -1 || cur.td == NULL)
		goto done;
	val_loc(v, &vloc);
	if (tls_param_set(p, cur.td, num, s, err, (int)sizeof(err)) == -1)
		cfg_error(cx, &vloc, "%s: %s", name, err);
done:
	free(name);
	route_val_clear(v);
}

/* The closing brace: a block must set something. */
void
cfg_tls_domain_end(struct cfg_ctx *cx, const struct cfg_loc *loc)
{
	if (cur.active && cur.nparams == 0)
		cfg_error(cx, loc, "%s: empty block; set at least one "
		    "parameter (e.g. tls_certificate and tls_private_key)",
		    cur.head);
	cur.active = 0;
	cx->tls_block = 0;
}

/* listen = tls:...: accepted; disable_tls and init_tls() decide. */
int
cfg_tls_listen(struct cfg_ctx *cx, const struct cfg_loc *loc)
{
	return 0;
}

static void
print_quoted(FILE *f, const char *s)
{
	(void)fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			(void)fputc('\\', f);
		(void)fputc(*s, f);
	}
	(void)fputc('"', f);
}

/* One parameter of virtual domain <td>, if its block set it. */
static void
print_param(FILE *f, const struct tls_param *p, const struct tls_domain *td)
{
	const void *field = (const char *)td + p->off;
	const char *sv;
	int n;

	switch (p->type) {
	case TLS_PARAM_METHOD:
		if (td->min_version == 0)
			return;
		(void)fprintf(f, "\t%s = %s", p->name,
		    tls_version_name(td->min_version));
		if (td->max_version != td->min_version)
			(void)fprintf(f, "-%s", tls_version_name(td->max_version));
		break;
	case TLS_PARAM_STR:
		if ((sv = *(char *const *)field) == NULL)
			return;
		(void)fprintf(f, "\t%s = ", p->name);
		print_quoted(f, sv);
		break;
	case TLS_PARAM_INT:
	case TLS_PARAM_BOOL:
		if ((n = *(const int *)field) == -1)
			return;
		(void)fprintf(f, "\t%s = %d", p->name, n);
		break;
	}
	(void)fputc('\n', f);
}

/*
 * Print every domain block of the last parse in canonical form: the head
 * with the normalised address (or the quoted name), then the parameters
 * the block set, in table order.  For `openser -c -v`, which does not run
 * init_tls(): after it, the inherited values would be printed too.  The
 * output parses again to the same domains.
 */
void
cfg_tls_print(FILE *f)
{
	const struct tls_domain *td;
	const struct tls_param *p;
	int i, n, mask;

	p = tls_param_table(&n);
	for (td = tls_domain_list(); td != NULL; td = td->next) {
		if (td->type & TLS_DOMAIN_DEF)
			continue;
		mask = (td->type & TLS_DOMAIN_SRV) ? TLS_PARAM_SRV
						   : TLS_PARAM_CLI;
		(void)fprintf(f, "\n%s[", BLOCK_NAME(mask == TLS_PARAM_SRV));
		if (td->type & TLS_DOMAIN_NAME)
			print_quoted(f, td->name);
		else
			(void)fputs(td->name, f);
		(void)fputs("] {\n", f);
		for (i = 0; i < n; i++)
			if (p[i].where & mask)
				print_param(f, &p[i], td);
		(void)fputs("}\n", f);
	}
}

#else

void
cfg_tls_global(struct cfg_ctx *cx, const struct cfg_loc *loc, char *name,
    struct route_val *v)
{
	cfg_error(cx, loc, "%s: " TLS_MISSING, name);
	free(name);
	route_val_clear(v);
}

void
cfg_tls_domain_begin(struct cfg_ctx *cx, const struct cfg_loc *loc,
    int server, struct route_val *name)
{
	cfg_error(cx, loc, "%s: " TLS_MISSING,
	    server ? "tls_server_domain" : "tls_client_domain");
	route_val_clear(name);
}

int
cfg_tls_listen(struct cfg_ctx *cx, const struct cfg_loc *loc)
{
	cfg_error(cx, loc, "listen: " TLS_MISSING);
	return -1;
}

/* Parameters inside a domain block: the block head reported already. */
void
cfg_tls_domain_set(struct cfg_ctx *cx, const struct cfg_loc *loc, char *name,
    struct route_val *v)
{
	free(name);
	route_val_clear(v);
}

void
cfg_tls_domain_end(struct cfg_ctx *cx, const struct cfg_loc *loc)
{
}

/* Nothing to print: every TLS statement was an error. */
void
cfg_tls_print(FILE *f)
{
}

#endif

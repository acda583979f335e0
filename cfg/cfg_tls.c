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

/* One parameter of a block, as written (for cfg_tls_print()). */
struct cfg_tls_set {
	char *name;
	struct route_val val;
	struct cfg_tls_set *next;
};

/* One tls_*_domain block, in file order. */
struct cfg_tls_block {
	int server;
	struct tls_domain *td;		/* NULL when its head was refused */
	struct cfg_loc loc;		/* of the keyword */
	char *head;			/* "tls_server_domain[...]" */
	int nparams;
	struct cfg_tls_set *params, **params_tail;
	struct cfg_tls_block *next;
};

static struct cfg_tls_block *blocks, **blocks_tail = &blocks;
static struct cfg_tls_block *cur;	/* the block being parsed */

#define BLOCK_NAME(server) ((server) ? "tls_server_domain" : "tls_client_domain")

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

/* The block with domain <td>, for "the first one is at ...". */
static const struct cfg_tls_block *
block_of(const struct tls_domain *td)
{
	const struct cfg_tls_block *b;

	for (b = blocks; b != NULL; b = b->next)
		if (b->td == td)
			return b;
	return NULL;
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
	const struct cfg_tls_block *first;
	struct cfg_tls_block *b;
	struct tls_domain *dup;
	struct cfg_loc vloc;
	char err[400], buf[300];
	int type;

	b = cfg_zalloc(sizeof(*b));
	b->server = server;
	b->loc = *loc;
	b->params_tail = &b->params;
	*blocks_tail = b;
	blocks_tail = &b->next;
	cur = b;
	cx->tls_block = 1;
	(void)snprintf(err, sizeof(err), "%s[%s]", BLOCK_NAME(server),
	    val_text(name, buf, sizeof(buf)));
	b->head = cfg_strdup(err);
	val_loc(name, &vloc);
	type = server ? TLS_DOMAIN_SRV : TLS_DOMAIN_CLI;
	if (!server && name->type == RVAL_STR)
		type |= TLS_DOMAIN_NAME;
	if (name->type == RVAL_NUM) {
		cfg_error(cx, &vloc, "%s[%s]: expects ip:port%s", BLOCK_NAME(server),
		    val_text(name, buf, sizeof(buf)),
		    server ? "" : " or a quoted name");
	} else if (server && name->type == RVAL_STR) {
		cfg_error(cx, &vloc, "tls_server_domain[%s]: a server domain is "
		    "selected by the local ip:port, not by name; write it "
		    "unquoted, e.g. tls_server_domain[10.0.0.1:5061]",
		    val_text(name, buf, sizeof(buf)));
	} else if (!defaults_ready()) {
		cfg_error(cx, &vloc, "%s: out of memory", BLOCK_NAME(server));
	} else if ((b->td = tls_domain_add(type, name->s, &dup, err,
	    (int)sizeof(err))) == NULL) {
		first = dup != NULL ? block_of(dup) : NULL;
		if (first != NULL)
			cfg_error(cx, &vloc, "%s[%s]: duplicate domain; the first "
			    "one is at %s:%d:%d", BLOCK_NAME(server),
			    val_text(name, buf, sizeof(buf)), cx->file,
			    first->loc.first_line, first->loc.first_column);
		else
			cfg_error(cx, &vloc, "%s[%s]: %s%s", BLOCK_NAME(server),
			    val_text(name, buf, sizeof(buf)), err,
			    server || strstr(err, "hostname") == NULL ? ""
			    : "; a client domain chosen by name takes a quoted "
			      "name: tls_client_domain[\"name\"]");
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
	int mask = cur != NULL && cur->server ? TLS_PARAM_SRV : TLS_PARAM_CLI;
	const struct tls_param *p;
	struct cfg_tls_set *set;
	char err[300], names[1024];
	struct cfg_loc vloc;
	const char *s;
	long num;

	if (cur == NULL)
		goto fail;
	cur->nparams++;
	if ((p = tls_param_find(name)) == NULL) {
		cfg_error(cx, loc, "unknown parameter '%s' in a %s block (it "
		    "accepts: %s)", name, BLOCK_NAME(cur->server),
		    param_names(mask, names, sizeof(names)));
		goto fail;
	}
	if (!(p->where & mask)) {
		misplaced(cx, loc, p, cur->server);
		goto fail;
	}
	if (check_value(cx, p, v, &num, &s) == -1 || cur->td == NULL)
		goto fail;
	val_loc(v, &vloc);
	if (tls_param_set(p, cur->td, num, s, err, (int)sizeof(err)) == -1) {
		cfg_error(cx, &vloc, "%s: %s", name, err);
		goto fail;
	}
	set = cfg_zalloc(sizeof(*set));
	set->name = name;
	set->val = *v;
	*cur->params_tail = set;
	cur->params_tail = &set->next;
	return;

fail:
	free(name);
	route_val_clear(v);
}

/* The closing brace: a block must set something. */
void
cfg_tls_domain_end(struct cfg_ctx *cx, const struct cfg_loc *loc)
{
	if (cur != NULL && cur->nparams == 0)
		cfg_error(cx, loc, "%s: empty block; set at least one "
		    "parameter (e.g. tls_certificate and tls_private_key)",
		    cur->head);
	cur = NULL;
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

/*
 * Print every domain block of the last parse in canonical form: the
 * head with the normalised address (or the quoted name), then each
 * parameter as written.  `openser -c -v`; the output parses again.
 */
void
cfg_tls_print(FILE *f)
{
	const struct cfg_tls_block *b;
	const struct cfg_tls_set *set;

	for (b = blocks; b != NULL; b = b->next) {
		if (b->td == NULL)
			continue;
		(void)fprintf(f, "\n%s[", BLOCK_NAME(b->server));
		if (b->td->type & TLS_DOMAIN_NAME)
			print_quoted(f, b->td->name);
		else
			(void)fputs(b->td->name, f);
		(void)fputs("] {\n", f);
		for (set = b->params; set != NULL; set = set->next) {
			(void)fprintf(f, "\t%s = ", set->name);
			if (set->val.type == RVAL_NUM)
				(void)fprintf(f, "%ld", set->val.num);
			else if (set->val.type == RVAL_STR)
				print_quoted(f, set->val.s);
			else
				(void)fputs(set->val.s, f);
			(void)fputc('\n', f);
		}
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

/*
 * cfg_core.c: the core parameters of openser.cfg (`name = value`), one
 * table row each: { name, type, &var, min, max, apply }.  A new parameter
 * is a row here, never a new token in the grammar.  Attendant, config
 * time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg/cfg_core.h"
#include "cfg/cfg_ctx.h"
#include "lib/log.h"
#include "net/net_cfg.h"
#include "net/socket_info.h"
#include "sip/sip_cfg.h"

int cfg_children = 8;
int cfg_tcp_children = -1;
int cfg_dont_fork;
int cfg_respawn_limit = 5;
int cfg_respawn_window = 60;
char *cfg_user;
char *cfg_group;
char *cfg_mpath;

static int apply_addr(struct cfg_ctx *, const struct cfg_loc *,
    const struct cfg_param *, const struct route_val *);
static int apply_facility(struct cfg_ctx *, const struct cfg_loc *,
    const struct cfg_param *, const struct route_val *);
static int apply_fork(struct cfg_ctx *, const struct cfg_loc *,
    const struct cfg_param *, const struct route_val *);
static int apply_port(struct cfg_ctx *, const struct cfg_loc *,
    const struct cfg_param *, const struct route_val *);

#define DAY 86400

/* Sorted by name: cfg_core_find() uses bsearch(); a unit test checks. */
static const struct cfg_param core_params[] = {
	{ "alias", CFG_ADDR, NULL, 0, 0, apply_addr },
	{ "check_via", CFG_BOOL, &sip_check_via, 0, 1, NULL },
	{ "children", CFG_INT, &cfg_children, 1, 1024, NULL },
	{ "debug", CFG_INT, &log_level, L_ALERT, L_DBG, NULL },
	{ "disable_tcp", CFG_BOOL, &tcp_disable, 0, 1, NULL },
	{ "dns", CFG_BOOL, &sip_dns, 0, 1, NULL },
	{ "fork", CFG_BOOL, NULL, 0, 1, apply_fork },
	{ "gid", CFG_STR, &cfg_group, 0, 0, NULL },
	{ "group", CFG_STR, &cfg_group, 0, 0, NULL },
	{ "listen", CFG_ADDR, NULL, 0, 0, apply_addr },
	{ "log_facility", CFG_STR, NULL, 0, 0, apply_facility },
	{ "log_level", CFG_INT, &log_level, L_ALERT, L_DBG, NULL },
	{ "log_stderror", CFG_BOOL, &log_stderr, 0, 1, NULL },
	{ "mhomed", CFG_BOOL, &sip_mhomed, 0, 1, NULL },
	{ "mpath", CFG_STR, &cfg_mpath, 0, 0, NULL },
	{ "port", CFG_INT, NULL, 1, 65535, apply_port },
	{ "respawn_limit", CFG_INT, &cfg_respawn_limit, 0, 1000, NULL },
	{ "respawn_window", CFG_INT, &cfg_respawn_window, 1, DAY, NULL },
	{ "rev_dns", CFG_BOOL, &sip_rev_dns, 0, 1, NULL },
	{ "server_header", CFG_STR, &sip_server_header, 0, 0, NULL },
	{ "server_signature", CFG_BOOL, &sip_server_signature, 0, 1, NULL },
	{ "sip_warning", CFG_BOOL, &sip_warning, 0, 1, NULL },
	{ "tcp_children", CFG_INT, &cfg_tcp_children, 1, 1024, NULL },
	{ "tcp_connect_timeout", CFG_INT, &tcp_connect_timeout, 1, 3600,
	    NULL },
	{ "tcp_connection_lifetime", CFG_INT, &tcp_connection_lifetime, 1,
	    DAY, NULL },
	{ "tcp_max_connections", CFG_INT, &tcp_max_connections, 1, 1048576,
	    NULL },
	{ "tcp_max_unfinished_per_ip", CFG_INT, &tcp_max_unfinished_per_ip,
	    0, 65535, NULL },
	{ "tcp_read_buffer_budget", CFG_INT, &tcp_read_buffer_budget, 0,
	    1048576, NULL },
	{ "tcp_send_timeout", CFG_INT, &tcp_send_timeout, 1, 3600, NULL },
	{ "uid", CFG_STR, &cfg_user, 0, 0, NULL },
	{ "user", CFG_STR, &cfg_user, 0, 0, NULL },
	{ "user_agent_header", CFG_STR, &sip_user_agent_header, 0, 0, NULL },
};

#define NR_CORE_PARAMS (sizeof(core_params) / sizeof(core_params[0]))

static int
param_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct cfg_param *)elem)->name);
}

const struct cfg_param *
cfg_core_find(const char *name)
{
	return bsearch(name, core_params, NR_CORE_PARAMS,
	    sizeof(core_params[0]), param_cmp);
}

const struct cfg_param *
cfg_core_table(int *n)
{
	*n = (int)NR_CORE_PARAMS;
	return core_params;
}

/* The value as written, for messages. */
static const char *
val_text(const struct route_val *v, char *buf, size_t size)
{
	if (v->type == RVAL_NUM)
		(void)snprintf(buf, size, "%ld", v->num);
	else if (v->type == RVAL_STR)
		(void)snprintf(buf, size, "\"%s\"", v->s);
	else
		(void)snprintf(buf, size, "%s", v->s);
	return buf;
}

static void
val_loc(const struct route_val *v, struct cfg_loc *loc)
{
	loc->first_line = loc->last_line = v->pos.line;
	loc->first_column = loc->last_column = v->pos.col;
}

static int
apply_fork(struct cfg_ctx *cx, const struct cfg_loc *loc,
    const struct cfg_param *p, const struct route_val *v)
{
	int b;

	(void)cfg_val_bool(v, &b);	/* checked by the caller */
	cfg_dont_fork = !b;
	return 0;
}

static int
apply_port(struct cfg_ctx *cx, const struct cfg_loc *loc,
    const struct cfg_param *p, const struct route_val *v)
{
	sock_default_port = (unsigned short)v->num;
	return 0;
}

static int
apply_facility(struct cfg_ctx *cx, const struct cfg_loc *loc,
    const struct cfg_param *p, const struct route_val *v)
{
	int f;

	if ((f = log_facility_parse(v->s)) == -1) {
		cfg_error(cx, loc, "log_facility: '%s' is not a syslog facility "
		    "(use LOG_DAEMON, LOG_USER or LOG_LOCAL0..LOG_LOCAL7)",
		    v->s);
		return -1;
	}
	log_facility = f;
	return 0;
}

/* An all-digits host must be an IPv4 address, a bracketed one IPv6. */
static int
host_valid(const char *host)
{
	struct ip_addr ip;
	str h;

	h.s = (char *)(size_t)host;	/* ip_addr_parse does not write */
	h.len = (int)strlen(host);
	if (host[0] == '[' || strspn(host, "0123456789.") == (size_t)h.len)
		return ip_addr_parse(&h, &ip) == 0;
	return 1;
}

/* listen and alias: [proto:]addr[:port] */
static int
apply_addr(struct cfg_ctx *cx, const struct cfg_loc *loc,
    const struct cfg_param *p, const struct route_val *v)
{
	enum sip_proto proto;
	unsigned short port;
	char host[256], err[256], buf[300];

	if (v->type == RVAL_NUM
	    || fix_hostport_parse(v->s, &proto, host, (int)sizeof(host), &port)
		== -1
	    || !host_valid(host)) {
		cfg_error(cx, loc, "%s: %s is not a valid address; use "
		    "[proto:]addr[:port]", p->name,
		    val_text(v, buf, sizeof(buf)));
		return -1;
	}
	if (proto == PROTO_TLS && cfg_tls_listen(cx, loc) == -1)
		return -1;
	if (p->name[0] == 'a') {
		if (sock_alias_add(proto, host, port) == -1) {
			cfg_error(cx, loc, "alias: out of memory");
			return -1;
		}
		return 0;
	}
	if (sock_listen_add(proto, host, port, err, (int)sizeof(err)) == -1) {
		cfg_error(cx, loc, "%s", err);
		return -1;
	}
	return 0;
}

static int
check_type(struct cfg_ctx *cx, const struct cfg_loc *loc,
    const struct cfg_param *p, const struct route_val *v)
{
	char buf[300];
	int b;

	switch (p->type) {
	case CFG_INT:
		if (v->type != RVAL_NUM) {
			cfg_error(cx, loc, "%s: expects a number, not %s",
			    p->name, val_text(v, buf, sizeof(buf)));
			return -1;
		}
		if (v->num < p->min || v->num > p->max) {
			cfg_error(cx, loc, "%s: %ld is out of range (%ld..%ld)",
			    p->name, v->num, p->min, p->max);
			return -1;
		}
		return 0;
	case CFG_BOOL:
		if (cfg_val_bool(v, &b) == -1) {
			cfg_error(cx, loc, "%s: %s is not a boolean (use yes/no, "
			    "on/off, true/false or 1/0)", p->name,
			    val_text(v, buf, sizeof(buf)));
			return -1;
		}
		return 0;
	case CFG_STR:
		if (v->type == RVAL_NUM && p->var != &cfg_user
		    && p->var != &cfg_group) {
			cfg_error(cx, loc, "%s: expects a string, not %ld",
			    p->name, v->num);
			return -1;
		}
		return 0;
	case CFG_ADDR:
		break;
	}
	return 0;
}

static void
store(const struct cfg_param *p, const struct route_val *v)
{
	char num[24];
	char **sp;
	int b;

	switch (p->type) {
	case CFG_INT:
		*(int *)p->var = (int)v->num;
		break;
	case CFG_BOOL:
		(void)cfg_val_bool(v, &b);
		*(int *)p->var = b;
		break;
	case CFG_STR:
		sp = p->var;
		free(*sp);
		if (v->type == RVAL_NUM) {
			(void)snprintf(num, sizeof(num), "%ld", v->num);
			*sp = cfg_strdup(num);
		} else {
			*sp = cfg_strdup(v->s);
		}
		break;
	case CFG_ADDR:
		break;
	}
}

void
cfg_set_global(struct cfg_ctx *cx, const struct cfg_loc *loc, char *name,
    struct route_val *v)
{
	const struct cfg_param *p;
	struct cfg_item *it;
	struct cfg_loc vloc;

	if (cfg_tls_is_keyword(name)) {
		cfg_tls_global(cx, loc, name, v);
		return;
	}
	val_loc(v, &vloc);
	if ((p = cfg_core_find(name)) == NULL) {
		cfg_error(cx, loc, "unknown parameter '%s'", name);
		goto fail;
	}
	if (check_type(cx, &vloc, p, v) == -1)
		goto fail;
	if (p->apply != NULL) {
		if (p->apply(cx, &vloc, p, v) == -1)
			goto fail;
	} else {
		store(p, v);
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

/* Free the strings the config set.  Attendant at exit. */
void
cfg_core_reset(void)
{
	char **strs[] = { &cfg_user, &cfg_group, &cfg_mpath,
		&sip_server_header, &sip_user_agent_header };
	size_t i;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		free(*strs[i]);
		*strs[i] = NULL;
	}
}

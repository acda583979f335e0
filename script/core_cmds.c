/*
 * core_cmds.c: the core actions of the script language (forward, drop,
 * setflag, rewritehost ...): one sorted table, their fixups and handlers.
 * Fixups run in the attendant at start-up and turn literals into typed
 * config-memory values; handlers run per message in any worker.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "mem/pkg.h"
#include "net/socket_info.h"
#include "net/transport.h"
#include "parser/parse_uri.h"
#include "script/action.h"
#include "script/dset.h"
#include "script/pv.h"
#include "script/route_struct.h"
#include "sip/forward.h"

#define ROUTE_FWD (ROUTE_REQUEST | ROUTE_FAILURE | ROUTE_BRANCH)
#define ROUTE_REQ (ROUTE_REQUEST | ROUTE_FAILURE | ROUTE_BRANCH | ROUTE_ERROR)

/* What a URI rewrite changes. */
enum uri_part {
	URI_SET_HOST = 0,
	URI_SET_HOSTPORT,
	URI_SET_PORT,
	URI_SET_USER,
	URI_SET_USERPASS,
	URI_SET_URI,
	URI_STRIP,
	URI_STRIP_TAIL,
	URI_PREFIX,
};

/* ---- argument helpers ------------------------------------------------- */

static int
arg_int(const struct action *a, int i, long min, long max, long *out,
    char *err, int errlen)
{
	const struct route_val *v = &a->args[i];
	char *end;

	if (v->type == RVAL_NUM) {
		*out = v->num;
	} else {
		*out = strtol(v->s, &end, 10);
		if (*v->s == '\0' || *end != '\0') {
			(void)snprintf(err, (size_t)errlen,
			    "%s: '%s' is not a number", a->name, v->s);
			return -1;
		}
	}
	if (*out < min || *out > max) {
		(void)snprintf(err, (size_t)errlen,
		    "%s: %ld is out of range (%ld..%ld)", a->name, *out, min,
		    max);
		return -1;
	}
	return 0;
}

/* The argument as a string (numbers printed): malloc'ed str + bytes. */
static str *
arg_str_new(const struct route_val *v)
{
	char num[24];
	const char *s = v->s;
	size_t len;
	str *p;

	if (v->type == RVAL_NUM) {
		(void)snprintf(num, sizeof(num), "%ld", v->num);
		s = num;
	}
	len = strlen(s);
	if ((p = malloc(sizeof(*p) + len + 1)) == NULL)
		return NULL;
	p->s = (char *)(p + 1);
	memcpy(p->s, s, len + 1);
	p->len = (int)len;
	return p;
}

static int
fix_str1(struct action *a, char *err, int errlen)
{
	if ((a->param[0] = arg_str_new(&a->args[0])) == NULL) {
		(void)snprintf(err, (size_t)errlen, "%s: out of memory", a->name);
		return -1;
	}
	a->param_owned |= 1;
	return 0;
}

static int
fix_flag(struct action *a, char *err, int errlen)
{
	long n;

	if (arg_int(a, 0, 0, 31, &n, err, errlen) == -1)
		return -1;
	a->param[0] = (void *)(intptr_t)n;
	return 0;
}

static int
fix_count(struct action *a, char *err, int errlen)
{
	long n;

	if (arg_int(a, 0, 0, 1024, &n, err, errlen) == -1)
		return -1;
	a->param[0] = (void *)(intptr_t)n;
	return 0;
}

/* ---- forward, send ---------------------------------------------------- */

static int
fix_forward_proto(struct action *a, enum sip_proto force, char *err,
    int errlen)
{
	char host[256], arg[300];
	struct fwd_dest *dst;
	enum sip_proto proto;
	unsigned short port;
	long n;
	size_t len;

	if (a->nargs == 0)
		return 0;	/* to the R-URI / $du */
	if (a->args[0].type == RVAL_NUM)
		(void)snprintf(arg, sizeof(arg), "%ld", a->args[0].num);
	else
		(void)snprintf(arg, sizeof(arg), "%s", a->args[0].s);
	if (fix_hostport_parse(arg, &proto, host, (int)sizeof(host), &port)
	    == -1) {
		(void)snprintf(err, (size_t)errlen,
		    "%s: bad destination '%s'; use [proto:]host[:port]",
		    a->name, arg);
		return -1;
	}
	if (a->nargs == 2) {
		if (arg_int(a, 1, 1, 65535, &n, err, errlen) == -1)
			return -1;
		port = (unsigned short)n;
	}
	len = strlen(host);
	if ((dst = calloc(1, sizeof(*dst) + len + 1)) == NULL) {
		(void)snprintf(err, (size_t)errlen, "%s: out of memory", a->name);
		return -1;
	}
	dst->host.s = (char *)(dst + 1);
	memcpy(dst->host.s, host, len + 1);
	dst->host.len = (int)len;
	dst->port = port;
	dst->proto = force != PROTO_NONE ? force : proto;
	if (dst->proto == PROTO_TLS && !TRANSPORT_TLS_BUILT) {
		(void)snprintf(err, (size_t)errlen, "%s: TLS support is not "
		    "compiled in; rebuild with TLS=1", a->name);
		free(dst);
		return -1;
	}
	a->param[0] = dst;
	a->param_owned |= 1;
	return 0;
}

static int
fix_forward(struct action *a, char *err, int errlen)
{
	return fix_forward_proto(a, PROTO_NONE, err, errlen);
}

static int
fix_forward_udp(struct action *a, char *err, int errlen)
{
	return fix_forward_proto(a, PROTO_UDP, err, errlen);
}

static int
fix_forward_tcp(struct action *a, char *err, int errlen)
{
	return fix_forward_proto(a, PROTO_TCP, err, errlen);
}

static int
fix_forward_tls(struct action *a, char *err, int errlen)
{
	return fix_forward_proto(a, PROTO_TLS, err, errlen);
}

static int
w_forward(struct sip_msg *msg, void *dst, void *unused)
{
	if (fwd_request(msg, dst) == -1)
		return CMD_ERROR;	/* sip/forward.c logged why */
	return CMD_TRUE;
}

static int
w_send(struct sip_msg *msg, void *dst, void *unused)
{
	if (fwd_send_raw(msg, dst) == -1)
		return CMD_ERROR;
	return CMD_TRUE;
}

/* ---- log, flags ------------------------------------------------------- */

static int
fix_log(struct action *a, char *err, int errlen)
{
	long level = L_DBG;

	if (a->nargs == 2
	    && arg_int(a, 0, L_ALERT, L_DBG, &level, err, errlen) == -1)
		return -1;
	if ((a->param[0] = arg_str_new(&a->args[a->nargs - 1])) == NULL) {
		(void)snprintf(err, (size_t)errlen, "log: out of memory");
		return -1;
	}
	a->param_owned |= 1;
	a->param[1] = (void *)(intptr_t)level;
	return 0;
}

static int
w_log(struct sip_msg *msg, void *text, void *level)
{
	const str *s = text;
	int lev = (int)(intptr_t)level;

	if (LOG_ENABLED(lev))
		log_msg(lev, "script", "%.*s", s->len, s->s);
	return CMD_TRUE;
}

static int
w_setflag(struct sip_msg *msg, void *flag, void *unused)
{
	msg->flags |= 1u << (unsigned int)(intptr_t)flag;
	return CMD_TRUE;
}

static int
w_resetflag(struct sip_msg *msg, void *flag, void *unused)
{
	msg->flags &= ~(1u << (unsigned int)(intptr_t)flag);
	return CMD_TRUE;
}

static int
w_isflagset(struct sip_msg *msg, void *flag, void *unused)
{
	return msg->flags & (1u << (unsigned int)(intptr_t)flag) ? CMD_TRUE
								 : CMD_FALSE;
}

/* ---- URI rewriting ---------------------------------------------------- */

static const char *
uri_scheme(enum uri_type t)
{
	switch (t) {
	case URI_SIPS:
		return "sips:";
	case URI_TEL:
		return "tel:";
	case URI_TELS:
		return "tels:";
	case URI_SIP:
	case URI_ERROR:
		break;
	}
	return "sip:";
}

static void
put(char **p, const char *s, int len)
{
	memcpy(*p, s, (size_t)len);
	*p += len;
}

/* Replace msg->new_uri with <s> (pkg copy). */
static int
set_new_uri(struct sip_msg *msg, const char *s, int len)
{
	char *p;

	if ((p = pkg_malloc((size_t)len + 1)) == NULL) {
		PKG_MEM_ERROR("rewriting the request URI");
		return CMD_ERROR;
	}
	memcpy(p, s, (size_t)len);
	p[len] = '\0';
	pkg_free(msg->new_uri.s);
	msg->new_uri.s = p;
	msg->new_uri.len = len;
	msg->parsed_uri_ok = 0;
	return CMD_TRUE;
}

/* Build the new R-URI from the parsed current one with <part> replaced
 * by <val>. */
static int
uri_rewrite(struct sip_msg *msg, enum uri_part part, const str *val, int n)
{
	struct sip_uri u;
	str user, host, port;
	char *buf, *p;
	int len, rc;

	if (part == URI_SET_URI)
		return set_new_uri(msg, val->s, val->len);
	if (parse_sip_msg_uri(msg) == -1) {
		LM_ERR("cannot rewrite the request URI: it does not parse");
		return CMD_ERROR;
	}
	u = msg->parsed_uri;
	user = u.user, host = u.host, port = u.port;
	switch (part) {
	case URI_SET_HOST:
		host = *val;
		break;
	case URI_SET_HOSTPORT:
		host = *val;
		port.len = 0;
		break;
	case URI_SET_PORT:
		port = *val;
		break;
	case URI_SET_USER:
		user = *val;
		break;
	case URI_SET_USERPASS:
		user = *val;
		u.passwd.len = 0;
		break;
	case URI_STRIP:
		n = n > user.len ? user.len : n;
		user.s += n;
		user.len -= n;
		break;
	case URI_STRIP_TAIL:
		user.len -= n > user.len ? user.len : n;
		break;
	case URI_PREFIX:
	case URI_SET_URI:
		break;
	}
	len = 6 + user.len + val->len + u.passwd.len + host.len + port.len
	    + u.params.len + u.headers.len + 8;
	if ((p = buf = pkg_malloc((size_t)len)) == NULL) {
		PKG_MEM_ERROR("rewriting the request URI");
		return CMD_ERROR;
	}
	put(&p, uri_scheme(u.type), (int)strlen(uri_scheme(u.type)));
	if (part == URI_PREFIX)
		put(&p, val->s, val->len);
	put(&p, user.s, user.len);
	if (u.passwd.len > 0) {
		put(&p, ":", 1);
		put(&p, u.passwd.s, u.passwd.len);
	}
	if (user.len > 0 || u.passwd.len > 0 || part == URI_PREFIX)
		put(&p, "@", 1);
	put(&p, host.s, host.len);
	if (port.len > 0) {
		put(&p, ":", 1);
		put(&p, port.s, port.len);
	}
	if (u.params.len > 0) {
		put(&p, ";", 1);
		put(&p, u.params.s, u.params.len);
	}
	if (u.headers.len > 0) {
		put(&p, "?", 1);
		put(&p, u.headers.s, u.headers.len);
	}
	rc = set_new_uri(msg, buf, (int)(p - buf));
	pkg_free(buf);
	return rc;
}

#define URI_HANDLER(fn, part)                                          \
	static int fn(struct sip_msg *msg, void *val, void *unused)     \
	{                                                               \
		return uri_rewrite(msg, (part), val, 0);                \
	}
URI_HANDLER(w_sethost, URI_SET_HOST)
URI_HANDLER(w_sethostport, URI_SET_HOSTPORT)
URI_HANDLER(w_setport, URI_SET_PORT)
URI_HANDLER(w_setuser, URI_SET_USER)
URI_HANDLER(w_setuserpass, URI_SET_USERPASS)
URI_HANDLER(w_seturi, URI_SET_URI)
URI_HANDLER(w_prefix, URI_PREFIX)

static int
w_strip(struct sip_msg *msg, void *n, void *unused)
{
	static str empty = STR_NULL;

	return uri_rewrite(msg, URI_STRIP, &empty, (int)(intptr_t)n);
}

static int
w_strip_tail(struct sip_msg *msg, void *n, void *unused)
{
	static str empty = STR_NULL;

	return uri_rewrite(msg, URI_STRIP_TAIL, &empty, (int)(intptr_t)n);
}

static int
w_revert_uri(struct sip_msg *msg, void *p1, void *p2)
{
	pkg_free(msg->new_uri.s);
	msg->new_uri.s = NULL;
	msg->new_uri.len = 0;
	msg->parsed_uri_ok = 0;
	return CMD_TRUE;
}

/*
 * Change part <part> of the request URI (see action.h): the rewrite*
 * actions' code for $ru/$rU/$rd/$rp assignments.  Worker, per message.
 */
int
act_uri_set(struct sip_msg *msg, enum act_uri_part part, const str *val)
{
	static str empty = STR_NULL;
	int rc = CMD_ERROR;

	switch (part) {
	case ACT_URI_SET:
		rc = uri_rewrite(msg, URI_SET_URI, val, 0);
		break;
	case ACT_URI_USER:
		rc = uri_rewrite(msg, URI_SET_USER, val, 0);
		break;
	case ACT_URI_HOST:
		rc = uri_rewrite(msg, URI_SET_HOST, val, 0);
		break;
	case ACT_URI_PORT:
		rc = uri_rewrite(msg, URI_SET_PORT, val != NULL ? val : &empty,
		    0);
		break;
	case ACT_URI_REVERT:
		rc = w_revert_uri(msg, NULL, NULL);
		break;
	}
	return rc == CMD_TRUE ? 0 : -1;
}

static int
w_setdsturi(struct sip_msg *msg, void *val, void *unused)
{
	const str *s = val;
	char *p;

	if ((p = pkg_strndup(s->s, (size_t)s->len)) == NULL) {
		PKG_MEM_ERROR("setting the destination URI");
		return CMD_ERROR;
	}
	pkg_free(msg->dst_uri.s);
	msg->dst_uri.s = p;
	msg->dst_uri.len = s->len;
	return CMD_TRUE;
}

static int
w_resetdsturi(struct sip_msg *msg, void *p1, void *p2)
{
	pkg_free(msg->dst_uri.s);
	msg->dst_uri.s = NULL;
	msg->dst_uri.len = 0;
	return CMD_TRUE;
}

static int
w_isdsturiset(struct sip_msg *msg, void *p1, void *p2)
{
	return msg->dst_uri.len > 0 ? CMD_TRUE : CMD_FALSE;
}

/* ---- branches, sockets, advertised address ---------------------------- */

static int
fix_append_branch(struct action *a, char *err, int errlen)
{
	const struct route_val *v = &a->args[1];
	char *end = NULL;
	double q;
	long qv = -1;

	if (a->nargs == 2) {
		q = v->type == RVAL_NUM ? (double)v->num : strtod(v->s, &end);
		if ((end != NULL && (*end != '\0' || end == v->s)) || q < 0
		    || q > 1) {
			(void)snprintf(err, (size_t)errlen,
			    "append_branch: q must be 0..1");
			return -1;
		}
		qv = (long)(q * 1000 + 0.5);
	}
	a->param[1] = (void *)(intptr_t)qv;
	return a->nargs == 0 ? 0 : fix_str1(a, err, errlen);
}

static int
w_append_branch(struct sip_msg *msg, void *uri, void *q)
{
	const str *u = uri != NULL ? uri : msg_ruri(msg);

	if (dset_append(u, (int)(intptr_t)q) == -1) {
		LM_ERR("append_branch: cannot add %.*s: branch set full "
		    "(%d) or URI too long", u->len, u->s, DSET_MAX_BRANCHES);
		return CMD_ERROR;
	}
	return CMD_TRUE;
}

static int
w_force_rport(struct sip_msg *msg, void *p1, void *p2)
{
	msg->msg_flags |= FL_FORCE_RPORT;
	return CMD_TRUE;
}

static int
fix_send_socket(struct action *a, char *err, int errlen)
{
	char host[256];
	enum sip_proto proto;
	unsigned short port;
	struct ip_addr ip;
	str h;

	if (a->args[0].type == RVAL_NUM
	    || fix_hostport_parse(a->args[0].s, &proto, host, (int)sizeof(host),
		   &port) == -1) {
		(void)snprintf(err, (size_t)errlen,
		    "force_send_socket: bad socket; use proto:ip:port");
		return -1;
	}
	h.s = host;
	h.len = (int)strlen(host);
	if (ip_addr_parse(&h, &ip) == -1) {
		(void)snprintf(err, (size_t)errlen,
		    "force_send_socket: '%s' is not an IP address", host);
		return -1;
	}
	if (proto == PROTO_NONE)
		proto = PROTO_UDP;
	if (port == 0)
		port = sock_default_port;
	if ((a->param[0] = sock_find(proto, &ip, port)) == NULL) {
		(void)snprintf(err, (size_t)errlen,
		    "force_send_socket: %s:%s:%u is not a listen socket",
		    proto_name(proto), host, port);
		return -1;
	}
	return 0;
}

static int
w_force_send_socket(struct sip_msg *msg, void *si, void *unused)
{
	msg->force_send_socket = si;
	return CMD_TRUE;
}

static int
fix_adv_port(struct action *a, char *err, int errlen)
{
	long n;

	if (arg_int(a, 0, 1, 65535, &n, err, errlen) == -1)
		return -1;
	return fix_str1(a, err, errlen);
}

/* The advertised strings are config memory, shared by every message. */
static int
w_set_adv_address(struct sip_msg *msg, void *val, void *unused)
{
	msg->set_global_address = *(str *)val;
	return CMD_TRUE;
}

static int
w_set_adv_port(struct sip_msg *msg, void *val, void *unused)
{
	msg->set_global_port = *(str *)val;
	return CMD_TRUE;
}

static int
fix_return(struct action *a, char *err, int errlen)
{
	long n;

	if (a->nargs == 1 && arg_int(a, 0, -1000000, 1000000, &n, err, errlen)
	    == -1)
		return -1;
	if (a->nargs == 1) {
		route_val_clear(&a->args[0]);
		a->args[0].type = RVAL_NUM;
		a->args[0].num = n;
	}
	return 0;
}

/* ---- assignments and xlog -------------------------------------------- */

/* The right-hand side of an assignment; config memory, one block. */
struct assign_rhs {
	int is_pv;
	struct pv_spec sp;	/* is_pv */
	struct pv_value val;	/* otherwise; .s points into args[1] */
};

/* $pv = value: args[0] is the PV, args[1] a PV, string, number or null. */
static int
fix_assign(struct action *a, char *err, int errlen)
{
	struct route_val *v = &a->args[1];
	struct assign_rhs *rhs;
	struct pv_spec *sp;
	char why[200];

	if ((sp = calloc(1, sizeof(*sp))) == NULL
	    || (rhs = calloc(1, sizeof(*rhs))) == NULL) {
		free(sp);
		(void)snprintf(err, (size_t)errlen, "out of memory");
		return -1;
	}
	a->param[0] = sp;
	a->param[1] = rhs;
	a->param_owned |= 3;
	if (pv_parse_all(a->args[0].s, sp, why, (int)sizeof(why)) == -1) {
		(void)snprintf(err, (size_t)errlen, "%s", why);
		return -1;
	}
	if (!pv_is_writable(sp)) {
		(void)snprintf(err, (size_t)errlen,
		    "cannot assign to %s: it is read-only", a->args[0].s);
		return -1;
	}
	switch (v->type) {
	case RVAL_PV:
		rhs->is_pv = 1;
		if (pv_parse_all(v->s, &rhs->sp, why, (int)sizeof(why)) == -1) {
			(void)snprintf(err, (size_t)errlen, "%s", why);
			return -1;
		}
		return 0;
	case RVAL_NUM:
		rhs->val.flags = PV_VAL_INT;
		rhs->val.n = (int)v->num;
		return 0;
	case RVAL_WORD:
		if (strcmp(v->s, "null") == 0) {
			rhs->val.flags = PV_VAL_NULL;
			return 0;
		}
		break;
	case RVAL_STR:
	case RVAL_NONE:
		break;
	}
	rhs->val.flags = PV_VAL_STR;
	rhs->val.s.s = v->s != NULL ? v->s : (char *)(size_t)"";
	rhs->val.s.len = (int)strlen(rhs->val.s.s);
	return 0;
}

static int
w_assign(struct sip_msg *msg, void *dst, void *src)
{
	const struct assign_rhs *rhs = src;
	struct pv_value val;

	if (rhs->is_pv)
		(void)pv_get(msg, &rhs->sp, &val);
	else
		val = rhs->val;
	return pv_set(msg, dst, &val) == 0 ? CMD_TRUE : CMD_ERROR;
}

static const struct {
	const char *name;
	int level;
} xlog_levels[] = {
	{ "L_ALERT", L_ALERT }, { "L_CRIT", L_CRIT }, { "L_ERR", L_ERR },
	{ "L_WARN", L_WARN }, { "L_NOTICE", L_NOTICE }, { "L_INFO", L_INFO },
	{ "L_DBG", L_DBG },
};

/* xlog([level,] format): level L_ALERT..L_DBG or a number; default L_ERR. */
static int
fix_xlog(struct action *a, char *err, int errlen)
{
	const struct route_val *fv = &a->args[a->nargs - 1];
	long level = L_ERR;
	struct pv_fmt *f;
	char why[200];
	size_t i;

	if (a->nargs == 2 && a->args[0].type != RVAL_NUM) {
		for (i = 0; i < sizeof(xlog_levels) / sizeof(xlog_levels[0]);
		     i++)
			if (strcmp(a->args[0].s, xlog_levels[i].name) == 0)
				break;
		if (i == sizeof(xlog_levels) / sizeof(xlog_levels[0])) {
			(void)snprintf(err, (size_t)errlen, "xlog: unknown "
			    "level '%s' (use L_ALERT .. L_DBG)", a->args[0].s);
			return -1;
		}
		level = xlog_levels[i].level;
	} else if (a->nargs == 2
	    && arg_int(a, 0, L_ALERT, L_DBG, &level, err, errlen) == -1) {
		return -1;
	}
	if (fv->type == RVAL_NUM) {
		(void)snprintf(err, (size_t)errlen, "xlog: the format must be "
		    "a string");
		return -1;
	}
	if ((f = pv_fmt_parse(fv->s, why, (int)sizeof(why))) == NULL) {
		(void)snprintf(err, (size_t)errlen, "xlog: %s", why);
		return -1;
	}
	a->param[0] = f;	/* one block: freed with the action */
	a->param_owned |= 1;
	a->param[1] = (void *)(intptr_t)level;
	return 0;
}

static int
w_xlog(struct sip_msg *msg, void *fmt, void *level)
{
	char buf[4096];
	int lev = (int)(intptr_t)level, len = (int)sizeof(buf);

	if (!LOG_ENABLED(lev))
		return CMD_TRUE;
	if (pv_fmt_print(msg, fmt, buf, &len) == -1)
		return CMD_ERROR;
	log_msg(lev, "script", "%.*s", len, buf);
	return CMD_TRUE;
}

/* Sorted by name: act_core_find() uses bsearch(). */
static const struct act_core core_cmds[] = {
	/* "$=" is `$pv = value;`, built by the grammar (no script name) */
	{ "$=", w_assign, 2, 2, fix_assign, ROUTE_ANY, FLOW_NONE },
	{ "add_rport", w_force_rport, 0, 0, NULL, ROUTE_REQ, FLOW_NONE },
	{ "append_branch", w_append_branch, 0, 2, fix_append_branch,
	    ROUTE_FWD, FLOW_NONE },
	{ "break", NULL, 0, 0, NULL, ROUTE_ANY, FLOW_RETURN },
	{ "drop", NULL, 0, 0, NULL, ROUTE_ANY, FLOW_DROP },
	{ "exit", NULL, 0, 0, NULL, ROUTE_ANY, FLOW_EXIT },
	{ "force_rport", w_force_rport, 0, 0, NULL, ROUTE_REQ, FLOW_NONE },
	{ "force_send_socket", w_force_send_socket, 1, 1, fix_send_socket,
	    ROUTE_FWD, FLOW_NONE },
	{ "forward", w_forward, 0, 2, fix_forward, ROUTE_FWD, FLOW_NONE },
	{ "forward_tcp", w_forward, 1, 2, fix_forward_tcp, ROUTE_FWD,
	    FLOW_NONE },
	{ "forward_tls", w_forward, 1, 2, fix_forward_tls, ROUTE_FWD,
	    FLOW_NONE },
	{ "forward_udp", w_forward, 1, 2, fix_forward_udp, ROUTE_FWD,
	    FLOW_NONE },
	{ "isdsturiset", w_isdsturiset, 0, 0, NULL, ROUTE_REQ, FLOW_NONE },
	{ "isflagset", w_isflagset, 1, 1, fix_flag, ROUTE_ANY, FLOW_NONE },
	{ "log", w_log, 1, 2, fix_log, ROUTE_ANY, FLOW_NONE },
	{ "prefix", w_prefix, 1, 1, fix_str1, ROUTE_REQ, FLOW_NONE },
	{ "resetdsturi", w_resetdsturi, 0, 0, NULL, ROUTE_REQ, FLOW_NONE },
	{ "resetflag", w_resetflag, 1, 1, fix_flag, ROUTE_ANY, FLOW_NONE },
	{ "return", NULL, 0, 1, fix_return, ROUTE_ANY, FLOW_RETURN },
	{ "revert_uri", w_revert_uri, 0, 0, NULL, ROUTE_REQ, FLOW_NONE },
	{ "rewritehost", w_sethost, 1, 1, fix_str1, ROUTE_REQ, FLOW_NONE },
	{ "rewritehostport", w_sethostport, 1, 1, fix_str1, ROUTE_REQ,
	    FLOW_NONE },
	{ "rewriteport", w_setport, 1, 1, fix_str1, ROUTE_REQ, FLOW_NONE },
	{ "rewriteuri", w_seturi, 1, 1, fix_str1, ROUTE_REQ, FLOW_NONE },
	{ "rewriteuser", w_setuser, 1, 1, fix_str1, ROUTE_REQ, FLOW_NONE },
	{ "rewriteuserpass", w_setuserpass, 1, 1, fix_str1, ROUTE_REQ,
	    FLOW_NONE },
	{ "route", NULL, 1, 1, NULL, ROUTE_ANY, FLOW_ROUTE },
	{ "send", w_send, 1, 2, fix_forward, ROUTE_FWD, FLOW_NONE },
	{ "set_advertised_address", w_set_adv_address, 1, 1, fix_str1,
	    ROUTE_ANY, FLOW_NONE },
	{ "set_advertised_port", w_set_adv_port, 1, 1, fix_adv_port,
	    ROUTE_ANY, FLOW_NONE },
	{ "setdsturi", w_setdsturi, 1, 1, fix_str1, ROUTE_REQ, FLOW_NONE },
	{ "setflag", w_setflag, 1, 1, fix_flag, ROUTE_ANY, FLOW_NONE },
	{ "seth", w_sethost, 1, 1, fix_str1, ROUTE_REQ, FLOW_NONE },
	{ "sethost", w_sethost, 1, 1, fix_str1, ROUTE_REQ, FLOW_NONE },
	{ "sethostport", w_sethostport, 1, 1, fix_str1, ROUTE_REQ,
	    FLOW_NONE },
	{ "setport", w_setport, 1, 1, fix_str1, ROUTE_REQ, FLOW_NONE },
	{ "seturi", w_seturi, 1, 1, fix_str1, ROUTE_REQ, FLOW_NONE },
	{ "setuser", w_setuser, 1, 1, fix_str1, ROUTE_REQ, FLOW_NONE },
	{ "strip", w_strip, 1, 1, fix_count, ROUTE_REQ, FLOW_NONE },
	{ "strip_tail", w_strip_tail, 1, 1, fix_count, ROUTE_REQ, FLOW_NONE },
	{ "xlog", w_xlog, 1, 2, fix_xlog, ROUTE_ANY, FLOW_NONE },
};

#define NR_CORE_CMDS (sizeof(core_cmds) / sizeof(core_cmds[0]))

static int
core_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct act_core *)elem)->name);
}

const struct act_core *
act_core_find(const char *name)
{
	return bsearch(name, core_cmds, NR_CORE_CMDS, sizeof(core_cmds[0]),
	    core_cmp);
}

/* For the unit test: the table and its size. */
const struct act_core *
act_core_table(int *n)
{
	*n = (int)NR_CORE_CMDS;
	return core_cmds;
}

/*
 * cfg_script.c: what the grammar calls to build routes: route blocks,
 * commands, if/else and conditions.  Shape and operand checks happen here,
 * at parse time, so they are reported with the syntax errors; what needs
 * loaded modules or listen sockets waits for fix_routes().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cfg/cfg_ctx.h"

enum lhs_class {
	CL_STR = 0,	/* method, uri, from_uri, to_uri */
	CL_IP,		/* src_ip, dst_ip */
	CL_NUM,		/* ports, msg:len, status */
	CL_PROTO,
	CL_AF,
};

/* Sorted by name (bsearch). */
static const struct lhs_def {
	const char *name;
	enum expr_lhs lhs;
	enum lhs_class cl;
} lhs_tab[] = {
	{ "af", LHS_AF, CL_AF },
	{ "dst_ip", LHS_DST_IP, CL_IP },
	{ "dst_port", LHS_DST_PORT, CL_NUM },
	{ "from_uri", LHS_FROM_URI, CL_STR },
	{ "method", LHS_METHOD, CL_STR },
	{ "msg:len", LHS_MSG_LEN, CL_NUM },
	{ "proto", LHS_PROTO, CL_PROTO },
	{ "src_ip", LHS_SRC_IP, CL_IP },
	{ "src_port", LHS_SRC_PORT, CL_NUM },
	{ "status", LHS_STATUS, CL_NUM },
	{ "to_uri", LHS_TO_URI, CL_STR },
	{ "uri", LHS_URI, CL_STR },
};

#define NR_LHS (sizeof(lhs_tab) / sizeof(lhs_tab[0]))

/* The PV that reads the same as operand <lhs>, for error messages. */
static const char *
cfg_pv_for_lhs(enum expr_lhs lhs)
{
	switch (lhs) {
	case LHS_METHOD:
		return "$rm";
	case LHS_URI:
		return "$ru";
	case LHS_FROM_URI:
		return "$fu";
	case LHS_TO_URI:
		return "$tu";
	case LHS_SRC_IP:
		return "$si";
	case LHS_DST_IP:
		return "$Ri";
	case LHS_SRC_PORT:
		return "$sp";
	case LHS_DST_PORT:
		return "$Rp";
	case LHS_PROTO:
		return "$pr";
	case LHS_STATUS:
		return "$rs";
	case LHS_MSG_LEN:
		return "$ml";
	case LHS_AF:
	case LHS_PV:
		break;
	}
	return "...";
}

static const char *const op_names[] = {
	"==", "!=", "=~", "!~", "<", ">", "<=", ">=",
};

static int
lhs_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct lhs_def *)elem)->name);
}

const char *
cfg_lhs_name(enum expr_lhs lhs)
{
	size_t i;

	for (i = 0; i < NR_LHS; i++)
		if (lhs_tab[i].lhs == lhs)
			return lhs_tab[i].name;
	return "?";
}

const char *
cfg_op_name(enum expr_op op)
{
	return op_names[op];
}

/* ---- route blocks -------------------------------------------------------- */

int
cfg_route_begin(struct cfg_ctx *cx, const struct cfg_loc *loc, int type,
    struct route_val *name)
{
	int t = route_type_index(type), slot = 0;
	struct route_def *r;
	struct cfg_item *it;
	char label[300];

	(void)snprintf(label, sizeof(label), "%s", route_type_name(type));
	if (name != NULL && name->type == RVAL_NUM) {
		(void)snprintf(label, sizeof(label), "%s[%ld]",
		    route_type_name(type), name->num);
		if (name->num < 0 || name->num >= ROUTE_MAX_NUM) {
			cfg_error(cx, loc, "%s: route numbers are 0..%d", label,
			    ROUTE_MAX_NUM - 1);
			return -1;
		}
		slot = (int)name->num;
	} else if (name != NULL) {
		(void)snprintf(label, sizeof(label), "%s[%s]",
		    route_type_name(type), name->s);
		if ((slot = route_find_named(type, name->s)) == -1
		    && (slot = route_new_named_slot(type)) == -1) {
			cfg_error(cx, loc, "%s: too many named routes", label);
			route_val_clear(name);
			return -1;
		}
	}
	r = &route_tab[t][slot];
	if (r->defined) {
		cfg_error(cx, loc, "%s is already defined at line %d", label,
		    r->pos.line);
		route_val_clear(name);
		return -1;
	}
	r->defined = 1;
	cfg_pos(cx, loc, &r->pos);
	if (name != NULL && name->type == RVAL_WORD) {
		r->name = name->s;	/* the route keeps the string */
		name->s = NULL;
	}
	it = cfg_zalloc(sizeof(*it));
	it->kind = CFG_ITEM_ROUTE;
	it->type = type;
	it->slot = slot;
	cfg_item_add(cx, it);
	return t * ROUTE_SLOTS + slot;
}

void
cfg_route_end(struct cfg_ctx *cx, int id, struct action *body)
{
	if (id < 0) {
		route_act_free(body);
		return;
	}
	route_tab[id / ROUTE_SLOTS][id % ROUTE_SLOTS].body = body;
}

/* ---- commands ------------------------------------------------------------ */

struct cfg_args *
cfg_args_add(struct cfg_args *args, struct route_val *v)
{
	if (args == NULL)
		args = cfg_zalloc(sizeof(*args));
	if (args->n < ACT_MAX_ARGS)
		args->v[args->n] = *v;
	else
		route_val_clear(v);
	args->n++;
	return args;
}

void
cfg_args_free(struct cfg_args *args)
{
	int i;

	for (i = 0; args != NULL && i < args->n && i < ACT_MAX_ARGS; i++)
		route_val_clear(&args->v[i]);
	free(args);
}

static void
arity_text(const struct act_core *c, char *buf, size_t size)
{
	if (c->max_args == 0)
		(void)snprintf(buf, size, "no arguments");
	else if (c->min_args == c->max_args)
		(void)snprintf(buf, size, "%d argument%s", c->min_args,
		    c->min_args == 1 ? "" : "s");
	else
		(void)snprintf(buf, size, "%d to %d arguments", c->min_args,
		    c->max_args);
}

struct action *
cfg_cmd(struct cfg_ctx *cx, const struct cfg_loc *loc, char *name,
    struct cfg_args *args)
{
	const struct act_core *core = act_core_find(name);
	struct route_pos pos;
	struct action *a;
	char buf[64];
	int n = args != NULL ? args->n : 0;

	if (core != NULL && (n < core->min_args || n > core->max_args)) {
		arity_text(core, buf, sizeof(buf));
		cfg_error(cx, loc, "%s: takes %s, not %d", name, buf, n);
		free(name);
		cfg_args_free(args);
		return NULL;
	}
	for (int i = 0; core != NULL && core->fixup != NULL && i < n
	     && i < ACT_MAX_ARGS && strcmp(name, "$=") != 0; i++) {
		if (args->v[i].type == RVAL_PV) {
			cfg_error(cx, loc, "%s: argument %d: core actions take "
			    "no pseudo-variables (assign instead: $ru = %s;)",
			    name, i + 1, args->v[i].s);
			free(name);
			cfg_args_free(args);
			return NULL;
		}
	}
	if (core != NULL && strcmp(name, "break") == 0)
		cfg_notice(cx, loc, "'break' ends the route as in OpenSER 0.9 "
		    "scripts; write 'return'");
	cfg_pos(cx, loc, &pos);
	a = route_act_new(&pos);
	a->kind = ACT_CMD;
	a->name = name;
	a->core = core;
	a->nargs = n;
	if (args != NULL)
		memcpy(a->args, args->v, sizeof(a->args));
	free(args);
	return a;
}

struct action *
cfg_route_call(struct cfg_ctx *cx, const struct cfg_loc *loc,
    struct route_val *target)
{
	struct cfg_args *args;

	if (target->type == RVAL_NUM
	    && (target->num < 0 || target->num >= ROUTE_MAX_NUM)) {
		cfg_error(cx, loc, "route(%ld): route numbers are 0..%d",
		    target->num, ROUTE_MAX_NUM - 1);
		route_val_clear(target);
		return NULL;
	}
	args = cfg_args_add(NULL, target);
	return cfg_cmd(cx, loc, cfg_strdup("route"), args);
}

struct action *
cfg_if(struct cfg_ctx *cx, const struct cfg_loc *loc, struct expr *cond,
    struct action *then_list, struct action *else_list)
{
	struct route_pos pos;
	struct action *a;

	if (cond == NULL) {	/* an error was reported */
		route_act_free(then_list);
		route_act_free(else_list);
		return NULL;
	}
	cfg_pos(cx, loc, &pos);
	a = route_act_new(&pos);
	a->kind = ACT_IF;
	a->cond = cond;
	a->then_list = then_list;
	a->else_list = else_list;
	return a;
}

/* ---- conditions ---------------------------------------------------------- */

struct expr *
cfg_bool(struct cfg_ctx *cx, const struct cfg_loc *loc, enum expr_kind kind,
    struct expr *l, struct expr *r)
{
	struct route_pos pos;
	struct expr *e;

	if (l == NULL || (kind != EXPR_NOT && r == NULL)) {
		route_expr_free(l);
		route_expr_free(r);
		return NULL;
	}
	cfg_pos(cx, loc, &pos);
	e = route_expr_new(kind, &pos);
	e->left = l;
	e->right = r;
	return e;
}

struct expr *
cfg_call_expr(struct cfg_ctx *cx, const struct cfg_loc *loc,
    struct action *call)
{
	struct route_pos pos;
	struct expr *e;

	if (call == NULL)
		return NULL;
	if (call->core != NULL && call->core->flow != FLOW_NONE) {
		cfg_error(cx, loc, "%s cannot be used in a condition",
		    call->name);
		route_act_free(call);
		return NULL;
	}
	cfg_pos(cx, loc, &pos);
	e = route_expr_new(EXPR_CALL, &pos);
	e->call = call;
	return e;
}

static int
ops_allowed(const struct lhs_def *d, int op)
{
	switch (d->cl) {
	case CL_STR:
	case CL_IP:
		return op == OP_EQ || op == OP_NE || op == OP_MATCH
		    || op == OP_NOMATCH;
	case CL_NUM:
		return (op != OP_MATCH && op != OP_NOMATCH)
		    || d->lhs == LHS_STATUS;
	case CL_PROTO:
	case CL_AF:
		return op == OP_EQ || op == OP_NE;
	}
	return 0;
}

static const char *
ops_text(const struct lhs_def *d)
{
	switch (d->cl) {
	case CL_STR:
	case CL_IP:
		return "==, !=, =~ or !~";
	case CL_NUM:
		return d->lhs == LHS_STATUS ? "==, !=, <, >, <=, >=, =~ or !~"
					    : "==, !=, <, >, <= or >=";
	case CL_PROTO:
	case CL_AF:
		break;
	}
	return "== or !=";
}

/* "a.b.c.d", "a.b.c.d/bits", "a.b.c.d/m.a.s.k", "v6[/bits]" */
static int
parse_net(const char *s, struct ip_addr *ip, unsigned int *bits)
{
	const char *slash = strchr(s, '/');
	struct ip_addr mask;
	char *end;
	long n;
	str h;
	unsigned int i;

	h.s = (char *)(size_t)s;	/* ip_addr_parse does not write */
	h.len = slash != NULL ? (int)(slash - s) : (int)strlen(s);
	if (ip_addr_parse(&h, ip) == -1)
		return -1;
	*bits = ip->len * 8;
	if (slash == NULL)
		return 0;
	n = strtol(slash + 1, &end, 10);
	if (*end == '\0' && end != slash + 1) {
		if (n < 0 || n > (long)ip->len * 8)
			return -1;
		*bits = (unsigned int)n;
		return 0;
	}
	h.s = (char *)(size_t)(slash + 1);
	h.len = (int)strlen(slash + 1);
	if (ip_addr_parse(&h, &mask) == -1 || mask.af != ip->af)
		return -1;
	for (i = 0, *bits = 0; i < mask.len * 8; i++) {
		if ((mask.u.addr[i / 8] & (0x80 >> (i % 8))) == 0)
			break;
		(*bits)++;
	}
	for (; i < mask.len * 8; i++)	/* a mask has no holes */
		if (mask.u.addr[i / 8] & (0x80 >> (i % 8)))
			return -1;
	return 0;
}

/* Check the right-hand side against the operand; fill e->rhs etc. */
static int
cmp_rhs(struct cfg_ctx *cx, const struct cfg_loc *loc,
    const struct lhs_def *d, struct expr *e)
{
	const struct route_val *v = &e->val;
	int is_str = v->type != RVAL_NUM;
	enum sip_proto proto;
	char *end;
	str s;

	if (e->op == OP_MATCH || e->op == OP_NOMATCH) {
		if (!is_str) {
			cfg_error(cx, loc, "%s %s: needs a regular expression "
			    "string", d->name, op_names[e->op]);
			return -1;
		}
		e->rhs = RHS_REGEX;
		return 0;
	}
	if (is_str && strcmp(v->s, "myself") == 0 && v->type == RVAL_WORD) {
		if ((d->cl != CL_STR || d->lhs == LHS_METHOD) && d->cl != CL_IP) {
			cfg_error(cx, loc, "%s cannot be compared with myself",
			    d->name);
			return -1;
		}
		e->rhs = RHS_MYSELF;
		return 0;
	}
	switch (d->cl) {
	case CL_STR:
		if (!is_str) {
			cfg_error(cx, loc, "%s: compare with a string, not %ld",
			    d->name, v->num);
			return -1;
		}
		e->rhs = RHS_STR;
		return 0;
	case CL_IP:
		if (!is_str || parse_net(v->s, &e->ip, &e->bits) == -1) {
			cfg_error(cx, loc, "%s: not an IP address or network "
			    "(use a.b.c.d, a.b.c.d/bits, a.b.c.d/mask or "
			    "myself)", d->name);
			return -1;
		}
		e->rhs = RHS_NET;
		return 0;
	case CL_NUM:
		e->rhs = RHS_NUM;
		if (!is_str) {
			e->num = v->num;
			return 0;
		}
		if (d->lhs == LHS_MSG_LEN && strcmp(v->s, "max_len") == 0) {
			e->num = SIP_MSG_MAX_LEN;
			return 0;
		}
		e->num = strtol(v->s, &end, 10);
		if (*v->s != '\0' && *end == '\0')
			return 0;
		cfg_error(cx, loc, "%s: expects a number, not '%s'", d->name,
		    v->s);
		return -1;
	case CL_PROTO:
		s.s = is_str ? v->s : NULL;
		s.len = is_str ? (int)strlen(v->s) : 0;
		if (!is_str || proto_parse(&s, &proto) == -1) {
			cfg_error(cx, loc, "proto: not a protocol (use udp, tcp, "
			    "tls or sctp)");
			return -1;
		}
		e->num = (long)proto;
		e->rhs = RHS_NUM;
		return 0;
	case CL_AF:
		if (is_str && strcmp(v->s, "inet") == 0)
			e->num = AF_INET;
		else if (is_str && strcmp(v->s, "inet6") == 0)
			e->num = AF_INET6;
		else {
			cfg_error(cx, loc, "af: use inet or inet6");
			return -1;
		}
		e->rhs = RHS_NUM;
		return 0;
	}
	return -1;
}

struct expr *
cfg_cmp(struct cfg_ctx *cx, const struct cfg_loc *loc, char *lhs, char *lhs2,
    int op, struct route_val *v)
{
	const struct lhs_def *d;
	struct route_pos pos;
	struct cfg_loc vloc;
	struct expr *e = NULL;

	if (lhs2 != NULL)
		lhs = cfg_join(lhs, ":", lhs2);
	d = bsearch(lhs, lhs_tab, NR_LHS, sizeof(lhs_tab[0]), lhs_cmp);
	if (d == NULL) {
		cfg_error(cx, loc, "unknown operand '%s' (use method, uri, "
		    "from_uri, to_uri, src_ip, dst_ip, src_port, dst_port, "
		    "proto, af, msg:len or status)", lhs);
		goto fail;
	}
	if (v->type == RVAL_PV) {
		cfg_error(cx, loc, "%s %s %s: write the pseudo-variable on the "
		    "left (%s %s %s)", d->name, op_names[op], v->s, v->s,
		    op_names[op], cfg_pv_for_lhs(d->lhs));
		goto fail;
	}
	if (!ops_allowed(d, op)) {
		cfg_error(cx, loc, "%s cannot be used with %s (use %s)",
		    op_names[op], d->name, ops_text(d));
		goto fail;
	}
	cfg_pos(cx, loc, &pos);
	e = route_expr_new(EXPR_CMP, &pos);
	e->lhs = d->lhs;
	e->op = (enum expr_op)op;
	e->val = *v;
	v = NULL;
	vloc.first_line = vloc.last_line = e->val.pos.line;
	vloc.first_column = vloc.last_column = e->val.pos.col;
	if (cmp_rhs(cx, &vloc, d, e) == -1) {
		route_expr_free(e);
		e = NULL;
	}
fail:
	free(lhs);
	if (v != NULL)
		route_val_clear(v);
	return e;
}

/* ---- pseudo-variables ---------------------------------------------------- */

void
cfg_val_pv(struct cfg_ctx *cx, struct route_val *v, const struct cfg_loc *loc,
    char *s)
{
	cfg_val_str(cx, v, loc, s);
	v->type = RVAL_PV;
}

/* `$pv = value;`: the core action "$=" (checked by its fixup, which knows
 * which PVs exist once the modules are loaded). */
struct action *
cfg_assign(struct cfg_ctx *cx, const struct cfg_loc *loc,
    struct route_val *pv, struct route_val *v)
{
	struct cfg_args *args;

	args = cfg_args_add(NULL, pv);
	args = cfg_args_add(args, v);
	return cfg_cmd(cx, loc, cfg_strdup("$="), args);
}

static int
pv_rhs(struct cfg_ctx *cx, const struct cfg_loc *loc, struct expr *e)
{
	const struct route_val *v = &e->val;
	int eqne = e->op == OP_EQ || e->op == OP_NE;

	if (e->op == OP_MATCH || e->op == OP_NOMATCH) {
		if (v->type != RVAL_STR) {
			cfg_error(cx, loc, "%s %s: needs a regular expression "
			    "string", e->pv, op_names[e->op]);
			return -1;
		}
		e->rhs = RHS_REGEX;
		return 0;
	}
	switch (v->type) {
	case RVAL_PV:
		e->rhs = RHS_PV;
		return 0;
	case RVAL_NUM:
		e->rhs = RHS_NUM;
		e->num = v->num;
		return 0;
	case RVAL_WORD:
		if (strcmp(v->s, "null") == 0 || strcmp(v->s, "myself") == 0) {
			if (!eqne) {
				cfg_error(cx, loc, "%s %s %s: use == or !=",
				    e->pv, op_names[e->op], v->s);
				return -1;
			}
			e->rhs = v->s[0] == 'n' ? RHS_NULL : RHS_MYSELF;
			return 0;
		}
		if (strchr(v->s, '/') != NULL && eqne
		    && parse_net(v->s, &e->ip, &e->bits) == 0) {
			e->rhs = RHS_NET;
			return 0;
		}
		break;
	case RVAL_STR:
	case RVAL_NONE:
		break;
	}
	e->rhs = RHS_STR;
	return 0;
}

struct expr *
cfg_cmp_pv(struct cfg_ctx *cx, const struct cfg_loc *loc,
    struct route_val *pv, int op, struct route_val *v)
{
	struct route_pos pos;
	struct cfg_loc vloc;
	struct expr *e;

	cfg_pos(cx, loc, &pos);
	e = route_expr_new(EXPR_CMP, &pos);
	e->lhs = LHS_PV;
	e->pv = pv->s;
	pv->s = NULL;
	if (pv_fix_keep(e->pv) == -1) {
		e->pv = NULL;
		route_expr_free(e);
		if (v != NULL)
			route_val_clear(v);
		return NULL;
	}
	if (v == NULL) {	/* `if ($avp(i:1))`: `$avp(i:1) != null` */
		e->op = OP_NE;
		e->rhs = RHS_NULL;
		cfg_val_word(cx, &e->val, loc, cfg_strdup("null"));
		return e;
	}
	e->op = (enum expr_op)op;
	e->val = *v;
	vloc.first_line = vloc.last_line = e->val.pos.line;
	vloc.first_column = vloc.last_column = e->val.pos.col;
	if (pv_rhs(cx, &vloc, e) == -1) {
		route_expr_free(e);
		return NULL;
	}
	return e;
}

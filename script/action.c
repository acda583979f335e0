/*
 * action.c: the route interpreter.  Walks the tree built by cfg/ and fixed
 * up by fix_routes(); follows OpenSER's convention that a command value
 * >0 is true, <0 false and 0 stops the whole script.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/log.h"
#include "mem/pkg.h"
#include "net/socket_info.h"
#include "parser/parse_cseq.h"
#include "parser/parse_to.h"
#include "parser/parse_uri.h"
#include "script/action.h"
#include "script/pv.h"

#define RUN_EXIT   1
#define RUN_DROP   2
#define RUN_RETURN 4

struct act_state {
	int type;	/* ROUTE_* being run */
	int depth;	/* route(N) nesting */
	int stop;	/* RUN_* */
};

static int run_list(const struct action *a, struct sip_msg *msg,
    struct act_state *st);

static int
match_re(regex_t *re, const str *s)
{
	char buf[512], *p = buf;
	int rc = -1;

	if (s->len >= (int)sizeof(buf)
	    && (p = pkg_malloc((size_t)s->len + 1)) == NULL) {
		PKG_MEM_ERROR("matching a regular expression");
		return 0;
	}
	memcpy(p, s->s, (size_t)s->len);
	p[s->len] = '\0';
	rc = regexec(re, p, 0, NULL, 0) == 0;
	if (p != buf)
		pkg_free(p);
	return rc;
}

static int
cmp_num(enum expr_op op, long a, long b)
{
	switch (op) {
	case OP_EQ:
		return a == b;
	case OP_NE:
		return a != b;
	case OP_LT:
		return a < b;
	case OP_GT:
		return a > b;
	case OP_LE:
		return a <= b;
	case OP_GE:
		return a >= b;
	case OP_MATCH:
	case OP_NOMATCH:
		break;
	}
	return 0;
}

/* The URI an lhs names, or -1 when the message has none. */
static int
lhs_uri(const struct expr *e, struct sip_msg *msg, str *out)
{
	struct hdr_field *hf;

	if (e->lhs == LHS_URI) {
		if (!IS_SIP_REQUEST(msg))
			return -1;
		*out = *msg_ruri(msg);
		return 0;
	}
	if (e->lhs == LHS_FROM_URI) {
		if (parse_headers(msg, HDR_FROM_F, 0) == -1 || msg->from == NULL
		    || parse_from_header(msg) == -1)
			return -1;
		*out = get_from(msg)->uri;
		return 0;
	}
	if (parse_headers(msg, HDR_TO_F, 0) == -1 || (hf = msg->to) == NULL
	    || parse_to_header(msg) == -1)
		return -1;
	*out = get_to(msg)->uri;
	return 0;
}

static int
uri_is_myself(const struct expr *e, struct sip_msg *msg, const str *uri)
{
	struct sip_uri u;

	if (e->lhs == LHS_URI) {
		if (parse_sip_msg_uri(msg) == -1)
			return 0;
		u = msg->parsed_uri;
	} else if (parse_uri(uri->s, uri->len, &u) == -1) {
		return 0;
	}
	return sock_check_self(&u.host, u.port_no, u.proto) == 1;
}

/* method, uri, from_uri, to_uri: 1, 0, or -1 when not applicable. */
static int
eval_str_lhs(const struct expr *e, struct sip_msg *msg)
{
	str s;

	if (e->lhs == LHS_METHOD) {
		if (IS_SIP_REQUEST(msg)) {
			s = REQ_LINE(msg).method;
		} else if (parse_headers(msg, HDR_CSEQ_F, 0) == 0
		    && msg->cseq != NULL && msg->cseq->parsed != NULL) {
			s = get_cseq(msg)->method;
		} else {
			return -1;
		}
	} else if (lhs_uri(e, msg, &s) == -1) {
		return -1;
	}
	switch (e->rhs) {
	case RHS_MYSELF:
		return uri_is_myself(e, msg, &s);
	case RHS_REGEX:
		return match_re(e->re, &s);
	case RHS_STR:
		return str_caseeq_cstr(&s, e->val.s);
	case RHS_NUM:
	case RHS_NET:
	case RHS_PV:
	case RHS_NULL:
		break;
	}
	return -1;
}

static int
eval_ip_lhs(const struct expr *e, struct sip_msg *msg)
{
	const struct ip_addr *ip = e->lhs == LHS_SRC_IP ? &msg->rcv.src_ip
							: &msg->rcv.dst_ip;
	char buf[IP_ADDR_MAX_STR];
	str s;

	switch (e->rhs) {
	case RHS_MYSELF:
		return sock_check_self_ip(ip, 0, PROTO_NONE) == 1;
	case RHS_NET:
		return ip_addr_match_net(ip, &e->ip, e->bits) == 1;
	case RHS_REGEX:
		if (ip_addr_to_str(ip, buf, (int)sizeof(buf)) == -1)
			return 0;
		s.s = buf;
		s.len = (int)strlen(buf);
		return match_re(e->re, &s);
	case RHS_STR:
	case RHS_NUM:
	case RHS_PV:
	case RHS_NULL:
		break;
	}
	return -1;
}

static int
eval_num_lhs(const struct expr *e, struct sip_msg *msg)
{
	long v = 0;

	switch (e->lhs) {
	case LHS_SRC_PORT:
		v = msg->rcv.src_port;
		break;
	case LHS_DST_PORT:
		v = msg->rcv.dst_port;
		break;
	case LHS_PROTO:
		v = (long)msg->rcv.proto;
		break;
	case LHS_AF:
		v = (long)msg->rcv.src_ip.af;
		break;
	case LHS_MSG_LEN:
		v = (long)msg->len;
		break;
	case LHS_STATUS:
		if (!IS_SIP_REPLY(msg))
			return -1;
		if (e->rhs == RHS_REGEX)
			return match_re(e->re, &msg->first_line.u.reply.status);
		v = (long)REPLY_STATUS(msg);
		break;
	case LHS_METHOD:
	case LHS_URI:
	case LHS_FROM_URI:
	case LHS_TO_URI:
	case LHS_SRC_IP:
	case LHS_DST_IP:
	case LHS_PV:
		return -1;
	}
	return cmp_num(e->op, v, e->num);
}

/* <s> as an integer: 0, or -1 when it is not one. */
static int
str_int(const str *s, long *out)
{
	const char *p = s->s, *end = s->s + s->len;
	int neg = 0;
	long n = 0;

	if (p < end && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	if (p == end)
		return -1;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9' || n > 100000000000L)
			return -1;
		n = n * 10 + (*p - '0');
	}
	*out = neg ? -n : n;
	return 0;
}

static int
val_int_of(const struct pv_value *v, long *out)
{
	if (v->flags & PV_VAL_INT) {
		*out = v->n;
		return 0;
	}
	return str_int(&v->s, out);
}

/* <l> op <r>: numerically when both are numbers, else as strings (==
 * and != case-insensitively, as OpenSER does).  1 or 0, op applied. */
static int
cmp_values(enum expr_op op, const struct pv_value *l,
    const struct pv_value *r)
{
	long a, b;
	int c, n;

	if (val_int_of(l, &a) == 0 && val_int_of(r, &b) == 0)
		return cmp_num(op, a, b);
	if (op == OP_EQ || op == OP_NE)
		return str_caseeq(&l->s, &r->s) == (op == OP_EQ);
	n = l->s.len < r->s.len ? l->s.len : r->s.len;
	c = memcmp(l->s.s, r->s.s, (size_t)n);
	if (c == 0)
		c = l->s.len - r->s.len;
	return cmp_num(op, c, 0);
}

/* $pv op rhs: -1 when the PV has no value; for a PV, number or string
 * on the right the result of the operator, else 1 when it matches. */
static int
eval_pv_lhs(const struct expr *e, struct sip_msg *msg)
{
	struct pv_value l, r;
	struct ip_addr ip;
	struct sip_uri u;

	(void)pv_get(msg, &e->lpv, &l);
	if (e->rhs == RHS_NULL)
		return (l.flags & PV_VAL_NULL) != 0;
	if (l.flags & PV_VAL_NULL)
		return -1;
	switch (e->rhs) {
	case RHS_PV:
		(void)pv_get(msg, &e->rpv, &r);
		if (r.flags & PV_VAL_NULL)
			return -1;
		return cmp_values(e->op, &l, &r);
	case RHS_NUM:
		memset(&r, 0, sizeof(r));
		r.flags = PV_VAL_INT;
		r.n = (int)e->num;
		r.s = pv_int2str(r.n);
		return cmp_values(e->op, &l, &r);
	case RHS_STR:
		memset(&r, 0, sizeof(r));
		r.flags = PV_VAL_STR;
		r.s.s = e->val.s;
		r.s.len = (int)strlen(e->val.s);
		return cmp_values(e->op, &l, &r);
	case RHS_REGEX:
		return match_re(e->re, &l.s);
	case RHS_NET:
		return ip_addr_parse(&l.s, &ip) == 0
		    && ip_addr_match_net(&ip, &e->ip, e->bits) == 1;
	case RHS_MYSELF:
		if (ip_addr_parse(&l.s, &ip) == 0)
			return sock_check_self_ip(&ip, 0, PROTO_NONE) == 1;
		if (parse_uri(l.s.s, l.s.len, &u) == 0)
			return sock_check_self(&u.host, u.port_no, u.proto)
			    == 1;
		return sock_check_self(&l.s, 0, PROTO_NONE) == 1;
	case RHS_NULL:
		break;
	}
	return -1;
}

/* A comparison: 1 true, 0 false. */
static int
eval_cmp(const struct expr *e, struct sip_msg *msg)
{
	int rc = -1;

	switch (e->lhs) {
	case LHS_METHOD:
	case LHS_URI:
	case LHS_FROM_URI:
	case LHS_TO_URI:
		rc = eval_str_lhs(e, msg);
		break;
	case LHS_SRC_IP:
	case LHS_DST_IP:
		rc = eval_ip_lhs(e, msg);
		break;
	case LHS_SRC_PORT:
	case LHS_DST_PORT:
	case LHS_PROTO:
	case LHS_AF:
	case LHS_MSG_LEN:
	case LHS_STATUS:
		return eval_num_lhs(e, msg) == 1;
	case LHS_PV:
		rc = eval_pv_lhs(e, msg);
		if (rc == -1)
			return e->op == OP_NE || e->op == OP_NOMATCH;
		/* cmp_values() has applied the operator already */
		if (e->rhs == RHS_PV || e->rhs == RHS_NUM || e->rhs == RHS_STR)
			return rc;
		return e->op == OP_NE || e->op == OP_NOMATCH ? !rc : rc;
	}
	if (rc == -1)
		return 0;	/* nothing to compare: false either way */
	if (e->op == OP_NE || e->op == OP_NOMATCH)
		return !rc;
	return rc;
}

static int run_cmd(const struct action *a, struct sip_msg *msg,
    struct act_state *st);

/* 1 true, 0 false; a call returning 0 sets RUN_EXIT in <st>. */
static int
eval_expr(const struct expr *e, struct sip_msg *msg, struct act_state *st)
{
	int v;

	switch (e->kind) {
	case EXPR_AND:
		v = eval_expr(e->left, msg, st);
		if (!v || st->stop)
			return 0;
		return eval_expr(e->right, msg, st);
	case EXPR_OR:
		v = eval_expr(e->left, msg, st);
		if (v || st->stop)
			return v;
		return eval_expr(e->right, msg, st);
	case EXPR_NOT:
		v = eval_expr(e->left, msg, st);
		return st->stop ? 0 : !v;
	case EXPR_CMP:
		return eval_cmp(e, msg);
	case EXPR_CALL:
		return run_cmd(e->call, msg, st) > 0;
	}
	return 0;
}

static int
run_route_call(const struct action *a, struct sip_msg *msg,
    struct act_state *st)
{
	int ret;

	/* The one recursion of the interpreter: route(N) nests, bounded. */
	if (st->depth >= ACT_MAX_DEPTH) {
		LM_ERR("%s:%d: route(%s): more than %d nested route calls, "
		    "stopping the script", a->pos.file, a->pos.line,
		    a->args[0].s, ACT_MAX_DEPTH);
		st->stop |= RUN_EXIT;
		return CMD_ERROR;
	}
	st->depth++;
	/* NOLINTNEXTLINE(misc-no-recursion): bounded by ACT_MAX_DEPTH */
	ret = run_list(route_tab[0][a->route_idx].body, msg, st);
	st->depth--;
	st->stop &= ~RUN_RETURN;
	return ret;
}

static int
run_cmd(const struct action *a, struct sip_msg *msg, struct act_state *st)
{
	int ret;

	switch (a->core != NULL ? a->core->flow : FLOW_NONE) {
	case FLOW_DROP:
		st->stop |= RUN_DROP | RUN_EXIT;
		return CMD_DROP;
	case FLOW_EXIT:
		st->stop |= RUN_EXIT;
		return CMD_DROP;
	case FLOW_RETURN:
		st->stop |= RUN_RETURN;
		return a->nargs > 0 ? (int)a->args[0].num : CMD_TRUE;
	case FLOW_ROUTE:
		return run_route_call(a, msg, st);
	case FLOW_NONE:
		break;
	}
	ret = a->core != NULL ? a->core->handler(msg, a->param[0], a->param[1])
			      : a->cmd->function(msg, a->param[0], a->param[1]);
	if (ret == CMD_DROP)
		st->stop |= RUN_EXIT;
	return ret;
}

static int
run_list(const struct action *a, struct sip_msg *msg, struct act_state *st)
{
	int ret = CMD_TRUE;

	for (; a != NULL && st->stop == 0; a = a->next) {
		if (a->kind == ACT_CMD) {
			ret = run_cmd(a, msg, st);
			continue;
		}
		/* Recursion follows the nesting of the script's blocks,
		 * which the parser bounds (NOLINT below). */
		if (eval_expr(a->cond, msg, st)) {
			if (st->stop == 0)
				ret = run_list(a->then_list, msg, st); /* NOLINT */
		} else if (st->stop == 0) {
			ret = run_list(a->else_list, msg, st); /* NOLINT */
		}
	}
	return ret;
}

int
act_run_route(const struct route_def *r, int type, struct sip_msg *msg,
    int *dropped)
{
	struct act_state st = { .type = type };
	int ret;

	ret = run_list(r->body, msg, &st);
	*dropped = (st.stop & RUN_DROP) != 0;
	return ret;
}

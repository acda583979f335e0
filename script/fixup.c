/*
 * fixup.c: the pass between parsing and running.  fix_routes() resolves
 * module commands, checks arity and where each command may run, runs the
 * fixups, compiles regular expressions and checks route(N) targets.
 * Attendant, once, after every module's init.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/re_check.h"
#include "script/route_struct.h"

static int nr_errors;

#define FIX_ERROR(pos, ...)                        \
	do {                                       \
		route_error((pos), __VA_ARGS__);   \
		nr_errors++;                       \
	} while (0)

int
fix_hostport_parse(const char *in, enum sip_proto *proto, char *host,
    int hsize, unsigned short *port)
{
	const char *p = in, *c, *end;
	char *e;
	long n;
	str s;

	*proto = PROTO_NONE;
	*port = 0;
	if ((c = strchr(p, ':')) != NULL && c != p && p[0] != '[') {
		s.s = (char *)(uintptr_t)p;
		s.len = (int)(c - p);
		if (proto_parse(&s, proto) == 0)
			p = c + 1;
	}
	if (*p == '[') {
		if ((end = strchr(p, ']')) == NULL)
			return -1;
		end++;
	} else {
		end = p + strcspn(p, ":");
	}
	if (end == p || end - p >= hsize || strchr(p, '/') != NULL)
		return -1;
	memcpy(host, p, (size_t)(end - p));
	host[end - p] = '\0';
	if (*end == '\0')
		return 0;
	if (*end != ':')
		return -1;
	n = strtol(end + 1, &e, 10);
	if (end[1] == '\0' || *e != '\0' || n < 1 || n > 65535)
		return -1;
	*port = (unsigned short)n;
	return 0;
}

/* Make each module command argument a config string, then its fixup. */
static void
fix_module_cmd(struct action *a)
{
	char num[24];
	void *orig;
	int i;

	for (i = 0; i < a->nargs; i++) {
		if (a->args[i].type == RVAL_NUM) {
			(void)snprintf(num, sizeof(num), "%ld", a->args[i].num);
			a->param[i] = strdup(num);
		} else {
			a->param[i] = strdup(a->args[i].s);
		}
		if (a->param[i] == NULL) {
			FIX_ERROR(&a->pos, "%s: out of memory", a->name);
			return;
		}
		a->param_owned |= 1u << i;
		if (a->cmd->fixup == NULL)
			continue;
		orig = a->param[i];
		fix_param_error("invalid value '%s'", (char *)orig);
		if (a->cmd->fixup(&a->param[i], i + 1) != 0) {
			FIX_ERROR(&a->args[i].pos, "%s: argument %d: %s", a->name,
			    i + 1, fix_param_last_error());
			return;
		}
		/* a fixup that replaced the string took ownership of it */
		if (a->param[i] != orig)
			a->param_owned &= ~(1u << i);
	}
}

static void
fix_cmd(struct action *a)
{
	char err[512];

	if (a->core != NULL) {
		if (a->core->flow == FLOW_ROUTE)
			return;		/* checked by check_route_call() */
		if (a->core->fixup != NULL
		    && a->core->fixup(a, err, (int)sizeof(err)) == -1)
			FIX_ERROR(&a->pos, "%s", err);
		return;
	}
	if ((a->cmd = mod_find_cmd(a->name, &a->mod)) == NULL) {
		mod_list_names(err, (int)sizeof(err));
		FIX_ERROR(&a->pos, "unknown command '%s' (loaded modules: %s)",
		    a->name, err);
		return;
	}
	if (a->nargs != a->cmd->nargs
	    && mod_find_cmd_nargs(a->name, a->nargs, NULL) != NULL)
		a->cmd = mod_find_cmd_nargs(a->name, a->nargs, &a->mod);
	if (a->nargs != a->cmd->nargs) {
		FIX_ERROR(&a->pos, "%s: takes %d argument%s, not %d", a->name,
		    a->cmd->nargs, a->cmd->nargs == 1 ? "" : "s", a->nargs);
		a->cmd = NULL;
		return;
	}
	fix_module_cmd(a);
}

static void
fix_route_call(struct action *a)
{
	const struct route_val *v = &a->args[0];

	if (v->type == RVAL_NUM)
		a->route_idx = (int)v->num;
	else
		a->route_idx = route_find_named(ROUTE_REQUEST, v->s);
	if (a->route_idx < 0 || a->route_idx >= ROUTE_SLOTS
	    || !route_tab[0][a->route_idx].defined) {
		if (v->type == RVAL_NUM)
			FIX_ERROR(&a->pos, "route(%ld): route[%ld] is not defined",
			    v->num, v->num);
		else
			FIX_ERROR(&a->pos, "route(%s): route[%s] is not defined",
			    v->s, v->s);
		a->route_idx = -1;
	}
}

static void
fix_regex(struct expr *e)
{
	char buf[256];
	int rc;

	if (re_check(e->val.s) == -1) {
		FIX_ERROR(&e->val.pos, "regular expression \"%s\" too complex "
		    "(nested or stacked repetitions expand to more than %d "
		    "nodes); simplify it", e->val.s, RE_CHECK_MAX_NODES);
		return;
	}
	if ((e->re = malloc(sizeof(*e->re))) == NULL) {
		FIX_ERROR(&e->val.pos, "out of memory");
		return;
	}
	rc = regcomp(e->re, e->val.s, REG_EXTENDED | REG_ICASE | REG_NOSUB);
	if (rc != 0) {
		(void)regerror(rc, e->re, buf, sizeof(buf));
		FIX_ERROR(&e->val.pos, "bad regular expression \"%s\": %s",
		    e->val.s, buf);
		free(e->re);
		e->re = NULL;
	}
}

static void fix_list(struct action *a);

/* `$pv op rhs`: the PVs exist once the modules have registered theirs. */
static void
fix_pv_cmp(struct expr *e)
{
	char err[256];

	if (pv_parse_all(e->pv, &e->lpv, err, (int)sizeof(err)) == -1)
		FIX_ERROR(&e->pos, "%s", err);
	if (e->rhs == RHS_PV
	    && pv_parse_all(e->val.s, &e->rpv, err, (int)sizeof(err)) == -1)
		FIX_ERROR(&e->val.pos, "%s", err);
}

static void
fix_expr(struct expr *e)
{
	switch (e->kind) {
	case EXPR_AND:
	case EXPR_OR:
		fix_expr(e->left);
		fix_expr(e->right);
		break;
	case EXPR_NOT:
		fix_expr(e->left);
		break;
	case EXPR_CALL:
		fix_list(e->call);
		break;
	case EXPR_CMP:
		if (e->lhs == LHS_PV)
			fix_pv_cmp(e);
		if (e->rhs == RHS_REGEX)
			fix_regex(e);
		break;
	}
}

static void
fix_list(struct action *a)
{
	for (; a != NULL; a = a->next) {
		if (a->kind == ACT_IF) {
			fix_expr(a->cond);
			fix_list(a->then_list);
			fix_list(a->else_list);
		} else if (a->core != NULL && a->core->flow == FLOW_ROUTE) {
			fix_route_call(a);
		} else {
			fix_cmd(a);
		}
	}
}

/* ---- which route types reach which route[N] ---------------------------- */

static void reach_list(const struct action *a, int type);

static void
reach_expr(const struct expr *e, int type)
{
	if (e == NULL)
		return;
	reach_expr(e->left, type);
	reach_expr(e->right, type);
	reach_list(e->call, type);
}

static void
reach_list(const struct action *a, int type)
{
	struct route_def *r;

	for (; a != NULL; a = a->next) {
		reach_expr(a->cond, type);
		reach_list(a->then_list, type);
		reach_list(a->else_list, type);
		if (a->core == NULL || a->core->flow != FLOW_ROUTE
		    || a->route_idx < 0)
			continue;
		r = &route_tab[0][a->route_idx];
		if ((r->called_from & type) == 0) {
			r->called_from |= type;
			reach_list(r->body, type);
		}
	}
}

/* ---- may this command run where it is? ---------------------------------- */

struct type_ctx {
	int types;			/* route types the body runs in */
	const struct route_def *sub;	/* route[N] reached by route(N) */
	int slot;
};

static void check_list(const struct action *a, const struct type_ctx *tc);

static void
check_expr(const struct expr *e, const struct type_ctx *tc)
{
	if (e == NULL)
		return;
	check_expr(e->left, tc);
	check_expr(e->right, tc);
	check_list(e->call, tc);
}

static void
check_cmd(const struct action *a, const struct type_ctx *tc)
{
	int allowed, bad, t;

	if (a->core != NULL)
		allowed = a->core->routes;
	else if (a->cmd != NULL)
		allowed = a->cmd->routes;
	else
		return;		/* unknown: reported already */
	if ((bad = tc->types & ~allowed) == 0)
		return;
	for (t = 1; (bad & t) == 0; t <<= 1)
		;
	if (tc->sub == NULL)
		FIX_ERROR(&a->pos, "%s() is not allowed in %s", a->name,
		    route_type_name(t));
	else if (tc->sub->name != NULL)
		FIX_ERROR(&a->pos, "%s() is not allowed in %s (route[%s] is "
		    "called from there)", a->name, route_type_name(t),
		    tc->sub->name);
	else
		FIX_ERROR(&a->pos, "%s() is not allowed in %s (route[%d] is "
		    "called from there)", a->name, route_type_name(t),
		    tc->slot);
}

static void
check_list(const struct action *a, const struct type_ctx *tc)
{
	for (; a != NULL; a = a->next) {
		check_expr(a->cond, tc);
		check_list(a->then_list, tc);
		check_list(a->else_list, tc);
		if (a->kind == ACT_CMD)
			check_cmd(a, tc);
	}
}

static const int route_types[ROUTE_TYPES] = {
	ROUTE_REQUEST, ROUTE_FAILURE, ROUTE_ONREPLY, ROUTE_BRANCH, ROUTE_ERROR,
};

int
fix_routes(void)
{
	struct type_ctx tc;
	struct route_def *r;
	int t, i;

	nr_errors = 0;
	route_error_buffer();
	for (t = 0; t < ROUTE_TYPES; t++)
		for (i = 0; i < ROUTE_SLOTS; i++)
			fix_list(route_tab[t][i].body);
	/* entry points: route{}, and every block of the other types */
	for (t = 0; t < ROUTE_TYPES; t++)
		for (i = 0; i < ROUTE_SLOTS; i++) {
			r = &route_tab[t][i];
			if (r->defined && (t > 0 || i == 0))
				reach_list(r->body, route_types[t]);
		}
	for (t = 0; t < ROUTE_TYPES; t++)
		for (i = 0; i < ROUTE_SLOTS; i++) {
			r = &route_tab[t][i];
			tc.types = r->called_from;
			tc.sub = NULL;
			tc.slot = i;
			if (t > 0 || i == 0)
				tc.types |= route_types[t];
			else
				tc.sub = r;
			check_list(r->body, &tc);
		}
	route_error_flush();
	return nr_errors;
}

/*
 * cfg_print.c: `openser -c -v`: the parsed configuration in canonical form
 * (one statement per line, routes indented with tabs, strings re-escaped,
 * `break` written as `return`).  The output parses again to the same
 * configuration; the golden tests in test/cfg/ check both.
 */
#include <stdio.h>
#include <string.h>

#include "cfg/cfg.h"
#include "cfg/cfg_ctx.h"
#include "tls/tls_config.h"

static void print_list(FILE *f, const struct action *a, int depth);

static void
print_str(FILE *f, const char *s)
{
	(void)fputc('"', f);
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '\\':
			/* "\." stays as written: the scanner keeps a backslash
			 * it does not know, which is what regexes need */
			if (s[1] != '\0' && strchr("\"\\nrt\n\r\t", s[1]) == NULL) {
				(void)fputc('\\', f);
				break;
			}
			(void)fputs("\\\\", f);
			break;
		case '"':
			(void)fputs("\\\"", f);
			break;
		case '\n':
			(void)fputs("\\n", f);
			break;
		case '\r':
			(void)fputs("\\r", f);
			break;
		case '\t':
			(void)fputs("\\t", f);
			break;
		default:
			(void)fputc(*s, f);
		}
	}
	(void)fputc('"', f);
}

static void
print_val(FILE *f, const struct route_val *v)
{
	switch (v->type) {
	case RVAL_NUM:
		(void)fprintf(f, "%ld", v->num);
		break;
	case RVAL_STR:
		print_str(f, v->s);
		break;
	case RVAL_WORD:
	case RVAL_PV:
		(void)fputs(v->s, f);
		break;
	case RVAL_NONE:
		break;
	}
}

static void
print_call(FILE *f, const struct action *a)
{
	int i;

	if (a->core != NULL && strcmp(a->core->name, "$=") == 0) {
		print_val(f, &a->args[0]);	/* `$pv = value` */
		(void)fputs(" = ", f);
		print_val(f, &a->args[1]);
		return;
	}
	if (a->core != NULL && a->core->flow != FLOW_NONE) {
		switch (a->core->flow) {
		case FLOW_DROP:
		case FLOW_EXIT:
			(void)fputs(a->name, f);
			return;
		case FLOW_RETURN:
			(void)fputs("return", f);
			if (a->nargs == 0)
				return;
			break;
		case FLOW_ROUTE:
			(void)fputs("route", f);
			break;
		case FLOW_NONE:
			break;
		}
	} else {
		(void)fputs(a->name, f);
	}
	(void)fputc('(', f);
	for (i = 0; i < a->nargs && i < ACT_MAX_ARGS; i++) {
		if (i > 0)
			(void)fputs(", ", f);
		print_val(f, &a->args[i]);
	}
	(void)fputc(')', f);
}

static int
expr_prec(const struct expr *e)
{
	switch (e->kind) {
	case EXPR_OR:
		return 1;
	case EXPR_AND:
		return 2;
	case EXPR_NOT:
		return 3;
	case EXPR_CMP:
	case EXPR_CALL:
		break;
	}
	return 4;
}

static void
print_expr(FILE *f, const struct expr *e, int parent)
{
	int prec = expr_prec(e), paren = prec < parent;

	if (paren)
		(void)fputc('(', f);
	switch (e->kind) {
	case EXPR_OR:
	case EXPR_AND:
		print_expr(f, e->left, prec);
		(void)fputs(e->kind == EXPR_OR ? " || " : " && ", f);
		print_expr(f, e->right, prec + 1);
		break;
	case EXPR_NOT:
		/* !(a == b) reads better than !a == b, which means the same */
		(void)fputc('!', f);
		print_expr(f, e->left, e->left->kind == EXPR_CMP ? 5 : 3);
		break;
	case EXPR_CMP:
		(void)fprintf(f, "%s %s ", e->lhs == LHS_PV ? e->pv
		    : cfg_lhs_name(e->lhs), cfg_op_name(e->op));
		print_val(f, &e->val);
		break;
	case EXPR_CALL:
		print_call(f, e->call);
		break;
	}
	if (paren)
		(void)fputc(')', f);
}

static void
indent(FILE *f, int depth)
{
	while (depth-- > 0)
		(void)fputc('\t', f);
}

/* if (...) { } [else if (...) { }]... [else { }] */
static void
print_if(FILE *f, const struct action *a, int depth)
{
	(void)fputs("if (", f);
	print_expr(f, a->cond, 0);
	(void)fputs(") {\n", f);
	print_list(f, a->then_list, depth + 1);
	indent(f, depth);
	(void)fputc('}', f);
	if (a->else_list == NULL)
		return;
	if (a->else_list->kind == ACT_IF && a->else_list->next == NULL) {
		(void)fputs(" else ", f);
		print_if(f, a->else_list, depth);
		return;
	}
	(void)fputs(" else {\n", f);
	print_list(f, a->else_list, depth + 1);
	indent(f, depth);
	(void)fputc('}', f);
}

static void
print_list(FILE *f, const struct action *a, int depth)
{
	for (; a != NULL; a = a->next) {
		indent(f, depth);
		if (a->kind == ACT_CMD)
			print_call(f, a);
		else
			print_if(f, a, depth);
		(void)fputs(a->kind == ACT_CMD ? ";\n" : "\n", f);
	}
}

static void
print_route(FILE *f, int type, int slot)
{
	const struct route_def *r = &route_tab[route_type_index(type)][slot];

	(void)fprintf(f, "\n%s", route_type_name(type));
	if (r->name != NULL)
		(void)fprintf(f, "[%s]", r->name);
	else if (slot != 0 || type == ROUTE_FAILURE || type == ROUTE_BRANCH)
		(void)fprintf(f, "[%d]", slot);
	(void)fputs(" {\n", f);
	print_list(f, r->body, 1);
	(void)fputs("}\n", f);
}

/* TLS domain blocks go after the globals and modparams, before routes. */
void
cfg_print(FILE *f)
{
	const struct cfg_item *it;
	int tls_done = 0;

	for (it = cfg_items(); it != NULL; it = it->next) {
		if (it->kind == CFG_ITEM_ROUTE && !tls_done) {
			cfg_tls_print(f);
			tls_done = 1;
		}
		switch (it->kind) {
		case CFG_ITEM_GLOBAL:
			(void)fprintf(f, "%s = ", it->name);
			print_val(f, &it->val);
			(void)fputc('\n', f);
			break;
		case CFG_ITEM_LOADMODULE:
			(void)fputs("loadmodule ", f);
			print_str(f, it->name);
			(void)fputc('\n', f);
			break;
		case CFG_ITEM_MODPARAM:
			(void)fputs("modparam(", f);
			print_str(f, it->name);
			(void)fputs(", ", f);
			print_str(f, it->param);
			(void)fputs(", ", f);
			print_val(f, &it->val);
			(void)fputs(")\n", f);
			break;
		case CFG_ITEM_ROUTE:
			print_route(f, it->type, it->slot);
			break;
		}
	}
	if (!tls_done)
		cfg_tls_print(f);
}

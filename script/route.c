/*
 * route.c: the route table, route tree constructors and destructors, and
 * the entry points of route.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "script/action.h"
#include "script/dset.h"
#include "script/route_struct.h"

struct route_def route_tab[ROUTE_TYPES][ROUTE_SLOTS];

static const char *const type_names[ROUTE_TYPES] = {
	"route", "failure_route", "onreply_route", "branch_route",
	"error_route",
};

int
route_type_index(int type)
{
	switch (type) {
	case ROUTE_REQUEST:
		return 0;
	case ROUTE_FAILURE:
		return 1;
	case ROUTE_ONREPLY:
		return 2;
	case ROUTE_BRANCH:
		return 3;
	case ROUTE_ERROR:
		return 4;
	default:
		return -1;
	}
}

const char *
route_type_name(int type)
{
	int i = route_type_index(type);

	return i < 0 ? "?" : type_names[i];
}

int
route_find_named(int type, const char *name)
{
	int t = route_type_index(type), i;

	for (i = ROUTE_MAX_NUM; t >= 0 && i < ROUTE_SLOTS; i++)
		if (route_tab[t][i].name != NULL
		    && strcmp(route_tab[t][i].name, name) == 0)
			return i;
	return -1;
}

int
route_new_named_slot(int type)
{
	int t = route_type_index(type), i;

	for (i = ROUTE_MAX_NUM; t >= 0 && i < ROUTE_SLOTS; i++)
		if (route_tab[t][i].name == NULL)
			return i;
	return -1;
}

/* Config time: out of memory while building the tree is fatal. */
static void *
route_zalloc(size_t size)
{
	void *p = calloc(1, size);

	if (p == NULL) {
		(void)fprintf(stderr, "out of memory while parsing the config\n");
		exit(1);
	}
	return p;
}

struct action *
route_act_new(const struct route_pos *pos)
{
	struct action *a = route_zalloc(sizeof(*a));

	a->pos = *pos;
	return a;
}

struct expr *
route_expr_new(enum expr_kind kind, const struct route_pos *pos)
{
	struct expr *e = route_zalloc(sizeof(*e));

	e->kind = kind;
	e->pos = *pos;
	return e;
}

struct action *
route_act_append(struct action *a, struct action *b)
{
	struct action *p;

	if (a == NULL)
		return b;
	for (p = a; p->next != NULL; p = p->next)
		;
	p->next = b;
	return a;
}

void
route_val_clear(struct route_val *v)
{
	if (v == NULL)
		return;
	free(v->s);
	v->s = NULL;
	v->type = RVAL_NONE;
}

void
route_expr_free(struct expr *e)
{
	if (e == NULL)
		return;
	route_expr_free(e->left);
	route_expr_free(e->right);
	route_act_free(e->call);
	route_val_clear(&e->val);
	if (e->re != NULL) {
		regfree(e->re);
		free(e->re);
	}
	free(e);
}

void
route_act_free(struct action *a)
{
	struct action *next;
	int i;

	for (; a != NULL; a = next) {
		next = a->next;
		free(a->name);
		for (i = 0; i < ACT_MAX_ARGS; i++)
			route_val_clear(&a->args[i]);
		/* core fixups allocate their params in config memory; module
		 * fixups own theirs (they may point into module data) */
		for (i = 0; i < CMD_MAX_ARGS; i++)
			if (a->param_owned & (1u << i))
				free(a->param[i]);
		route_expr_free(a->cond);
		route_act_free(a->then_list);
		route_act_free(a->else_list);
		free(a);
	}
}

void
route_free_all(void)
{
	int t, i;

	for (t = 0; t < ROUTE_TYPES; t++)
		for (i = 0; i < ROUTE_SLOTS; i++) {
			route_act_free(route_tab[t][i].body);
			free(route_tab[t][i].name);
			memset(&route_tab[t][i], 0, sizeof(route_tab[t][i]));
		}
}

struct route_msg {
	struct route_pos pos;
	char *text;
	int seq;
};

static struct route_msg *queued;
static int nr_queued, buffering;

void
route_error(const struct route_pos *pos, const char *fmt, ...)
{
	char buf[1024];
	struct route_msg *m;
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(buf, sizeof(buf), fmt, ap); /* truncation is fine */
	va_end(ap);
	if (buffering) {
		m = realloc(queued, sizeof(*queued) * (size_t)(nr_queued + 1));
		if (m != NULL) {
			queued = m;
			m = &queued[nr_queued];
			if ((m->text = strdup(buf)) != NULL) {
				m->pos = *pos;
				m->seq = nr_queued++;
				return;
			}
		}
	}
	(void)fprintf(stderr, "%s:%d:%d: %s\n", pos->file, pos->line, pos->col,
	    buf);
}

void
route_error_buffer(void)
{
	buffering = 1;
}

static int
msg_cmp(const void *a, const void *b)
{
	const struct route_msg *x = a, *y = b;

	if (x->pos.line != y->pos.line)
		return x->pos.line - y->pos.line;
	if (x->pos.col != y->pos.col)
		return x->pos.col - y->pos.col;
	return x->seq - y->seq;
}

void
route_error_flush(void)
{
	int i;

	buffering = 0;
	if (nr_queued > 0)
		qsort(queued, (size_t)nr_queued, sizeof(*queued), msg_cmp);
	for (i = 0; i < nr_queued; i++) {
		route_error(&queued[i].pos, "%s", queued[i].text);
		free(queued[i].text);
	}
	free(queued);
	queued = NULL;
	nr_queued = 0;
}

int
route_has(int type, int idx)
{
	int t = route_type_index(type);

	if (t < 0 || idx < 0 || idx >= ROUTE_SLOTS)
		return 0;
	return route_tab[t][idx].defined;
}

int
route_run(int type, int idx, struct sip_msg *msg)
{
	int dropped;

	if (!route_has(type, idx))
		return -1;
	(void)act_run_route(&route_tab[route_type_index(type)][idx], type, msg,
	    &dropped);
	return dropped ? 0 : 1;
}

int
route_run_request(struct sip_msg *msg)
{
	dset_clear();
	return route_run(ROUTE_REQUEST, 0, msg) == -1 ? -1 : 0;
}

int
route_run_onreply(struct sip_msg *msg)
{
	return route_run(ROUTE_ONREPLY, 0, msg) == 0 ? 0 : 1;
}

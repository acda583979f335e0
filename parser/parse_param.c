/*
 * parse_param.c: ";name[=value]" parameter lists, allowing LWS (folds
 * included) around ';' and '=' as SEMI and EQUAL do in RFC 3261 25.1.
 */
#include "mem/pkg.h"
#include "parser/parse_char.h"
#include "parser/parse_param.h"

static int
param_is_value_char(unsigned char c)
{
	/* token, plus what a host or an IPv6 reference adds */
	return pc_is_token(c) || c == ':' || c == '[' || c == ']';
}

/*
 * Parse one parameter at <*pp> (before <end>): optional LWS, ';', name,
 * optional '=' value.  Returns 1 and fills <name>, <value> (value empty
 * when there is no '='), with <*pp> just past the parameter; 0 when the
 * next non-LWS char is not ';' (<*pp> then points at it, or at <end>);
 * -1 on a syntax error (empty name, '=' without a value, open quote).
 */
int
parse_param_next(char **pp, const char *end, str *name, str *value)
{
	char *p = pc_skip_lws(*pp, end), *q;

	if (p >= end || *p != ';') {
		*pp = p;
		return 0;
	}
	p = pc_skip_lws(p + 1, end);
	q = pc_skip_token(p, end);
	if (q == p)
		return -1;
	name->s = p;
	name->len = (int)(q - p);
	value->s = q;
	value->len = 0;
	p = pc_skip_lws(q, end);
	if (p >= end || *p != '=') {
		*pp = q;
		return 1;
	}
	p = pc_skip_lws(p + 1, end);
	if (p < end && *p == '"') {
		if ((q = pc_skip_quoted(p, end)) == NULL)
			return -1;
	} else {
		for (q = p; q < end && param_is_value_char((unsigned char)*q);)
			q++;
	}
	if (q == p)
		return -1;
	value->s = p;
	value->len = (int)(q - p);
	*pp = q;
	return 1;
}

/* Free a list made by parse_param_list(); NULL is fine. */
void
parse_param_free(struct param *list)
{
	struct param *n;

	for (; list != NULL; list = n) {
		n = list->next;
		pkg_free(list);
	}
}

/*
 * Parse every parameter at <*pp> into a new pkg list appended to <*list>
 * in order; stops at the first non-LWS char that is not ';' and leaves
 * <*pp> there.  0, or -1 on a syntax error or no memory (the entries
 * already appended stay on <*list> for the caller to free).
 */
int
parse_param_list(char **pp, const char *end, struct param **list)
{
	struct param **tail = list, *prm;
	str name, value;
	int rc;

	while (*tail != NULL)
		tail = &(*tail)->next;
	while ((rc = parse_param_next(pp, end, &name, &value)) == 1) {
		if ((prm = pkg_zalloc(sizeof(*prm))) == NULL)
			return -1;
		prm->name = name;
		prm->value = value;
		*tail = prm;
		tail = &prm->next;
	}
	return rc;
}

/* The first parameter of <list> named <name> (any case), or NULL. */
struct param *
parse_param_find(struct param *list, const char *name)
{
	for (; list != NULL; list = list->next)
		if (str_caseeq_cstr(&list->name, name))
			return list;
	return NULL;
}

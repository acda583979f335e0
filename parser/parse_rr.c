/*
 * parse_rr.c: Route / Record-Route / Path values.  Each entry must be a
 * name-addr ("<" URI ">"), as RFC 3261 requires for these headers.
 */
#include "mem/pkg.h"
#include "parser/hf.h"
#include "parser/parse_char.h"
#include "parser/parse_rr.h"
#include "parser/parse_to.h"

/* Free a list of route entries (pkg).  NULL is fine. */
void
rr_free(struct rr *r)
{
	struct rr *n;

	for (; r != NULL; r = n) {
		n = r->next;
		parse_param_free(r->params);
		pkg_free(r);
	}
}

static int
rr_parse_one(char **pp, const char *end, struct rr *r)
{
	r->start = pc_skip_lws(*pp, end);
	if (parse_to_nameaddr(pp, end, &r->display, &r->uri, ",") < 0)
		return -1;
	/* name-addr only: the URI must have been inside <> */
	if (r->uri.s <= r->start || r->uri.s[-1] != '<')
		return -1;
	r->nameaddr.s = r->display.len > 0 ? r->display.s : r->uri.s - 1;
	r->nameaddr.len = (int)(r->uri.s + r->uri.len + 1 - r->nameaddr.s);
	if (parse_param_list(pp, end, &r->params) < 0)
		return -1;
	r->len = (int)(*pp - r->start);
	return 0;
}

/*
 * Parse the Route/Record-Route value <in> into a new pkg list at <*head>
 * (in order).  0, or -1 with <*head> NULL and nothing left allocated.
 */
int
parse_rr_body(str *in, struct rr **head)
{
	struct rr **tail = head, *r;
	char *p = in->s, *end = in->s != NULL ? in->s + in->len : NULL;

	*head = NULL;
	if (p == NULL || in->len <= 0)
		return -1;
	for (;;) {
		if ((r = pkg_zalloc(sizeof(*r))) == NULL)
			goto fail;
		*tail = r;
		tail = &r->next;
		if (rr_parse_one(&p, end, r) < 0)
			goto fail;
		p = pc_skip_lws(p, end);
		if (p >= end)
			return 0;
		if (*p != ',')
			goto fail;
		p++;
	}
fail:
	rr_free(*head);
	*head = NULL;
	return -1;
}

static void
rr_hook(void *p)
{
	rr_free(p);
}

/*
 * Parse the Route, Record-Route or Path header <hf> into a struct rr list
 * at hf->parsed (free_parsed hook registered).  Idempotent.  0 or -1.
 */
int
parse_rr(struct hdr_field *hf)
{
	struct rr *head;

	if (hf->parsed != NULL)
		return 0;
	if (parse_rr_body(&hf->body, &head) < 0)
		return -1;
	hf->parsed = head;
	hf->free_parsed = rr_hook;
	return 0;
}

/*
 * parse_option_tags.c: comma-separated option tags (tokens).
 */
#include <string.h>

#include "mem/pkg.h"
#include "parser/hf.h"
#include "parser/parse_char.h"
#include "parser/parse_option_tags.h"

static void
option_tags_free_list(struct option_tag *t)
{
	struct option_tag *n;

	for (; t != NULL; t = n) {
		n = t->next;
		pkg_free(t);
	}
}

/* Free <ob> and its tags (pkg).  NULL is fine. */
void
option_tag_body_free(struct option_tag_body *ob)
{
	if (ob == NULL)
		return;
	option_tags_free_list(ob->tags);
	pkg_free(ob);
}

/*
 * Parse the value <in>, "token *(COMMA token)", into <ob> (caller's,
 * overwritten; the tags are pkg).  An empty value is an empty list.
 * 0, or -1 on a syntax error (nothing left allocated).
 */
int
parse_option_tags_body(str *in, struct option_tag_body *ob)
{
	struct option_tag **tail = &ob->tags, *t;
	char *p = in->s, *end = in->s != NULL ? in->s + in->len : NULL, *q;

	memset(ob, 0, sizeof(*ob));
	if (p == NULL || (p = pc_skip_lws(p, end)) == end)
		return 0;
	for (;;) {
		q = pc_skip_token(p, end);
		if (q == p || (t = pkg_zalloc(sizeof(*t))) == NULL)
			goto fail;
		t->tag.s = p;
		t->tag.len = (int)(q - p);
		*tail = t;
		tail = &t->next;
		ob->n++;
		p = pc_skip_lws(q, end);
		if (p >= end)
			return 0;
		if (*p != ',')
			goto fail;
		p = pc_skip_lws(p + 1, end);
	}
fail:
	option_tags_free_list(ob->tags);
	memset(ob, 0, sizeof(*ob));
	return -1;
}

/* 1 when <ob> lists <tag> (any case), else 0. */
int
parse_option_tags_has(const struct option_tag_body *ob, const char *tag)
{
	const struct option_tag *t;

	for (t = ob->tags; t != NULL; t = t->next)
		if (str_caseeq_cstr(&t->tag, tag))
			return 1;
	return 0;
}

static void
option_tag_body_hook(void *p)
{
	option_tag_body_free(p);
}

/*
 * Parse the option-tag header <hf> into a pkg option_tag_body at
 * hf->parsed (hook registered).  Idempotent.  0 or -1.
 */
int
parse_option_tags(struct hdr_field *hf)
{
	struct option_tag_body *ob;

	if (hf->parsed != NULL)
		return 0;
	if ((ob = pkg_malloc(sizeof(*ob))) == NULL)
		return -1;
	if (parse_option_tags_body(&hf->body, ob) < 0) {
		pkg_free(ob);
		return -1;
	}
	hf->parsed = ob;
	hf->free_parsed = option_tag_body_hook;
	return 0;
}

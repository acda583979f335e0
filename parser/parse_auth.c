/*
 * parse_auth.c: credentials = scheme LWS auth-param *(COMMA auth-param),
 * auth-param = token EQUAL ( token / quoted-string ).
 */
#include <string.h>

#include "mem/pkg.h"
#include "parser/hf.h"
#include "parser/parse_auth.h"
#include "parser/parse_char.h"

/* Free <ab> and its parameter list (pkg).  NULL is fine. */
void
auth_body_free(struct auth_body *ab)
{
	if (ab == NULL)
		return;
	parse_param_free(ab->params);
	pkg_free(ab);
}

static void
auth_known(struct auth_body *ab, const str *name, const str *value)
{
	static const struct {
		const char *name;
		size_t off;
	} known[] = {
		{ "username", offsetof(struct auth_body, username) },
		{ "realm", offsetof(struct auth_body, realm) },
		{ "nonce", offsetof(struct auth_body, nonce) },
		{ "uri", offsetof(struct auth_body, uri) },
		{ "response", offsetof(struct auth_body, response) },
		{ "algorithm", offsetof(struct auth_body, algorithm) },
		{ "cnonce", offsetof(struct auth_body, cnonce) },
		{ "opaque", offsetof(struct auth_body, opaque) },
		{ "qop", offsetof(struct auth_body, qop) },
		{ "nc", offsetof(struct auth_body, nc) },
	};
	str v = *value;
	size_t i;

	if (v.len >= 2 && v.s[0] == '"') {
		v.s++;
		v.len -= 2;
	}
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (str_caseeq_cstr(name, known[i].name)) {
			*(str *)(void *)((char *)ab + known[i].off) = v;
			return;
		}
}

/* One "name = value" at <*pp>; appended to ab->params. */
static int
auth_parse_param(char **pp, const char *end, struct auth_body *ab,
    struct param ***tail)
{
	struct param *prm;
	char *p = pc_skip_lws(*pp, end), *q;
	str name, value;

	q = pc_skip_token(p, end);
	if (q == p)
		return -1;
	name.s = p;
	name.len = (int)(q - p);
	p = pc_skip_lws(q, end);
	if (p >= end || *p != '=')
		return -1;
	p = pc_skip_lws(p + 1, end);
	if (p < end && *p == '"') {
		if ((q = pc_skip_quoted(p, end)) == NULL)
			return -1;
	} else {
		for (q = p; q < end && *q != ',' && *q != '"'
		    && !pc_is_lws((unsigned char)*q); q++)
			;
		if (q == p)
			return -1;
	}
	value.s = p;
	value.len = (int)(q - p);
	if ((prm = pkg_zalloc(sizeof(*prm))) == NULL)
		return -1;
	prm->name = name;
	prm->value = value;
	**tail = prm;
	*tail = &prm->next;
	auth_known(ab, &name, &value);
	*pp = q;
	return 0;
}

/*
 * Parse the credentials <in> into <ab> (caller's, overwritten; the
 * parameter list is pkg).  0, or -1 on a syntax error (nothing left
 * allocated).
 */
int
parse_auth_body(str *in, struct auth_body *ab)
{
	struct param **tail = &ab->params;
	char *p = in->s, *end = in->s != NULL ? in->s + in->len : NULL, *q;

	memset(ab, 0, sizeof(*ab));
	if (p == NULL)
		return -1;
	p = pc_skip_lws(p, end);
	q = pc_skip_token(p, end);
	if (q == p)
		return -1;
	ab->scheme.s = p;
	ab->scheme.len = (int)(q - p);
	p = pc_skip_lws(q, end);
	if (p == q || p >= end)
		goto fail;
	for (;;) {
		if (auth_parse_param(&p, end, ab, &tail) < 0)
			goto fail;
		p = pc_skip_lws(p, end);
		if (p >= end)
			return 0;
		if (*p != ',')
			goto fail;
		p++;
	}
fail:
	parse_param_free(ab->params);
	memset(ab, 0, sizeof(*ab));
	return -1;
}

static void
auth_body_hook(void *p)
{
	auth_body_free(p);
}

/*
 * Parse the (Proxy-)Authorization header <hf> into a pkg auth_body at
 * hf->parsed (hook registered).  Idempotent.  0 or -1.
 */
int
parse_auth(struct hdr_field *hf)
{
	struct auth_body *ab;

	if (hf->parsed != NULL)
		return 0;
	if ((ab = pkg_malloc(sizeof(*ab))) == NULL)
		return -1;
	if (parse_auth_body(&hf->body, ab) < 0) {
		pkg_free(ab);
		return -1;
	}
	hf->parsed = ab;
	hf->free_parsed = auth_body_hook;
	return 0;
}

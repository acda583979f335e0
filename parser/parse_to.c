/*
 * parse_to.c: To and From values (RFC 3261 20.20, 20.39, 25.1):
 * name-addr or addr-spec, then ";param"s.  An addr-spec without <> ends
 * at the first ';' or LWS: what follows are header parameters.
 */
#include <string.h>

#include "mem/pkg.h"
#include "parser/hf.h"
#include "parser/msg_parser.h"
#include "parser/parse_char.h"
#include "parser/parse_param.h"
#include "parser/parse_to.h"

/* Free the parameter list of <tb> (not <tb> itself).  NULL is fine. */
void
to_body_free(struct to_body *tb)
{
	struct to_param *n, *tp;

	if (tb == NULL)
		return;
	for (tp = tb->param_lst; tp != NULL; tp = n) {
		n = tp->next;
		pkg_free(tp);
	}
	tb->param_lst = NULL;
}

/*
 * The URI of an addr-spec or of a name-addr's <...>: no LWS, no quotes or
 * angle brackets, and a scheme before a ':'.
 */
static int
to_uri_ok(const str *uri)
{
	int i, colon = -1;

	for (i = 0; i < uri->len; i++) {
		unsigned char c = (unsigned char)uri->s[i];

		if (c <= ' ' || c >= 0x7f || c == '<' || c == '>' || c == '"')
			return 0;
		if (c == ':' && colon < 0)
			colon = i;
	}
	return colon > 0;
}

/*
 * Parse the name-addr or addr-spec at <*pp>: fill <display> (quotes kept,
 * may be empty) and <uri>, leave <*pp> after it.  Shared with the Contact
 * and Route parsers through parse_to_nameaddr().  <stop> lists the chars
 * besides ';' and LWS that end an addr-spec (",": lists).  0 or -1.
 */
int
parse_to_nameaddr(char **pp, const char *end, str *display, str *uri,
    const char *stop)
{
	char *p = pc_skip_lws(*pp, end), *q;

	display->s = p;
	display->len = 0;
	if (p < end && *p == '"') {
		if ((q = pc_skip_quoted(p, end)) == NULL)
			return -1;
		display->len = (int)(q - p);
		p = pc_skip_lws(q, end);
		if (p >= end || *p != '<')
			return -1;
	} else {
		for (q = p; q < end && (pc_is_token((unsigned char)*q)
		    || pc_is_lws((unsigned char)*q)); q++)
			;
		if (q < end && *q == '<') {
			display->len = (int)(q - p);
			while (display->len > 0
			    && pc_is_lws((unsigned char)p[display->len - 1]))
				display->len--;
			p = q;
		}
	}
	if (p < end && *p == '<') {
		if ((q = memchr(p, '>', (size_t)(end - p))) == NULL)
			return -1;
		uri->s = p + 1;
		uri->len = (int)(q - p - 1);
		p = q + 1;
	} else {
		for (q = p; q < end && *q != ';'
		    && !pc_is_lws((unsigned char)*q)
		    && (*q == '\0' || strchr(stop, *q) == NULL); q++)
			;
		uri->s = p;
		uri->len = (int)(q - p);
		p = q;
	}
	if (!to_uri_ok(uri))
		return -1;
	*pp = p;
	return 0;
}

/*
 * Parse the To/From value <in> into <tb> (caller's, overwritten): display
 * name, URI, tag and the other parameters (a pkg list, free it with
 * to_body_free()).  0, or -1 with tb->error set on a syntax error or no
 * memory.  Any process.
 */
int
parse_to(str *in, struct to_body *tb)
{
	struct to_param **tail, *tp;
	char *p, *end;
	str name, value;
	int rc;

	memset(tb, 0, sizeof(*tb));
	tb->body = *in;
	str_trim(&tb->body);
	p = tb->body.s;
	end = p + tb->body.len;
	if (tb->body.len == 0
	    || parse_to_nameaddr(&p, end, &tb->display, &tb->uri, "") < 0)
		goto fail;
	tail = &tb->param_lst;
	while ((rc = parse_param_next(&p, end, &name, &value)) == 1) {
		if ((tp = pkg_zalloc(sizeof(*tp))) == NULL)
			goto fail;
		tp->name = name;
		tp->value = value;
		*tail = tp;
		tail = &tp->next;
		if (str_caseeq_cstr(&name, "tag")) {
			if (value.len == 0)
				goto fail;
			tb->tag_value = value;
		}
	}
	if (rc < 0 || p != end)
		goto fail;
	return 0;
fail:
	to_body_free(tb);
	tb->error = 1;
	return -1;
}

static void
to_body_hook(void *p)
{
	to_body_free(p);
	pkg_free(p);
}

/*
 * Parse the value of the To or From header <hf> into a pkg to_body at
 * hf->parsed, registering its free_parsed hook.  Does nothing when
 * hf->parsed is already set.  0 or -1.
 */
int
parse_to_hf(struct hdr_field *hf)
{
	struct to_body *tb;

	if (hf->parsed != NULL)
		return 0;
	if ((tb = pkg_malloc(sizeof(*tb))) == NULL)
		return -1;
	if (parse_to(&hf->body, tb) < 0) {
		pkg_free(tb);
		return -1;
	}
	hf->parsed = tb;
	hf->free_parsed = to_body_hook;
	return 0;
}

static int
to_header(struct sip_msg *msg, struct hdr_field **hf, uint64_t flag)
{
	if (*hf == NULL && parse_headers(msg, flag, 0) < 0)
		return -1;
	if (*hf == NULL)
		return -1;
	return parse_to_hf(*hf);
}

/*
 * Make sure the first To header of <msg> is split and parsed:
 * get_to(msg) is then valid.  -1 when it is missing or malformed.
 */
int
parse_to_header(struct sip_msg *msg)
{
	return to_header(msg, &msg->to, HDR_TO_F);
}

/* The same for the first From header: get_from(msg). */
int
parse_from_header(struct sip_msg *msg)
{
	return to_header(msg, &msg->from, HDR_FROM_F);
}

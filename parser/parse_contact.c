/*
 * parse_contact.c: Contact values, lazily: nothing here runs until a
 * caller (registrar, NAT helpers) asks for it.
 */
#include <string.h>

#include "mem/pkg.h"
#include "parser/msg_parser.h"
#include "parser/parse_char.h"
#include "parser/parse_contact.h"
#include "parser/parse_to.h"

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) */
static int
contact_qvalue_ok(const str *v)
{
	int i;

	if (v->len < 1 || v->len > 5 || (v->s[0] != '0' && v->s[0] != '1'))
		return 0;
	if (v->len == 1)
		return 1;
	if (v->s[1] != '.')
		return 0;
	for (i = 2; i < v->len; i++)
		if (!pc_is_digit((unsigned char)v->s[i])
		    || (v->s[0] == '1' && v->s[i] != '0'))
			return 0;
	return 1;
}

/*
 * The expires parameter of <c> as a number (delta-seconds, 32 bits) in
 * <val>.  0, or -1 when absent or invalid.
 */
int
parse_contact_expires(const struct contact *c, unsigned int *val)
{
	if (c->expires == NULL)
		return -1;
	return str_to_uint(&c->expires->value, val);
}

static int
contact_classify(struct contact *c)
{
	struct param *p;
	unsigned int v;

	for (p = c->params; p != NULL; p = p->next) {
		if (str_caseeq_cstr(&p->name, "q")) {
			if (!contact_qvalue_ok(&p->value))
				return -1;
			if (c->q == NULL)
				c->q = p;
		} else if (str_caseeq_cstr(&p->name, "expires")) {
			if (str_to_uint(&p->value, &v) < 0)
				return -1;
			if (c->expires == NULL)
				c->expires = p;
		} else if (str_caseeq_cstr(&p->name, "received")) {
			if (c->received == NULL)
				c->received = p;
		} else if (str_caseeq_cstr(&p->name, "methods")) {
			if (c->methods == NULL)
				c->methods = p;
		} else if (str_caseeq_cstr(&p->name, "+sip.instance")) {
			if (c->instance == NULL)
				c->instance = p;
		}
	}
	return 0;
}

/* Free the contacts of <cb> and <cb> itself (pkg).  NULL is fine. */
void
contact_body_free(struct contact_body *cb)
{
	struct contact *c, *n;

	if (cb == NULL)
		return;
	for (c = cb->contacts; c != NULL; c = n) {
		n = c->next;
		parse_param_free(c->params);
		pkg_free(c);
	}
	pkg_free(cb);
}

/* One contact-param at <*pp>, appended to <*tail>. */
static int
contact_parse_one(char **pp, const char *end, struct contact ***tail)
{
	struct contact *c;
	int in_brackets;

	if ((c = pkg_zalloc(sizeof(*c))) == NULL)
		return -1;
	**tail = c;
	*tail = &c->next;
	c->start = pc_skip_lws(*pp, end);
	if (parse_to_nameaddr(pp, end, &c->name, &c->uri, ",") < 0)
		return -1;
	/* an addr-spec may not hold '?', ',' or ';' (RFC 3261 20.10) */
	in_brackets = c->uri.s > c->start && c->uri.s[-1] == '<';
	if (!in_brackets && memchr(c->uri.s, '?', (size_t)c->uri.len) != NULL)
		return -1;
	if (parse_param_list(pp, end, &c->params) < 0
	    || contact_classify(c) < 0)
		return -1;
	c->len = (int)(*pp - c->start);
	return 0;
}

/*
 * Parse the Contact value <in> into <cb> (caller's, overwritten): "*" or
 * one or more comma-separated contacts, each a pkg struct contact with
 * its parameters.  q must be a qvalue, expires a 32-bit number.  0, or -1
 * (what was allocated stays on cb->contacts: free it with
 * contact_body_free() when <cb> is pkg, or free the list).
 */
int
parse_contact_body(str *in, struct contact_body *cb)
{
	struct contact **tail = &cb->contacts;
	char *p = in->s, *end = in->s != NULL ? in->s + in->len : NULL;

	memset(cb, 0, sizeof(*cb));
	if (p == NULL || in->len <= 0)
		return -1;
	p = pc_skip_lws(p, end);
	if (p < end && *p == '*') {
		cb->star = 1;
		return pc_skip_lws(p + 1, end) == end ? 0 : -1;
	}
	for (;;) {
		if (contact_parse_one(&p, end, &tail) < 0)
			return -1;
		p = pc_skip_lws(p, end);
		if (p >= end)
			return 0;
		if (*p != ',')
			return -1;
		p++;
	}
}

static void
contact_body_hook(void *p)
{
	contact_body_free(p);
}

/*
 * Parse the Contact header <hf> into a pkg contact_body at hf->parsed
 * (free_parsed hook registered).  Does nothing when already parsed.
 * 0 or -1.
 */
int
parse_contact(struct hdr_field *hf)
{
	struct contact_body *cb;

	if (hf->parsed != NULL)
		return 0;
	if ((cb = pkg_malloc(sizeof(*cb))) == NULL)
		return -1;
	if (parse_contact_body(&hf->body, cb) < 0) {
		contact_body_free(cb);
		return -1;
	}
	hf->parsed = cb;
	hf->free_parsed = contact_body_hook;
	return 0;
}

/*
 * Split all headers of <msg> and parse every Contact header.  0 (also
 * when there is none), or -1 when a header is malformed.  A "*" mixed
 * with other contacts across headers is an error too.
 */
int
parse_contact_all(struct sip_msg *msg)
{
	struct hdr_field *hf;
	int star = 0, n = 0;

	if (parse_headers(msg, HDR_EOH_F, 0) < 0)
		return -1;
	for (hf = msg->contact; hf != NULL; hf = hf->sibling) {
		if (parse_contact(hf) < 0)
			return -1;
		star |= ((struct contact_body *)hf->parsed)->star;
		n++;
	}
	return star && n > 1 ? -1 : 0;
}

/*
 * parse_via.c: Via header values (RFC 3261 20.42 and 25.1): one or more
 * comma-separated bodies "SIP / 2.0 / UDP host[:port] *(;param)", with
 * LWS (folds included) allowed around '/', ':', ';', '=' and ','.
 */
#include <string.h>

#include "mem/pkg.h"
#include "parser/hf.h"
#include "parser/parse_char.h"
#include "parser/parse_param.h"
#include "parser/parse_uri.h"
#include "parser/parse_via.h"

static const struct {
	const char *name;
	enum via_param_type type;
	size_t off;		/* of the via_body shortcut pointer, or 0 */
} via_params[] = {
	{ "branch", VIA_PARAM_BRANCH, offsetof(struct via_body, branch) },
	{ "received", VIA_PARAM_RECEIVED,
	    offsetof(struct via_body, received) },
	{ "rport", VIA_PARAM_RPORT, offsetof(struct via_body, rport) },
	{ "maddr", VIA_PARAM_MADDR, offsetof(struct via_body, maddr) },
	{ "ttl", VIA_PARAM_TTL, offsetof(struct via_body, ttl) },
	{ "alias", VIA_PARAM_ALIAS, offsetof(struct via_body, alias) },
	{ "i", VIA_PARAM_I, 0 },
};

static void
via_params_free(struct via_param *vp)
{
	struct via_param *n;

	for (; vp != NULL; vp = n) {
		n = vp->next;
		pkg_free(vp);
	}
}

/*
 * Free what parse_via() allocated for <vb>: its parameter list and the
 * bodies chained after it (those are pkg and freed whole).  <vb> itself
 * belongs to the caller.  NULL is fine.
 */
void
via_body_free(struct via_body *vb)
{
	struct via_body *n;

	if (vb == NULL)
		return;
	via_params_free(vb->param_lst);
	vb->param_lst = NULL;
	for (vb = vb->next; vb != NULL; vb = n) {
		n = vb->next;
		via_params_free(vb->param_lst);
		pkg_free(vb);
	}
}

/* Classify <vp> and hook the well-known ones onto <vb>. */
static int
via_param_classify(struct via_body *vb, struct via_param *vp)
{
	struct via_param **slot;
	size_t i;

	for (i = 0; i < sizeof(via_params) / sizeof(via_params[0]); i++) {
		if (!str_caseeq_cstr(&vp->name, via_params[i].name))
			continue;
		vp->type = via_params[i].type;
		if (via_params[i].off != 0) {
			slot = (struct via_param **)(void *)((char *)vb
			    + via_params[i].off);
			if (*slot == NULL)
				*slot = vp;
		}
		break;
	}
	/* a valued rport or ttl must be a number */
	if ((vp->type == VIA_PARAM_RPORT || vp->type == VIA_PARAM_TTL)
	    && vp->value.len > 0) {
		unsigned int v;

		if (str_to_uint(&vp->value, &v) < 0 || v > 65535)
			return -1;
	}
	return 0;
}

/* ";param" list after the sent-by; <*pp> is advanced past the last one. */
static int
via_parse_params(struct via_body *vb, char **pp, const char *end)
{
	struct via_param *vp, **tail = &vb->param_lst;
	char *start;
	str name, value;
	int rc;

	for (;;) {
		start = pc_skip_lws(*pp, end);
		rc = parse_param_next(pp, end, &name, &value);
		if (rc <= 0)
			return rc;
		if ((vp = pkg_zalloc(sizeof(*vp))) == NULL)
			return -1;
		*tail = vp;
		tail = &vp->next;
		vp->name = name;
		vp->value = value;
		vp->start = start;
		vp->size = (int)(*pp - start);
		if (vb->params.s == NULL)
			vb->params.s = start + 1;
		vb->params.len = (int)(*pp - vb->params.s);
		if (via_param_classify(vb, vp) < 0)
			return -1;
	}
}

/* token, with LWS before it; <out> is set, returns after it or NULL */
static char *
via_token(char *p, const char *end, str *out)
{
	char *q;

	p = pc_skip_lws(p, end);
	q = pc_skip_token(p, end);
	if (q == p)
		return NULL;
	out->s = p;
	out->len = (int)(q - p);
	return q;
}

/* SWS "/" SWS */
static char *
via_slash(char *p, const char *end)
{
	p = pc_skip_lws(p, end);
	return p < end && *p == '/' ? p + 1 : NULL;
}

/* One body at <p>; returns the char after it (and its LWS), or NULL. */
static char *
via_parse_body(struct via_body *vb, char *p, const char *end)
{
	char *q, *last;

	vb->start = pc_skip_lws(p, end);
	if ((p = via_token(p, end, &vb->name)) == NULL
	    || (p = via_slash(p, end)) == NULL
	    || (p = via_token(p, end, &vb->version)) == NULL
	    || (p = via_slash(p, end)) == NULL
	    || (p = via_token(p, end, &vb->transport)) == NULL)
		return NULL;
	if (proto_parse(&vb->transport, &vb->proto) < 0)
		vb->proto = PROTO_NONE;
	q = pc_skip_lws(p, end);
	if (q == p)
		return NULL;
	if ((p = parse_uri_host(q, end, &vb->host, &(int){ 0 })) == NULL
	    || vb->host.len == 0)
		return NULL;
	last = p;
	q = pc_skip_lws(p, end);
	if (q < end && *q == ':') {
		q = pc_skip_lws(q + 1, end);
		p = parse_uri_port(q, end, &vb->port_str, &vb->port);
		if (p == NULL)
			return NULL;
		last = p;
	}
	if (via_parse_params(vb, &p, end) < 0)
		return NULL;
	if (vb->param_lst != NULL)
		last = vb->params.s + vb->params.len;
	p = pc_skip_lws(p, end);
	if (p < end && *p == '(') {
		if ((q = memchr(p, ')', (size_t)(end - p))) == NULL)
			return NULL;
		vb->comment.s = p + 1;
		vb->comment.len = (int)(q - p - 1);
		last = q + 1;
		p = pc_skip_lws(q + 1, end);
	}
	vb->bsize = (int)(last - vb->start);
	return p;
}

/*
 * Parse the Via value <in> (one header's value, folds allowed) into <vb>
 * (caller's; overwritten) and, for each further comma-separated body, a
 * new pkg via_body chained on ->next.  Returns 0, or -1 on a syntax error,
 * a port outside 1..65535 or no memory (then nothing stays allocated and
 * vb->error is set).  Free with via_body_free().  Any process.
 */
int
parse_via(str *in, struct via_body *vb)
{
	struct via_body *cur = vb;
	char *p = in->s, *end = in->s != NULL ? in->s + in->len : NULL;

	memset(vb, 0, sizeof(*vb));
	if (in->s == NULL || in->len <= 0)
		goto fail;
	for (;;) {
		if ((p = via_parse_body(cur, p, end)) == NULL)
			goto fail;
		if (p >= end)
			return 0;
		if (*p != ',')
			goto fail;
		if ((cur->next = pkg_zalloc(sizeof(*cur))) == NULL)
			goto fail;
		cur->next->hdr = vb->hdr;
		cur = cur->next;
		p++;
	}
fail:
	via_body_free(vb);
	memset(vb, 0, sizeof(*vb));
	vb->error = 1;
	return -1;
}

static void
via_body_hook(void *p)
{
	via_body_free(p);
	pkg_free(p);
}

/*
 * Parse the Via header <hf> into a pkg chain of via_bodies at hf->parsed
 * (each body's ->hdr set to <hf>), with the free_parsed hook registered.
 * Does nothing when already parsed.  0 or -1.
 */
int
parse_via_hf(struct hdr_field *hf)
{
	struct via_body *vb, *b;

	if (hf->parsed != NULL)
		return 0;
	if ((vb = pkg_malloc(sizeof(*vb))) == NULL)
		return -1;
	if (parse_via(&hf->body, vb) < 0) {
		pkg_free(vb);
		return -1;
	}
	for (b = vb; b != NULL; b = b->next)
		b->hdr = hf;
	hf->parsed = vb;
	hf->free_parsed = via_body_hook;
	return 0;
}

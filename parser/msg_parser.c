/*
 * msg_parser.c: a SIP message split into its first line and headers,
 * lazily (OpenSER style): parse_msg() goes as far as the first Via (the
 * second for replies), parse_headers() further on demand.  Via, To, From,
 * CSeq, Content-Length and Date values are parsed as their header is
 * split; the others when a caller asks (parse_contact() ...).  Every
 * scan is bounded by msg->buf + msg->len; the buffer is never written.
 */
#include <stdint.h>
#include <string.h>

#include "mem/pkg.h"
#include "parser/msg_parser.h"
#include "parser/parse_char.h"
#include "parser/parse_content.h"
#include "parser/parse_cseq.h"
#include "parser/parse_date.h"
#include "parser/parse_fline.h"
#include "parser/parse_to.h"

static const struct {
	const char *name;
	int id;
} msg_methods[] = {
	{ "INVITE", METHOD_INVITE }, { "CANCEL", METHOD_CANCEL },
	{ "ACK", METHOD_ACK }, { "BYE", METHOD_BYE },
	{ "INFO", METHOD_INFO }, { "OPTIONS", METHOD_OPTIONS },
	{ "UPDATE", METHOD_UPDATE }, { "REGISTER", METHOD_REGISTER },
	{ "MESSAGE", METHOD_MESSAGE }, { "SUBSCRIBE", METHOD_SUBSCRIBE },
	{ "NOTIFY", METHOD_NOTIFY }, { "PRACK", METHOD_PRACK },
	{ "REFER", METHOD_REFER }, { "PUBLISH", METHOD_PUBLISH },
};

/*
 * The enum request_method of the method name <m> (case-sensitive, as RFC
 * 3261 7.1 says): METHOD_OTHER for another valid token, METHOD_UNDEF when
 * <m> is empty or not a token.
 */
int
msg_method_parse(const str *m)
{
	size_t i;

	if (m->s == NULL || m->len <= 0
	    || pc_skip_token(m->s, m->s + m->len) != m->s + m->len)
		return METHOD_UNDEF;
	for (i = 0; i < sizeof(msg_methods) / sizeof(msg_methods[0]); i++)
		if (str_eq_cstr(m, msg_methods[i].name))
			return msg_methods[i].id;
	return METHOD_OTHER;
}

/* Where <msg> keeps the first header of type <t>, or NULL. */
static struct hdr_field **
msg_hdr_slot(struct sip_msg *msg, enum hdr_type t)
{
	switch (t) {
	case HDR_VIA_T: return &msg->h_via1;
	case HDR_TO_T: return &msg->to;
	case HDR_FROM_T: return &msg->from;
	case HDR_CSEQ_T: return &msg->cseq;
	case HDR_CALLID_T: return &msg->callid;
	case HDR_CONTACT_T: return &msg->contact;
	case HDR_MAXFORWARDS_T: return &msg->maxforwards;
	case HDR_ROUTE_T: return &msg->route;
	case HDR_RECORDROUTE_T: return &msg->record_route;
	case HDR_CONTENTTYPE_T: return &msg->content_type;
	case HDR_CONTENTLENGTH_T: return &msg->content_length;
	case HDR_AUTHORIZATION_T: return &msg->authorization;
	case HDR_PROXYAUTH_T: return &msg->proxy_auth;
	case HDR_EXPIRES_T: return &msg->expires;
	case HDR_SUPPORTED_T: return &msg->supported;
	case HDR_REQUIRE_T: return &msg->require;
	case HDR_PROXYREQUIRE_T: return &msg->proxy_require;
	case HDR_UNSUPPORTED_T: return &msg->unsupported;
	case HDR_ALLOW_T: return &msg->allow;
	case HDR_EVENT_T: return &msg->event;
	case HDR_USERAGENT_T: return &msg->user_agent;
	case HDR_SERVER_T: return &msg->server;
	case HDR_PATH_T: return &msg->path;
	case HDR_DATE_T: return &msg->date;
	case HDR_ERROR_T:
	case HDR_OTHER_T:
	case HDR_EOH_T:
		return NULL;
	}
	return NULL;
}

/*
 * Split the header line(s) starting at <p>.  Returns 1 with <hf> filled
 * (name, body, len; not allocated here) and <*next> at the following
 * line; 0 at the empty line ending the headers, <*next> after it; -1 for
 * a line that is not "token SWS ':' value" or not terminated.
 */
static int
msg_split_header(char *p, char *end, struct hdr_field *hf, char **next)
{
	char *q, *lf;

	if (p >= end) {
		/* no empty line at all: tolerated, the body is empty */
		*next = end;
		return 0;
	}
	if (*p == '\n' || (*p == '\r' && end - p >= 2 && p[1] == '\n')) {
		*next = p + (*p == '\r' ? 2 : 1);
		return 0;
	}
	q = pc_skip_token(p, end);
	if (q == p)
		return -1;
	hf->name.s = p;
	hf->name.len = (int)(q - p);
	while (q < end && pc_is_ws((unsigned char)*q))
		q++;
	if (q >= end || *q != ':')
		return -1;
	q++;
	for (lf = q;; lf++) {
		if ((lf = memchr(lf, '\n', (size_t)(end - lf))) == NULL)
			return -1;
		if (lf + 1 >= end || !pc_is_ws((unsigned char)lf[1]))
			break;
	}
	hf->body.s = q;
	hf->body.len = (int)(lf - q);
	str_trim(&hf->body);
	if (hf->body.len == 0)
		hf->body.s = q;
	hf->len = (int)(lf + 1 - p);
	*next = lf + 1;
	return 1;
}

/* The CSeq method of a request must be its Request-Line method. */
static int
msg_cseq_matches(struct sip_msg *msg, struct hdr_field *hf)
{
	struct cseq_body *cb = hf->parsed;

	if (msg->first_line.type != SIP_REQUEST)
		return 1;
	return str_eq(&cb->method, &msg->first_line.u.request.method);
}

/* Parse the values that OpenSER parses as soon as the header is split. */
static int
msg_parse_eager(struct sip_msg *msg, struct hdr_field *hf)
{
	switch (hf->type) {
	case HDR_VIA_T:
		return parse_via_hf(hf);
	case HDR_TO_T:
	case HDR_FROM_T:
		return parse_to_hf(hf);
	case HDR_CSEQ_T:
		if (parse_cseq_hf(hf) < 0 || !msg_cseq_matches(msg, hf))
			return -1;
		return 0;
	case HDR_CONTENTLENGTH_T:
		return parse_content_length_hf(hf);
	case HDR_DATE_T:
		return parse_date(&hf->body);
	default:
		return 0;
	}
}

/*
 * Append <hf> to the message's lists; returns the HDR_*_F bits it brings
 * (HDR_VIA2_F included when it holds the second Via body).
 */
static uint64_t
msg_link_header(struct sip_msg *msg, struct hdr_field *hf)
{
	struct hdr_field **slot, *h;
	struct via_body *vb;
	uint64_t got = HDR_F(hf->type);

	if (msg->last_header != NULL)
		msg->last_header->next = hf;
	else
		msg->headers = hf;
	msg->last_header = hf;
	if ((slot = msg_hdr_slot(msg, hf->type)) != NULL) {
		if (*slot == NULL) {
			*slot = hf;
		} else {
			for (h = *slot; h->sibling != NULL; h = h->sibling)
				;
			h->sibling = hf;
		}
	}
	if (hf->type != HDR_VIA_T)
		return got;
	vb = hf->parsed;
	if (msg->via1 == NULL) {
		msg->via1 = vb;
		vb = vb->next;
	}
	if (msg->via2 == NULL && vb != NULL) {
		msg->via2 = vb;
		msg->h_via2 = hf;
		got |= HDR_VIA2_F;
	}
	return got;
}

/*
 * Split and link the next header of <msg>.  Returns 1 with the flags it
 * brought in <*got>, 0 at the end of the headers, -1 on error.
 */
static int
msg_next_header(struct sip_msg *msg, uint64_t *got)
{
	struct hdr_field tmp, *hf;
	char *next;
	int rc;

	memset(&tmp, 0, sizeof(tmp));
	rc = msg_split_header(msg->unparsed, msg->buf + msg->len, &tmp, &next);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		msg->eoh = next;
		msg->unparsed = next;
		msg->parsed_flag = HDR_EOH_F;
		return 0;
	}
	if ((hf = pkg_malloc(sizeof(*hf))) == NULL)
		return -1;
	*hf = tmp;
	hf->type = hf_type(&hf->name);
	if (msg_parse_eager(msg, hf) < 0) {
		hf_free(hf);
		return -1;
	}
	*got = msg_link_header(msg, hf);
	msg->parsed_flag |= *got;
	msg->unparsed = next;
	return 1;
}

/*
 * Split the headers of <msg> (after parse_msg()) until every header type
 * in <flags> (HDR_*_F; HDR_EOH_F: all) has been seen, or the end of the
 * headers.  With <next> set, at least one more header of a type in
 * <flags> is looked for even if one was seen already (to reach siblings).
 * A type that is not in the message is not an error: its msg->... pointer
 * stays NULL.  At the end of the headers msg->eoh is set and parsed_flag
 * becomes all ones.  0, or -1 on a malformed header or no memory (the
 * headers already linked stay; msg_free() frees them).  Process: the one
 * that owns <msg>.
 */
int
parse_headers(struct sip_msg *msg, uint64_t flags, int next)
{
	uint64_t got;
	int rc;

	if (msg->unparsed == NULL)
		return -1;
	if (!next && (msg->parsed_flag & flags) == flags)
		return 0;
	while (msg->eoh == NULL) {
		got = 0;
		if ((rc = msg_next_header(msg, &got)) <= 0)
			return rc;
		if (next ? (got & flags) != 0
		    : (msg->parsed_flag & flags) == flags)
			return 0;
	}
	return 0;
}

/* Forget everything the parser set in <msg> (nothing is freed). */
static void
msg_reset(struct sip_msg *msg)
{
	enum hdr_type t;
	struct hdr_field **slot;

	memset(&msg->first_line, 0, sizeof(msg->first_line));
	msg->via1 = msg->via2 = NULL;
	msg->headers = msg->last_header = NULL;
	msg->parsed_flag = 0;
	msg->h_via2 = NULL;
	for (t = HDR_OTHER_T; t < HDR_EOH_T; t++)
		if ((slot = msg_hdr_slot(msg, t)) != NULL)
			*slot = NULL;
	msg->eoh = msg->unparsed = NULL;
	msg->parsed_uri_ok = 0;
	memset(&msg->parsed_uri, 0, sizeof(msg->parsed_uri));
	msg->parsed_orig_ruri_ok = 0;
	memset(&msg->parsed_orig_ruri, 0, sizeof(msg->parsed_orig_ruri));
}

/*
 * Parse the first line of the <len> bytes at <buf> and split the headers
 * up to the first Via (requests) or up to the second Via or the end of
 * the headers (replies).  <msg> keeps <buf> (not copied, not written, not
 * NUL-terminated: <len> is authoritative); the parser's fields of <msg>
 * are reset first, the others (rcv, new_uri, lumps ...) left alone.
 * 0, or -1 for an invalid first line, a malformed header before that
 * point, a message over SIP_MSG_MAX_LEN or no memory.  Call msg_free()
 * afterwards in either case.  Any process, for its own message.
 */
int
parse_msg(char *buf, unsigned int len, struct sip_msg *msg)
{
	char *p;

	msg_reset(msg);
	msg->buf = buf;
	msg->len = len;
	if (buf == NULL || len == 0 || len > SIP_MSG_MAX_LEN)
		return -1;
	if ((p = parse_fline(buf, buf + len, &msg->first_line)) == NULL)
		return -1;
	msg->unparsed = p;
	return parse_headers(msg, IS_SIP_REPLY(msg)
	    ? HDR_VIA1_F | HDR_VIA2_F : HDR_VIA1_F, 0);
}

/*
 * Free every pkg structure the parser hung off <msg> (headers and their
 * parsed values, Via bodies) and reset the parser's fields.  msg->buf,
 * new_uri, dst_uri and the lumps belong to other layers and stay.
 * Idempotent.
 */
void
msg_free(struct sip_msg *msg)
{
	struct hdr_field *hf, *n;

	for (hf = msg->headers; hf != NULL; hf = n) {
		n = hf->next;
		hf_free(hf);
	}
	msg_reset(msg);
}

/* Parse <ruri>, which is a Request-URI: URI headers are not allowed
 * there (RFC 3261 19.1.5, RFC 4475 3.1.2.11). */
static int
msg_parse_ruri(str *ruri, struct sip_uri *uri, int check_headers)
{
	if (parse_uri(ruri->s, ruri->len, uri) < 0)
		return -1;
	if (check_headers && uri->headers.s != NULL) {
		memset(uri, 0, sizeof(*uri));
		return -1;
	}
	return 0;
}

/*
 * Parse the request's current URI (msg->new_uri when new_uri.s is set,
 * else the Request-URI) into msg->parsed_uri, once: later calls return
 * the cached result until the caller clears parsed_uri_ok (it must when
 * it changes new_uri).  0, or -1 for a reply or an invalid URI.
 */
int
parse_sip_msg_uri(struct sip_msg *msg)
{
	if (msg->parsed_uri_ok)
		return 0;
	if (!IS_SIP_REQUEST(msg))
		return -1;
	if (msg->new_uri.s != NULL) {
		if (msg_parse_ruri(&msg->new_uri, &msg->parsed_uri, 0) < 0)
			return -1;
	} else if (msg_parse_ruri(&REQ_LINE(msg).uri, &msg->parsed_uri,
	    1) < 0) {
		return -1;
	}
	msg->parsed_uri_ok = 1;
	return 0;
}

/*
 * Parse the original Request-URI of <msg> into msg->parsed_orig_ruri,
 * once, whatever new_uri holds.  0 or -1.
 */
int
parse_orig_ruri(struct sip_msg *msg)
{
	if (msg->parsed_orig_ruri_ok)
		return 0;
	if (!IS_SIP_REQUEST(msg)
	    || msg_parse_ruri(&REQ_LINE(msg).uri, &msg->parsed_orig_ruri,
	    1) < 0)
		return -1;
	msg->parsed_orig_ruri_ok = 1;
	return 0;
}

/* The request's current URI: new_uri when set, else the Request-URI. */
str *
msg_ruri(struct sip_msg *msg)
{
	return msg->new_uri.s != NULL ? &msg->new_uri : &REQ_LINE(msg).uri;
}

/*
 * The value of the first Content-Length header of <msg> in <len>
 * (headers are split up to it).  0, or -1 when it is absent or the
 * headers before it are malformed.  An invalid value already made
 * parse_headers() fail.
 */
int
msg_content_length(struct sip_msg *msg, unsigned int *len)
{
	if (parse_headers(msg, HDR_CONTENTLENGTH_F, 0) < 0
	    || msg->content_length == NULL)
		return -1;
	*len = get_content_length(msg);
	return 0;
}

/*
 * The first byte of the body of <msg> (msg->buf + msg->len when it is
 * empty), after splitting every header; NULL when a header is malformed.
 */
char *
msg_body(struct sip_msg *msg)
{
	if (parse_headers(msg, HDR_EOH_F, 0) < 0)
		return NULL;
	return msg->eoh;
}

/*
 * Replace the pkg string <dst> of a message (msg->new_uri, msg->dst_uri)
 * with a pkg copy of <src>.  0, or -1 (out of pkg memory, <dst> intact).
 * The caller resets msg->parsed_uri_ok when it changes new_uri.
 */
int
msg_set_pkg_str(str *dst, const str *src)
{
	char *p;

	if ((p = pkg_strndup(src->s, (size_t)src->len)) == NULL)
		return -1;
	pkg_free(dst->s);
	dst->s = p;
	dst->len = src->len;
	return 0;
}

/*
 * The first header of <msg> named <name> (compact and long forms match),
 * parsing the headers on demand.  NULL when there is none or the headers
 * do not parse.
 */
struct hdr_field *
msg_find_hf(struct sip_msg *msg, const str *name)
{
	struct hdr_field *hf;

	if (parse_headers(msg, HDR_EOH_F, 0) == -1)
		return NULL;
	for (hf = msg->headers; hf != NULL; hf = hf->next)
		if (hf_name_eq(&hf->name, name))
			return hf;
	return NULL;
}

/*
 * The second occurrence of a header that RFC 3261 allows once only (its
 * grammar is not a comma list: Call-ID, CSeq, From, To, Max-Forwards,
 * Content-Length, Content-Type), or NULL when none is repeated.  Looks at
 * the headers split so far: the caller splits them all first (msg_body()).
 * RFC 4475 3.3.8 and 3.3.9: such a request deserves a 400.
 */
struct hdr_field *
msg_repeated_hf(const struct sip_msg *msg)
{
	const struct hdr_field *const first[] = { msg->callid, msg->cseq,
		msg->from, msg->to, msg->maxforwards, msg->content_length,
		msg->content_type };
	size_t i;

	for (i = 0; i < sizeof(first) / sizeof(first[0]); i++)
		if (first[i] != NULL && first[i]->sibling != NULL)
			return first[i]->sibling;
	return NULL;
}

/*
 * parse_uri.c: SIP, SIPS, TEL and TELS URIs (RFC 3261 19.1 and 25.1,
 * RFC 3966).  Validates every character class and points into the
 * caller's buffer; nothing is allocated, nothing is written to the buffer.
 */
#include <string.h>

#include "lib/ip_addr.h"
#include "parser/parse_char.h"
#include "parser/parse_uri.h"

/* unreserved = alphanum / mark */
static int
uri_is_unreserved(unsigned char c)
{
	if (pc_is_alnum(c))
		return 1;
	return c != '\0' && strchr("-_.!~*'()", c) != NULL;
}

/*
 * Length of the escape "%HH" at <p> (3), or 0 when <p> is not a valid
 * escape.  A '%' that does not start one makes the URI invalid.
 */
static int
uri_escape_len(const char *p, const char *end)
{
	if (end - p < 3 || p[0] != '%')
		return 0;
	return pc_is_hex((unsigned char)p[1]) && pc_is_hex((unsigned char)p[2])
	    ? 3 : 0;
}

/*
 * 1 when [p, end) holds only unreserved chars, escapes and chars of
 * <extra>.  An empty range is fine.
 */
static int
uri_chars_ok(const char *p, const char *end, const char *extra)
{
	int n;

	while (p < end) {
		if (*p == '%') {
			if ((n = uri_escape_len(p, end)) == 0)
				return 0;
			p += n;
			continue;
		}
		if (!uri_is_unreserved((unsigned char)*p)
		    && (*p == '\0' || strchr(extra, *p) == NULL))
			return 0;
		p++;
	}
	return 1;
}

/* RFC 3261 hostname: labels of alphanum and '-', not starting or ending
 * with '-'; the top label starts with a letter; one trailing dot is fine. */
static int
uri_hostname_ok(const char *p, const char *end, int *top_is_alpha)
{
	const char *label = p;

	if (p >= end)
		return 0;
	if (end[-1] == '.')
		end--;
	for (; p <= end; p++) {
		if (p < end && *p != '.') {
			if (!pc_is_alnum((unsigned char)*p) && *p != '-')
				return 0;
			continue;
		}
		if (p == label || *label == '-' || p[-1] == '-')
			return 0;
		*top_is_alpha = !pc_is_digit((unsigned char)*label);
		label = p + 1;
	}
	return 1;
}

/*
 * Parse the host at <p> (before <end>): a hostname, an IPv4 address or an
 * IPv6 reference in brackets.  It ends at the first char that cannot be
 * part of a host.  Returns the char after it and fills <host> and
 * <is_ip>, or NULL when there is no valid host there.
 */
char *
parse_uri_host(char *p, const char *end, str *host, int *is_ip)
{
	struct ip_addr ip;
	char *q;
	int top_alpha = 0;

	host->s = p;
	if (p < end && *p == '[') {
		for (q = p + 1; q < end && (pc_is_hex((unsigned char)*q)
		    || *q == ':' || *q == '.'); q++)
			;
		if (q >= end || *q != ']')
			return NULL;
		host->len = (int)(q + 1 - p);
		if (ip_addr_parse(host, &ip) < 0 || ip.af != AF_INET6)
			return NULL;
		*is_ip = 1;
		return q + 1;
	}
	for (q = p; q < end && (pc_is_alnum((unsigned char)*q) || *q == '-'
	    || *q == '.'); q++)
		;
	host->len = (int)(q - p);
	if (!uri_hostname_ok(p, q, &top_alpha))
		return NULL;
	if (top_alpha) {
		*is_ip = 0;
		return q;
	}
	if (ip_addr_parse(host, &ip) < 0 || ip.af != AF_INET)
		return NULL;
	*is_ip = 1;
	return q;
}

/*
 * Parse a port: 1*DIGIT in 1..65535 at <p>.  Returns the char after it
 * and fills <port>/<port_no>, or NULL.
 */
char *
parse_uri_port(char *p, const char *end, str *port, unsigned short *port_no)
{
	unsigned long v = 0;
	char *q;

	for (q = p; q < end && pc_is_digit((unsigned char)*q); q++) {
		v = v * 10 + (unsigned long)(*q - '0');
		if (v > 65535)
			return NULL;
	}
	if (q == p || v == 0)
		return NULL;
	port->s = p;
	port->len = (int)(q - p);
	*port_no = (unsigned short)v;
	return q;
}

static void
uri_known_param(struct sip_uri *uri, str *whole, str *name, str *val)
{
	static const struct {
		const char *name;
		size_t off, val_off;
	} known[] = {
		{ "transport", offsetof(struct sip_uri, transport),
		    offsetof(struct sip_uri, transport_val) },
		{ "ttl", offsetof(struct sip_uri, ttl),
		    offsetof(struct sip_uri, ttl_val) },
		{ "user", offsetof(struct sip_uri, user_param),
		    offsetof(struct sip_uri, user_param_val) },
		{ "maddr", offsetof(struct sip_uri, maddr),
		    offsetof(struct sip_uri, maddr_val) },
		{ "method", offsetof(struct sip_uri, method),
		    offsetof(struct sip_uri, method_val) },
		{ "lr", offsetof(struct sip_uri, lr),
		    offsetof(struct sip_uri, lr_val) },
		{ "r2", offsetof(struct sip_uri, r2),
		    offsetof(struct sip_uri, r2_val) },
	};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (!str_caseeq_cstr(name, known[i].name))
			continue;
		*(str *)(void *)((char *)uri + known[i].off) = *whole;
		*(str *)(void *)((char *)uri + known[i].val_off) = *val;
		if (i == 0 && proto_parse(val, &uri->proto) < 0)
			uri->proto = PROTO_NONE;
		return;
	}
}

/* param-unreserved of RFC 3261 */
#define URI_PARAM_CHARS "[]/:&+$"
/* hnv-unreserved, plus the '=' and '&' that separate headers */
#define URI_HDR_CHARS	"[]/?:+$=&"

/*
 * Parse the uri-parameters in [p, end) (after the first ';'), recording
 * the well-known ones in <uri>.  0 or -1.
 */
static int
uri_parse_params(struct sip_uri *uri, char *p, char *end)
{
	char *q, *eq;
	str whole, name, val;

	while (p <= end) {
		q = memchr(p, ';', (size_t)(end - p));
		if (q == NULL)
			q = end;
		eq = memchr(p, '=', (size_t)(q - p));
		name.s = p;
		name.len = (int)((eq != NULL ? eq : q) - p);
		val.s = eq != NULL ? eq + 1 : q;
		val.len = (int)(q - val.s);
		if (name.len == 0 || (eq != NULL && val.len == 0)
		    || !uri_chars_ok(name.s, name.s + name.len, URI_PARAM_CHARS)
		    || !uri_chars_ok(val.s, q, URI_PARAM_CHARS))
			return -1;
		whole.s = p;
		whole.len = (int)(q - p);
		uri_known_param(uri, &whole, &name, &val);
		p = q + 1;
	}
	return 0;
}

/* The rest of a URI after its host: [":" port] [";" params] ["?" hdrs]. */
static int
uri_parse_tail(struct sip_uri *uri, char *p, char *end)
{
	char *q;

	if (p < end && *p == ':') {
		p = parse_uri_port(p + 1, end, &uri->port, &uri->port_no);
		if (p == NULL)
			return -1;
	}
	if (p > end)
		return -1;
	q = memchr(p, '?', (size_t)(end - p));
	if (q != NULL) {
		uri->headers.s = q + 1;
		uri->headers.len = (int)(end - q - 1);
		if (uri->headers.len == 0
		    || !uri_chars_ok(q + 1, end, URI_HDR_CHARS))
			return -1;
		end = q;
	}
	if (p < end && *p == ';') {
		uri->params.s = p + 1;
		uri->params.len = (int)(end - p - 1);
		return uri_parse_params(uri, p + 1, end);
	}
	return p == end ? 0 : -1;
}

/* tel: telephone-subscriber *(";" param), RFC 3966, checked loosely */
static int
uri_parse_tel(struct sip_uri *uri, char *p, char *end)
{
	char *q;

	for (q = p; q < end && (pc_is_alnum((unsigned char)*q)
	    || strchr("+-.()*#", *q) != NULL) && *q != '\0'; q++)
		;
	if (q == p)
		return -1;
	uri->user.s = p;
	uri->user.len = (int)(q - p);
	if (q == end)
		return 0;
	if (*q != ';')
		return -1;
	uri->params.s = q + 1;
	uri->params.len = (int)(end - q - 1);
	return uri_parse_params(uri, q + 1, end);
}

static int
uri_parse_scheme(struct sip_uri *uri, char *buf, int len)
{
	static const struct {
		const char *s;
		enum uri_type t;
	} schemes[] = {
		{ "sip:", URI_SIP }, { "sips:", URI_SIPS },
		{ "tel:", URI_TEL }, { "tels:", URI_TELS },
	};
	str sch;
	size_t i;

	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		sch.s = buf;
		sch.len = (int)strlen(schemes[i].s);
		if (sch.len <= len && str_caseeq_cstr(&sch, schemes[i].s)) {
			uri->type = schemes[i].t;
			return sch.len;
		}
	}
	return -1;
}

/*
 * Parse the <len> bytes at <buf> as a sip:, sips:, tel: or tels: URI into
 * <uri> (overwritten; its strs point into <buf>).  Returns 0, or -1 for an
 * empty or invalid URI: unknown scheme, missing host, bad port, a char not
 * allowed where it stands, a bad escape.  No allocation; any process.
 */
int
parse_uri(char *buf, int len, struct sip_uri *uri)
{
	char *p, *end, *at, *colon;
	int n;

	memset(uri, 0, sizeof(*uri));
	if (buf == NULL || len <= 0
	    || (n = uri_parse_scheme(uri, buf, len)) < 0)
		goto fail;
	p = buf + n;
	end = buf + len;
	if (uri->type == URI_TEL || uri->type == URI_TELS) {
		if (uri_parse_tel(uri, p, end) < 0)
			goto fail;
		return 0;
	}
	if ((at = memchr(p, '@', (size_t)(end - p))) != NULL) {
		colon = memchr(p, ':', (size_t)(at - p));
		uri->user.s = p;
		uri->user.len = (int)((colon != NULL ? colon : at) - p);
		if (uri->user.len == 0
		    || !uri_chars_ok(p, p + uri->user.len, "&=+$,;?/"))
			goto fail;
		if (colon != NULL) {
			uri->passwd.s = colon + 1;
			uri->passwd.len = (int)(at - colon - 1);
			if (!uri_chars_ok(colon + 1, at, "&=+$,"))
				goto fail;
		}
		p = at + 1;
	}
	p = parse_uri_host(p, end, &uri->host, &uri->host_is_ip);
	if (p == NULL || uri_parse_tail(uri, p, end) < 0)
		goto fail;
	return 0;
fail:
	memset(uri, 0, sizeof(*uri));
	uri->type = URI_ERROR;
	return -1;
}

/*
 * 1 when the <len> bytes at <buf> are an absoluteURI of RFC 3261 25.1
 * (scheme ":" followed by at least one uric, escapes checked), with
 * <scheme> set to its scheme (without the ':'); 0 when they are not.  For
 * a Request-URI that parse_uri() refused: an absoluteURI in a scheme we do
 * not serve deserves 416, anything else 400.  Any process.
 */
int
parse_uri_is_absolute(char *buf, int len, str *scheme)
{
	char *p = buf, *end = buf + len;

	if (buf == NULL || len <= 0 || !pc_is_alnum((unsigned char)*p)
	    || pc_is_digit((unsigned char)*p))
		return 0;
	for (p++; p < end && (pc_is_alnum((unsigned char)*p)
	    || *p == '+' || *p == '-' || *p == '.'); p++)
		;
	if (p >= end - 1 || *p != ':'
	    || !uri_chars_ok(p + 1, end, ";/?:@&=+$,"))
		return 0;
	scheme->s = buf;
	scheme->len = (int)(p - buf);
	return 1;
}

/*
 * Find the URI parameter <name> (any case) of the parsed <uri>; set <val>
 * to its value (empty when it has none).  0 when found, -1 when not.
 */
int
uri_param_find(const struct sip_uri *uri, const char *name, str *val)
{
	char *p = uri->params.s, *end, *q, *eq;
	str n;

	if (p == NULL)
		return -1;
	end = p + uri->params.len;
	while (p <= end) {
		q = memchr(p, ';', (size_t)(end - p));
		if (q == NULL)
			q = end;
		eq = memchr(p, '=', (size_t)(q - p));
		n.s = p;
		n.len = (int)((eq != NULL ? eq : q) - p);
		if (str_caseeq_cstr(&n, name)) {
			val->s = eq != NULL ? eq + 1 : q;
			val->len = (int)(q - val->s);
			return 0;
		}
		p = q + 1;
	}
	return -1;
}

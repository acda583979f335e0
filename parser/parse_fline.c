/*
 * parse_fline.c: Request-Line and Status-Line (RFC 3261 7.1, 7.2, 25.1).
 * Strict where RFC 4475 says strict: exactly one SP between the elements,
 * nothing after the SIP-Version, a three-digit status code.
 */
#include <string.h>
#include <strings.h>

#include "parser/parse_char.h"
#include "parser/parse_fline.h"

#define FLINE_VERSION	  "SIP/2.0"
#define FLINE_VERSION_LEN 7

static int
fline_version_ok(char *p, const char *end)
{
	str v = { p, (int)(end - p) };

	return str_caseeq_cstr(&v, FLINE_VERSION);
}

/* Status-Line = SIP-Version SP Status-Code SP Reason-Phrase */
static int
fline_reply(char *p, char *end, struct msg_start *fl)
{
	int i;

	if (end - p < FLINE_VERSION_LEN + 4
	    || !fline_version_ok(p, p + FLINE_VERSION_LEN)
	    || p[FLINE_VERSION_LEN] != ' ')
		return -1;
	fl->type = SIP_REPLY;
	fl->u.reply.version.s = p;
	fl->u.reply.version.len = FLINE_VERSION_LEN;
	p += FLINE_VERSION_LEN + 1;
	for (i = 0; i < 3; i++)
		if (!pc_is_digit((unsigned char)p[i]))
			return -1;
	fl->u.reply.status.s = p;
	fl->u.reply.status.len = 3;
	fl->u.reply.statuscode = (unsigned int)((p[0] - '0') * 100
	    + (p[1] - '0') * 10 + (p[2] - '0'));
	if (fl->u.reply.statuscode < 100)
		return -1;
	p += 3;
	/* the SP before an empty reason is optional in practice */
	if (p < end && *p++ != ' ')
		return -1;
	fl->u.reply.reason.s = p;
	fl->u.reply.reason.len = (int)(end - p);
	return 0;
}

/* Request-Line = Method SP Request-URI SP SIP-Version */
static int
fline_request(char *p, char *end, struct msg_start *fl)
{
	char *q;

	q = pc_skip_token(p, end);
	if (q == p || q >= end || *q != ' ')
		return -1;
	fl->type = SIP_REQUEST;
	fl->u.request.method.s = p;
	fl->u.request.method.len = (int)(q - p);
	fl->u.request.method_value = msg_method_parse(&fl->u.request.method);
	p = q + 1;
	for (q = p; q < end && *q != ' '; q++)
		;
	if (q == p || q >= end)
		return -1;
	fl->u.request.uri.s = p;
	fl->u.request.uri.len = (int)(q - p);
	p = q + 1;
	if (!fline_version_ok(p, end))
		return -1;
	fl->u.request.version.s = p;
	fl->u.request.version.len = (int)(end - p);
	return 0;
}

/*
 * Parse the first line of the message at <buf> (before <end>) into <fl>
 * (overwritten).  The line ends in CRLF or a bare LF and may not hold
 * control characters (HT apart).  Returns the first byte of the next
 * line, or NULL when the line is invalid or not terminated.
 */
char *
parse_fline(char *buf, const char *end, struct msg_start *fl)
{
	char *lf, *lend, *p;

	memset(fl, 0, sizeof(*fl));
	if (buf == NULL || buf >= end)
		return NULL;
	if ((lf = memchr(buf, '\n', (size_t)(end - buf))) == NULL)
		return NULL;
	lend = lf;
	if (lend > buf && lend[-1] == '\r')
		lend--;
	for (p = buf; p < lend; p++)
		if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
			return NULL;
	if (lend - buf > 4 && strncasecmp(buf, "SIP/", 4) == 0) {
		if (fline_reply(buf, lend, fl) < 0)
			goto fail;
	} else if (fline_request(buf, lend, fl) < 0) {
		goto fail;
	}
	fl->len = (int)(lf + 1 - buf);
	return lf + 1;
fail:
	memset(fl, 0, sizeof(*fl));
	return NULL;
}

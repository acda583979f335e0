/*
 * tcp_read.c: find where one SIP message ends in a stream buffer.
 * Pure function over the bytes: no I/O, no logging.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "net/tcp_read.h"

/* Length of the header part incl. the empty line, or 0 if not complete. */
static int
headers_end(const char *buf, int len)
{
	int i;

	for (i = 0; i + 1 < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i + 1] == '\n')
			return i + 2;
		if (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

static int
is_cl_name(const char *p, int n)
{
	return (n == 14 && strncasecmp(p, "Content-Length", 14) == 0)
	    || (n == 1 && (*p == 'l' || *p == 'L'));
}

/*
 * Content-Length from the header part <buf> (<hlen> bytes): -1 when
 * absent, -2 when unparsable or given twice with different values.
 */
static long
find_content_length(const char *buf, int hlen)
{
	const char *p = buf, *end = buf + hlen, *eol, *name;
	long found = -1, v;
	int nlen;

	while (p < end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		name = p;
		while (p < eol && *p != ':' && *p != ' ' && *p != '\t')
			p++;
		nlen = (int)(p - name);
		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		if (nlen > 0 && p < eol && *p == ':' && is_cl_name(name, nlen)) {
			for (p++; p < eol && (*p == ' ' || *p == '\t'); p++)
				;
			if (p >= eol || !isdigit((unsigned char)*p))
				return -2;
			for (v = 0; p < eol && isdigit((unsigned char)*p); p++) {
				v = v * 10 + (*p - '0');
				if (v > 1L << 30)
					return -2;
			}
			while (p < eol && (*p == ' ' || *p == '\t' || *p == '\r'))
				p++;
			if (p != eol || (found >= 0 && found != v))
				return -2;
			found = v;
		}
		p = eol + 1;
	}
	return found;
}

/*
 * Look at the <len> bytes at <buf>: <*skip> is set to the number of
 * leading bytes to discard (CRLFs between messages, or the ping), and for
 * TCP_FRAME_MSG / TCP_FRAME_NO_CL <*msg_len> to the length of the message
 * (or of its headers) after those.  <max> bounds a message.
 */
enum tcp_frame_result
tcp_frame(const char *buf, int len, int max, int *skip, int *msg_len)
{
	int s = 0, h;
	long cl;

	*skip = 0;
	*msg_len = 0;
	if (len >= 4 && memcmp(buf, "\r\n\r\n", 4) == 0) {
		*skip = 4;
		return TCP_FRAME_PING;
	}
	while (s < len && (buf[s] == '\r' || buf[s] == '\n')) {
		if (buf[s] == '\r' && s + 1 >= len)
			break;
		s++;
	}
	*skip = s;
	if (len < 4 && memcmp(buf, "\r\n\r\n", (size_t)len) == 0) {
		*skip = 0;	/* maybe the start of a ping: keep it */
		return TCP_FRAME_MORE;
	}
	if (s == len)
		return TCP_FRAME_MORE;
	buf += s;
	len -= s;
	if ((h = headers_end(buf, len)) == 0)
		return len > max ? TCP_FRAME_TOO_BIG : TCP_FRAME_MORE;
	if (h > max)
		return TCP_FRAME_TOO_BIG;
	cl = find_content_length(buf, h);
	if (cl == -1) {
		*msg_len = h;
		return TCP_FRAME_NO_CL;
	}
	if (cl < 0) {
		*msg_len = h;
		return TCP_FRAME_BAD_CL;
	}
	if ((long)h + cl > max)
		return TCP_FRAME_TOO_BIG;
	if (len < h + cl)
		return TCP_FRAME_MORE;
	*msg_len = h + (int)cl;
	return TCP_FRAME_MSG;
}

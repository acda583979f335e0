/*
 * reply.c: stateless replies (see reply.h).  The reply copies Via, From,
 * To, Call-ID and CSeq line by line from the request's raw headers, so a
 * 400 can be built even when a later header failed to parse; the top Via
 * gets received/rport (RFC 3261 18.2.1, RFC 3581) and To gets a tag that
 * is the same for a retransmission of the request.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/log.h"
#include "net/net_send.h"
#include "sip/lump.h"
#include "sip/msg_translator.h"
#include "sip/reply.h"
#include "sip/sip_cfg.h"

#define REPLY_MAX (SIP_MSG_MAX_LEN + 1)

struct rbuf {
	char *p;
	int len, size;
};

static void
put(struct rbuf *b, const char *s, int n)
{
	if (n <= 0 || b->len + n > b->size) {
		if (n > 0)
			b->len = b->size + 1;	/* overflow: caller checks */
		return;
	}
	memcpy(b->p + b->len, s, (size_t)n);
	b->len += n;
}

static int
copied_header(const char *name, int n, int *is_via, int *is_to)
{
	static const char *const names[] = { "via", "v", "from", "f", "to",
		"t", "call-id", "i", "cseq" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((int)strlen(names[i]) == n
		    && strncasecmp(name, names[i], (size_t)n) == 0) {
			*is_via = i < 2;
			*is_to = i == 4 || i == 5;
			return 1;
		}
	return 0;
}

static int
has_tag(const char *p, int n)
{
	int i;

	for (i = 0; i + 4 <= n; i++)
		if (strncasecmp(p + i, "tag=", 4) == 0
		    && (i == 0 || p[i - 1] == ';' || p[i - 1] == ' '))
			return 1;
	return 0;
}

static void
to_tag(struct sip_msg *msg, char *tag, int size)
{
	unsigned long long h = 0xcbf29ce484222325ULL;
	unsigned int i, n = msg->len < 2048 ? msg->len : 2048;

	/* the request's bytes up to its body: same for a retransmission */
	for (i = 0; i < n && msg->buf[i] != '\0'; i++) {
		h ^= (unsigned char)msg->buf[i];
		h *= 0x100000001b3ULL;
	}
	(void)snprintf(tag, (size_t)size, "%016llx", h);
}

/* The top Via line with received/rport added; <line> is its raw text. */
static void
put_top_via(struct sip_msg *msg, struct rbuf *b, const char *line, int n)
{
	const struct via_param *p;
	char add[IP_ADDR_MAX_STR + 40], ip[IP_ADDR_MAX_STR];
	const char *end, *c = line;
	int k = 0;

	if (msg->via1 == NULL || msg->via1->error != 0
	    || msg->via1->host.s < line || msg->via1->host.s >= line + n) {
		put(b, line, n);
		return;
	}
	end = msg->via1->host.s + msg->via1->host.len;
	if (msg->via1->port_str.len > 0)
		end = msg->via1->port_str.s + msg->via1->port_str.len;
	for (p = msg->via1->param_lst; p != NULL; p = p->next)
		if (p->start + p->size > end)
			end = p->start + p->size;
	/* the first body without its old received and rport */
	for (p = msg->via1->param_lst; p != NULL; p = p->next)
		if ((p->type == VIA_PARAM_RPORT || p->type == VIA_PARAM_RECEIVED)
		    && p->start >= c) {
			put(b, c, (int)(p->start - c));
			c = p->start + p->size;
		}
	put(b, c, (int)(end - c));
	if (msg_via_needs_received(msg)) {
		(void)ip_addr_to_str(&msg->rcv.src_ip, ip, sizeof(ip));
		k += snprintf(add + k, sizeof(add) - (size_t)k, ";received=%s", ip);
	} else if (msg->via1->received != NULL) {
		k += snprintf(add + k, sizeof(add) - (size_t)k, ";received=%.*s",
		    STR_FMT(&msg->via1->received->value));
	}
	if (msg->via1->rport != NULL || (msg->msg_flags & FL_FORCE_RPORT))
		k += snprintf(add + k, sizeof(add) - (size_t)k, ";rport=%u",
		    msg->rcv.src_port);
	put(b, add, k);
	put(b, end, (int)(line + n - end));	/* further bodies of the line */
}

static int
build(struct sip_msg *msg, int code, const char *reason, const str *tagv,
    const str *extra, struct rbuf *b)
{
	const char *p = msg->buf + msg->first_line.len, *end = msg->buf + msg->len;
	const char *line, *eol, *colon;
	int n, is_via, is_to, via_done = 0;
	char tmp[256], tag[24];

	n = snprintf(tmp, sizeof(tmp), "SIP/2.0 %d %s\r\n", code, reason);
	put(b, tmp, n);
	while (p < end && *p != '\r' && *p != '\n') {
		line = p;
		do {	/* a header with its continuation lines */
			eol = memchr(p, '\n', (size_t)(end - p));
			p = eol != NULL ? eol + 1 : end;
		} while (p < end && (*p == ' ' || *p == '\t'));
		colon = memchr(line, ':', (size_t)(p - line));
		if (colon == NULL)
			continue;
		for (n = (int)(colon - line); n > 0
		     && (line[n - 1] == ' ' || line[n - 1] == '\t'); n--)
			;
		if (!copied_header(line, n, &is_via, &is_to))
			continue;
		n = (int)(p - line);
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		if (is_via && !via_done) {
			put_top_via(msg, b, line, n);
			via_done = 1;
		} else {
			put(b, line, n);
		}
		if (is_to && code > 100 && !has_tag(line, n)) {
			put(b, ";tag=", 5);
			if (tagv != NULL && tagv->len > 0) {
				put(b, tagv->s, tagv->len);
			} else {
				to_tag(msg, tag, sizeof(tag));
				put(b, tag, (int)strlen(tag));
			}
		}
		put(b, "\r\n", 2);
	}
	if (sip_server_signature) {
		n = sip_server_header != NULL
		    ? snprintf(tmp, sizeof(tmp), "%s\r\n", sip_server_header)
		    : snprintf(tmp, sizeof(tmp), "Server: openser (%s)\r\n",
			OPENSER_VERSION);
		put(b, tmp, n);
	}
	if (extra != NULL && extra->len > 0)
		put(b, extra->s, extra->len);
	put(b, "Content-Length: 0\r\n\r\n", 21);
	return b->len <= b->size ? 0 : -1;
}

/*
 * Build the reply <code> <reason> to request <msg> into <buf> (<size>
 * bytes): To-tag <to_tag> (NULL: one derived from the request, the same
 * for retransmissions), <extra_hdrs> (whole lines with CRLF, or NULL)
 * before Content-Length.  Returns its length, or -1 when it did not fit.
 */
int
reply_build(struct sip_msg *msg, int code, const char *reason,
    const str *to_tag, const str *extra_hdrs, char *buf, int size)
{
	struct rbuf b = { buf, 0, size };

	return build(msg, code, reason, to_tag, extra_hdrs, &b) == -1 ? -1
									: b.len;
}

/* Where a reply to request <msg> goes (RFC 3261 18.2.2, RFC 3581). */
void
reply_dest(struct sip_msg *msg, struct dest_info *dst)
{
	unsigned short port = msg->rcv.src_port;

	memset(dst, 0, sizeof(*dst));
	dst->proto = msg->rcv.proto;
	dst->conn_id = msg->rcv.conn_id;
	dst->send_sock = msg->rcv.bind_address;
	if (dst->proto == PROTO_UDP && msg->via1 != NULL && msg->via1->error == 0
	    && msg->via1->rport == NULL && !(msg->msg_flags & FL_FORCE_RPORT))
		port = msg->via1->port != 0 ? msg->via1->port : 5060;
	su_from_ip(&dst->to, &msg->rcv.src_ip, port);
}

/*
 * Answer request <msg> with <code> <reason>, statelessly.  Receiving
 * process.  0, or -1 after logging.
 */
int
reply_send(struct sip_msg *msg, int code, const char *reason)
{
	return reply_send_hdrs(msg, code, reason, NULL);
}

/*
 * reply_send() with the header lines <hdrs> (each with its CRLF; NULL for
 * none) after those the script added.  Never answers an ACK or a reply.
 */
int
reply_send_hdrs(struct sip_msg *msg, int code, const char *reason,
    const str *hdrs)
{
	/* one reply at a time per process: a static buffer, no allocation */
	static char buf[REPLY_MAX], extra[4096];
	struct dest_info dst;
	struct lump *l;
	str x = { extra, 0 };
	int len;

	if (!IS_SIP_REQUEST(msg) || REQ_LINE(msg).method_value == METHOD_ACK) {
		LM_DBG("no reply to an ACK or a reply");
		return -1;
	}
	/* headers the script added with append_to_reply(), in order */
	for (l = msg->reply_lump; l != NULL; l = l->next)
		x.len += l->ins.len;
	if (hdrs != NULL)
		x.len += hdrs->len;
	if (x.len > (int)sizeof(extra)) {
		LM_ERR("reply %d: headers added by the script exceed %d bytes",
		    code, (int)sizeof(extra));
		return -1;
	}
	x.len = lump_concat(msg->reply_lump, extra);
	if (hdrs != NULL && hdrs->len > 0) {
		memcpy(extra + x.len, hdrs->s, (size_t)hdrs->len);
		x.len += hdrs->len;
	}
	if ((len = reply_build(msg, code, reason, NULL, &x, buf,
	    REPLY_MAX)) == -1) {
		LM_ERR("reply %d to %.*s: too large", code,
		    STR_FMT(&REQ_LINE(msg).method));
		return -1;
	}
	reply_dest(msg, &dst);
	return net_send(&dst, buf, len);
}

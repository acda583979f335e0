/*
 * rr_record.c: record_route() and record_route_preset().
 *
 * record_route() inserts, before the first header, a Record-Route naming
 * the socket the request came in on: <sip:host:port[;transport=x];lr
 * [;ftag=tag][params]>.  With enable_double_rr the outgoing socket is
 * only known when the request is built, so rr_build_hook() (installed in
 * sip/msg_translator.c) looks for that Record-Route among the message's
 * lumps and, when the request leaves by another socket or transport,
 * adds a second one above it naming the outgoing socket: the downstream
 * side then routes to the outgoing socket and the upstream side to the
 * incoming one, each over its own transport (UDP in, TLS out and back).
 */
#include <stdio.h>
#include <string.h>

#include "lib/log.h"
#include "modules/rr/rr_mod.h"
#include "net/socket_info.h"
#include "parser/parse_to.h"
#include "script/sr_module.h"
#include "sip/lump.h"
#include "sip/msg_translator.h"

#define RR_MAX 1024

/*
 * "Record-Route: <sip:host:port[;transport=x];lr[=on]" for socket <si>
 * and <proto>, into <buf>.  Its length, or -1 when it does not fit.
 */
static int
rr_prefix(struct sip_msg *msg, struct socket_info *si, enum sip_proto proto,
    char *buf, int size)
{
	str host, port;
	int n;

	msg_sent_by(msg, si, &host, &port);
	n = snprintf(buf, (size_t)size, "Record-Route: <sip:%.*s:%.*s%s%s%s",
	    STR_FMT(&host), STR_FMT(&port),
	    proto != PROTO_UDP ? ";transport=" : "",
	    proto != PROTO_UDP ? proto_name(proto) : "",
	    rr_enable_full_lr ? ";lr=on" : ";lr");
	return n < size ? n : -1;
}

/* ";ftag=<From tag>" when append_fromtag, into <buf>.  Length or -1. */
static int
rr_ftag(struct sip_msg *msg, char *buf, int size)
{
	str tag;
	int n;

	if (!rr_append_fromtag)
		return 0;
	if (parse_headers(msg, HDR_FROM_F, 0) == -1 || msg->from == NULL
	    || parse_from_header(msg) == -1) {
		LM_ERR("rr: %.*s without a valid From header",
		    STR_FMT(&REQ_LINE(msg).method));
		return -1;
	}
	tag = get_from(msg)->tag_value;
	if (tag.len == 0)
		return 0;
	n = snprintf(buf, (size_t)size, ";ftag=%.*s", STR_FMT(&tag));
	return n < size ? n : -1;
}

/* Offset of the first header, where Record-Routes go; -1 if none. */
static int
rr_anchor(struct sip_msg *msg)
{
	if (msg->headers == NULL)
		return -1;
	return (int)(msg->headers->name.s - msg->buf);
}

/*
 * record_route() / record_route("params"): add our Record-Route.  1, or
 * -2 after logging.  Receiving processes.
 */
int
w_rr_record_route(struct sip_msg *msg, void *params, void *unused)
{
	const str *p = params;
	char buf[RR_MAX];
	int n, k, off;

	if ((off = rr_anchor(msg)) == -1
	    || (n = rr_prefix(msg, msg->rcv.bind_address, msg->rcv.proto, buf,
		sizeof(buf))) == -1
	    || (k = rr_ftag(msg, buf + n, (int)sizeof(buf) - n)) == -1)
		return CMD_ERROR;
	n += k;
	if (p != NULL && p->len > 0) {
		k = snprintf(buf + n, sizeof(buf) - (size_t)n, "%s%.*s",
		    p->s[0] == ';' ? "" : ";", STR_FMT(p));
		if (k >= (int)sizeof(buf) - n) {
			LM_ERR("rr: Record-Route parameters too long");
			return CMD_ERROR;
		}
		n += k;
	}
	if (n + 3 >= (int)sizeof(buf))
		return CMD_ERROR;
	memcpy(buf + n, ">\r\n", 3);
	if (lump_add(&msg->add_rm, off, 0, buf, n + 3) == NULL) {
		PKG_MEM_ERROR("adding a Record-Route");
		return CMD_ERROR;
	}
	return CMD_TRUE;
}

/*
 * record_route_preset("host[:port][;params]"): a Record-Route with the
 * given address ("sip:" added unless present), ;lr and the From tag.
 */
int
w_rr_record_route_preset(struct sip_msg *msg, void *uri, void *unused)
{
	const str *u = uri;
	char buf[RR_MAX], ftag[256];
	int n, k, off, has_scheme;

	if ((off = rr_anchor(msg)) == -1
	    || (k = rr_ftag(msg, ftag, sizeof(ftag))) == -1)
		return CMD_ERROR;
	has_scheme = (u->len > 4 && strncasecmp(u->s, "sip:", 4) == 0)
	    || (u->len > 5 && strncasecmp(u->s, "sips:", 5) == 0);
	n = snprintf(buf, sizeof(buf), "Record-Route: <%s%.*s%.*s%s>\r\n",
	    has_scheme ? "" : "sip:", STR_FMT(u), k, ftag,
	    rr_enable_full_lr ? ";lr=on" : ";lr");
	if (n >= (int)sizeof(buf)) {
		LM_ERR("rr: record_route_preset address too long");
		return CMD_ERROR;
	}
	if (lump_add(&msg->add_rm, off, 0, buf, n) == NULL) {
		PKG_MEM_ERROR("adding a Record-Route");
		return CMD_ERROR;
	}
	return CMD_TRUE;
}

/*
 * Build hook (sip/msg_translator.c): when <msg> leaves by <si>/<proto>
 * and that is not the socket it came in on, add the outgoing-side
 * Record-Route above the one record_route() inserted.  0, or -1 (pkg).
 */
int
rr_build_hook(struct sip_msg *msg, struct socket_info *si,
    enum sip_proto proto, struct lump **edits)
{
	char in[RR_MAX], out[RR_MAX];
	const struct lump *l;
	struct lump *nl;
	int off, n, m, rest;

	if (!IS_SIP_REQUEST(msg) || msg->rcv.bind_address == NULL || si == NULL
	    || (si == msg->rcv.bind_address && proto == msg->rcv.proto)
	    || (off = rr_anchor(msg)) == -1
	    || (n = rr_prefix(msg, msg->rcv.bind_address, msg->rcv.proto, in,
		sizeof(in))) == -1)
		return 0;
	for (l = msg->add_rm; l != NULL; l = l->next) {
		if (l->offset != off || l->del_len != 0 || l->ins.len <= n
		    || memcmp(l->ins.s, in, (size_t)n) != 0
		    || (l->ins.s[n] != ';' && l->ins.s[n] != '>'))
			continue;
		if ((m = rr_prefix(msg, si, proto, out, sizeof(out))) == -1)
			return 0;
		rest = l->ins.len - n;
		if (m + rest > (int)sizeof(out))
			return 0;
		memcpy(out + m, l->ins.s + n, (size_t)rest);
		if ((nl = lump_add(edits, off, 0, out, m + rest)) == NULL)
			return -1;
		nl->seq = l->seq - 1;	/* above the incoming-side one */
		return 0;
	}
	return 0;
}

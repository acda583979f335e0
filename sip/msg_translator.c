/*
 * msg_translator.c: build the bytes of a forwarded request (our Via on
 * top, received/rport/i on the Via it came with, the rewritten R-URI, the
 * script's lumps) and of a forwarded reply (our Via removed).
 */
#include <stdio.h>
#include <string.h>

#include "lib/log.h"
#include "mem/pkg.h"
#include "net/socket_info.h"
#include "sip/lump.h"
#include "sip/msg_translator.h"

static msg_build_hook_f build_hook;

int
msg_build_hook_set(msg_build_hook_f f)
{
	if (build_hook != NULL)
		return -1;
	build_hook = f;
	return 0;
}

/* The host and port we advertise on <si> for <msg> (Via, Record-Route). */
void
msg_sent_by(struct sip_msg *msg, struct socket_info *si, str *host, str *port)
{
	if (msg != NULL && msg->set_global_address.len > 0)
		*host = msg->set_global_address;
	else if (si->adv_address.len > 0)
		*host = si->adv_address;
	else
		*host = si->address_str;
	if (msg != NULL && msg->set_global_port.len > 0)
		*port = msg->set_global_port;
	else if (si->adv_port_str.len > 0)
		*port = si->adv_port_str;
	else
		*port = si->port_no_str;
}

/*
 * 1 when the top Via's sent-by host is not the source address of <msg>
 * (RFC 3261 18.2.1: the proxy adds received=).
 */
int
msg_via_needs_received(struct sip_msg *msg)
{
	struct ip_addr ip;

	if (ip_addr_parse(&msg->via1->host, &ip) == -1)
		return 1;
	return !ip_addr_eq(&ip, &msg->rcv.src_ip);
}

static char *
via_end(const struct via_body *vb)
{
	const struct via_param *p;
	char *end = vb->host.s + vb->host.len;

	if (vb->port_str.len > 0 && vb->port_str.s + vb->port_str.len > end)
		end = vb->port_str.s + vb->port_str.len;
	for (p = vb->param_lst; p != NULL; p = p->next)
		if (p->start + p->size > end)
			end = p->start + p->size;
	return end;
}

/* received=, rport= and i= edits on the Via the request came with. */
static int
via1_edits(struct sip_msg *msg, struct lump **edits)
{
	struct via_body *vb = msg->via1;
	char buf[IP_ADDR_MAX_STR + 64], ip[IP_ADDR_MAX_STR];
	int off = (int)(via_end(vb) - msg->buf), n = 0;

	if (msg_via_needs_received(msg)) {
		if (vb->received != NULL && lump_add(edits,
		    (int)(vb->received->start - msg->buf),
		    vb->received->size, NULL, 0) == NULL)
			return -1;
		(void)ip_addr_to_str(&msg->rcv.src_ip, ip, sizeof(ip));
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, ";received=%s",
		    ip);
	}
	if (vb->rport != NULL || (msg->msg_flags & FL_FORCE_RPORT)) {
		if (vb->rport != NULL && lump_add(edits,
		    (int)(vb->rport->start - msg->buf), vb->rport->size, NULL,
		    0) == NULL)
			return -1;
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, ";rport=%u",
		    msg->rcv.src_port);
	}
	if (msg->rcv.proto != PROTO_UDP && msg->rcv.conn_id != 0) {
		struct via_param *p;

		for (p = vb->param_lst; p != NULL; p = p->next)
			if (p->type == VIA_PARAM_I && lump_add(edits,
			    (int)(p->start - msg->buf), p->size, NULL, 0) == NULL)
				return -1;
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, ";i=%x",
		    msg->rcv.conn_id);
	}
	if (n > 0 && lump_add(edits, off, 0, buf, n) == NULL)
		return -1;
	return 0;
}

/*
 * The request <msg> as it goes out of <si> over <proto>, with our Via
 * carrying <branch>.  pkg buffer (caller frees) and its length in <len>;
 * NULL when out of pkg memory (logged).
 */
char *
msg_build_request(struct sip_msg *msg, struct socket_info *si,
    enum sip_proto proto, const str *branch, int *len)
{
	struct lump *edits = NULL;
	char via[512];
	str host, port;
	char *out = NULL;
	int n, fl_end;

	msg_sent_by(msg, si, &host, &port);
	n = snprintf(via, sizeof(via), "Via: SIP/2.0/%s %.*s:%.*s;branch=%.*s\r\n",
	    proto_name_upper(proto), STR_FMT(&host), STR_FMT(&port),
	    STR_FMT(branch));
	if (n >= (int)sizeof(via)) {
		LM_ERR("advertised address too long for a Via");
		return NULL;
	}
	fl_end = msg->first_line.len;
	if (lump_add(&edits, fl_end, 0, via, n) == NULL)
		goto oom;
	if (msg->new_uri.s != NULL && lump_add(&edits,
	    (int)(REQ_LINE(msg).uri.s - msg->buf), REQ_LINE(msg).uri.len,
	    msg->new_uri.s, msg->new_uri.len) == NULL)
		goto oom;
	if (msg->via1 != NULL && via1_edits(msg, &edits) == -1)
		goto oom;
	if (build_hook != NULL && build_hook(msg, si, proto, &edits) == -1)
		goto oom;
	if ((out = lump_apply(msg->buf, (int)msg->len, msg->add_rm, edits, len))
	    == NULL)
		goto oom;
	lump_free_all(&edits);
	return out;
oom:
	lump_free_all(&edits);
	PKG_MEM_ERROR("building a request to forward");
	return NULL;
}

/*
 * The reply <msg> without its top Via (ours), for the next hop.  pkg
 * buffer and <len>; NULL when out of pkg memory (logged).
 */
char *
msg_build_reply_fwd(struct sip_msg *msg, int *len)
{
	struct lump *edits = NULL;
	struct via_body *vb = msg->via1;
	char *out;
	int off, del;

	/* via1 is the first body of its line: cut it and its comma, or
	 * the whole line when it is alone there */
	if (vb->next != NULL) {
		off = (int)(vb->start - msg->buf);
		del = (int)(vb->next->start - vb->start);
	} else {
		off = (int)(msg->h_via1->name.s - msg->buf);
		del = msg->h_via1->len;
	}
	if (lump_add(&edits, off, del, NULL, 0) == NULL) {
		PKG_MEM_ERROR("building a reply to forward");
		return NULL;
	}
	out = lump_apply(msg->buf, (int)msg->len, msg->add_rm, edits, len);
	lump_free_all(&edits);
	if (out == NULL)
		PKG_MEM_ERROR("building a reply to forward");
	return out;
}

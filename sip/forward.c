/*
 * forward.c: stateless forwarding (see forward.h).  A request goes to the
 * next hop the script gave, else to $du, else to the R-URI; our Via
 * carries a branch derived from the request, so a retransmission leaves
 * with the same branch.  A reply goes to the Via after ours, over the
 * connection its request came on when that was a stream (Via i=).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "mem/pkg.h"
#include "net/net_send.h"
#include "net/resolve.h"
#include "net/socket_info.h"
#include "net/transport.h"
#include "parser/parse_cseq.h"
#include "parser/parse_rr.h"
#include "parser/parse_to.h"
#include "sip/avp.h"
#include "sip/forward.h"
#include "sip/lump.h"
#include "sip/msg_translator.h"
#include "sip/sip_error.h"

#define MAGIC_COOKIE "z9hG4bK"

static uint64_t
fnv(uint64_t h, const char *p, int len)
{
	int i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ULL;
	}
	return h ^ 0xff; /* field separator, so "ab"+"c" != "a"+"bc" */
}

/*
 * Our branch for <msg>: from the incoming RFC 3261 branch when there is
 * one, else from the RFC 2543 transaction key; never from the method, so
 * that CANCEL and a non-2xx ACK match the INVITE downstream.
 */
static int
branch_compute(struct sip_msg *msg, char *buf, int size, str *out)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	struct via_body *vb = msg->via1;

	h = fnv(h, REQ_LINE(msg).uri.s, REQ_LINE(msg).uri.len);
	h = fnv(h, vb->host.s, vb->host.len);
	h = fnv(h, vb->port_str.s, vb->port_str.len);
	if (vb->branch != NULL && vb->branch->value.len > 7
	    && memcmp(vb->branch->value.s, MAGIC_COOKIE, 7) == 0) {
		h = fnv(h, vb->branch->value.s, vb->branch->value.len);
	} else {
		if (parse_headers(msg, HDR_CALLID_F | HDR_CSEQ_F | HDR_FROM_F, 0)
		    == -1 || msg->callid == NULL || msg->cseq == NULL
		    || msg->from == NULL || parse_from_header(msg) == -1)
			return -1;
		h = fnv(h, msg->callid->body.s, msg->callid->body.len);
		h = fnv(h, get_from(msg)->tag_value.s,
		    get_from(msg)->tag_value.len);
		h = fnv(h, get_cseq(msg)->number.s, get_cseq(msg)->number.len);
	}
	out->s = buf;
	out->len = snprintf(buf, (size_t)size, MAGIC_COOKIE "%016llx.0",
	    (unsigned long long)h);
	return 0;
}

/* 1 when one of the request's Vias is ours with <branch>: a loop. */
static int
loop_detected(struct sip_msg *msg, const str *branch)
{
	struct hdr_field *h;
	struct via_body *vb;

	if (parse_headers(msg, HDR_EOH_F, 0) == -1)
		return 0;
	for (h = msg->h_via1; h != NULL; h = h->sibling)
		for (vb = h->parsed; vb != NULL; vb = vb->next)
			if (vb->branch != NULL
			    && str_eq(&vb->branch->value, branch)
			    && sock_check_self(&vb->host, vb->port, vb->proto))
				return 1;
	return 0;
}

/* Next hop from a URI: maddr or host, port, transport / sips. */
static int
uri_dest(const str *uri, struct fwd_dest *d)
{
	struct sip_uri u;

	if (parse_uri(uri->s, uri->len, &u) == -1)
		return -1;
	d->host = u.maddr_val.len > 0 ? u.maddr_val : u.host;
	d->port = u.port_no;
	if (d->proto == PROTO_NONE)
		d->proto = u.proto != PROTO_NONE ? u.proto
		    : (u.type == URI_SIPS ? PROTO_TLS : PROTO_UDP);
	return 0;
}

static int
route_is_self(struct rr *r)
{
	struct sip_uri u;

	if (parse_uri(r->uri.s, r->uri.len, &u) == -1)
		return 0;
	return sock_check_self(&u.host, u.port_no, u.proto);
}

/*
 * The first Route value that is not us (RFC 3261 16.4: values naming this
 * proxy are removed first).  Returns its URI in <uri>: 1, 0 when there is
 * no Route left, -1 on a bad Route header.
 */
static int
first_route(struct sip_msg *msg, str *uri)
{
	struct hdr_field *h;
	struct rr *r;
	int off;

	if (parse_headers(msg, HDR_ROUTE_F, 0) == -1)
		return -1;
	for (h = msg->route; h != NULL; h = h->sibling) {
		if (parse_rr(h) == -1)
			return -1;
		for (r = h->parsed; r != NULL; r = r->next) {
			off = (int)(r->start - msg->buf);
			if (lump_deleted(msg->add_rm, off, r->len))
				continue;	/* already removed (rr module) */
			if (!route_is_self(r)) {
				*uri = r->uri;
				return 1;
			}
			if (r->next != NULL
			    ? lump_add(&msg->add_rm, off,
				  (int)(r->next->start - r->start), NULL, 0) == NULL
			    : lump_add(&msg->add_rm,
				  (int)(h->name.s - msg->buf), h->len, NULL, 0)
				  == NULL)
				return -1;
		}
	}
	return 0;
}

/*
 * The TLS client domain the script chose for <msg>: the string value of
 * the AVP named by tls_client_domain_avp, matched case-insensitively
 * against tls_client_domain["name"] blocks.  Returns its index, or 0 to
 * choose by destination ip:port, then the default.  For tm's branches too.
 */
int
fwd_tls_client_domain(struct sip_msg *msg)
{
	const struct stream_ops *ops = transport_get(PROTO_TLS);
	str name;
	int idx;

	if (ops == NULL || ops->client_domain_avp == NULL
	    || *ops->client_domain_avp <= 0
	    || avp_get_str(*ops->client_domain_avp, &name) != 0)
		return 0;
	if ((idx = ops->domain_by_name(&name)) == 0)
		LM_NOTICE("%.*s: no tls_client_domain[\"%.*s\"] (named by AVP "
		    "%d); choosing the client domain by destination",
		    STR_FMT(&REQ_LINE(msg).method), STR_FMT(&name),
		    *ops->client_domain_avp);
	return idx;
}

/* The first URI of a Path vector "<sip:a;lr>,<sip:b;lr>". */
static int
path_first(const str *path, str *uri)
{
	char *lt = memchr(path->s, '<', (size_t)path->len), *gt;

	if (lt == NULL)
		return -1;
	gt = memchr(lt, '>', (size_t)(path->s + path->len - lt));
	if (gt == NULL)
		return -1;
	uri->s = lt + 1;
	uri->len = (int)(gt - lt - 1);
	return 0;
}

static int
next_hop(struct sip_msg *msg, const struct fwd_dest *given, const str *path,
    struct fwd_dest *d)
{
	str route;
	int rc;

	memset(d, 0, sizeof(*d));
	if (given != NULL) {
		*d = *given;
		if (d->proto == PROTO_NONE && parse_sip_msg_uri(msg) == 0)
			d->proto = msg->parsed_uri.proto;
		if (d->proto == PROTO_NONE)
			d->proto = PROTO_UDP;
		return 0;
	}
	if (msg->dst_uri.len > 0)
		return uri_dest(&msg->dst_uri, d);
	if (path != NULL && path->len > 0 && path_first(path, &route) == 0)
		return uri_dest(&route, d);
	if ((rc = first_route(msg, &route)) == -1)
		return -1;
	return uri_dest(rc == 1 ? &route : msg_ruri(msg), d);
}

static struct socket_info *
send_socket(struct sip_msg *msg, enum sip_proto proto,
    const union sockaddr_union *to)
{
	struct socket_info *si = msg->force_send_socket;

	if (si != NULL && si->proto == proto && si->address.af == to->s.sa_family)
		return si;
	return net_pick_socket(proto, to, msg->rcv.bind_address);
}

static int
resolve_dest(const struct fwd_dest *d, struct dest_info *dst)
{
	unsigned short port = d->port != 0 ? d->port : proto_default_port(d->proto);

	memset(dst, 0, sizeof(*dst));
	dst->proto = d->proto;
	if (resolve_host(&d->host, port, &dst->to) == -1) {
		LM_ERR_RL("cannot resolve next hop %.*s", STR_FMT(&d->host));
		sip_last_error = E_BAD_ADDRESS;
		return -1;
	}
	return 0;
}

/*
 * Where request <msg> goes: the next hop <given> by the script, else $du,
 * else the first URI of <path> (a branch's Path vector, may be NULL), else
 * the first Route that is not us, else the R-URI; resolved, with the
 * local socket, the connection of a registered UA and the TLS client
 * domain.  Stateless forwarding and tm's branches.  0, or -1 after
 * logging with sip_last_error set.
 */
int
fwd_dest_resolve(struct sip_msg *msg, const struct fwd_dest *given,
    const str *path, struct dest_info *dst)
{
	struct fwd_dest d;

	if (next_hop(msg, given, path, &d) == -1) {
		LM_ERR("cannot forward %.*s: bad destination URI",
		    STR_FMT(&REQ_LINE(msg).method));
		sip_last_error = E_BAD_URI;
		return -1;
	}
	if (resolve_dest(&d, dst) == -1)
		return -1;
	if (d.proto != PROTO_UDP)
		dst->conn_id = msg->force_conn_id;	/* registered UA's link */
	if (d.proto == PROTO_TLS)
		dst->tls_cdom = fwd_tls_client_domain(msg);
	if ((dst->send_sock = send_socket(msg, d.proto, &dst->to)) == NULL) {
		LM_ERR("cannot forward to %s:%.*s: no %s listen socket for that "
		    "address family; add a listen line", proto_name(d.proto),
		    STR_FMT(&d.host), proto_name(d.proto));
		sip_last_error = E_BAD_PROTO;
		return -1;
	}
	return 0;
}

/*
 * Forward request <msg> statelessly to <given> (NULL: $du or R-URI).
 * Receiving process.  0, or -1 after logging with sip_last_error set.
 */
int
fwd_request(struct sip_msg *msg, const struct fwd_dest *given)
{
	struct dest_info dst;
	char bbuf[MAX_BRANCH_LEN], *out;
	str branch;
	int len, rc;

	if (fwd_dest_resolve(msg, given, NULL, &dst) == -1)
		return -1;
	if (branch_compute(msg, bbuf, sizeof(bbuf), &branch) == -1) {
		sip_last_error = E_BAD_REQ;
		return -1;
	}
	if (loop_detected(msg, &branch)) {
		LM_NOTICE("loop detected: %.*s %.*s already went through us",
		    STR_FMT(&REQ_LINE(msg).method), STR_FMT(&REQ_LINE(msg).uri));
		sip_last_error = E_TOO_MANY_HOPS;
		return -1;
	}
	out = msg_build_request(msg, dst.send_sock, dst.proto, &branch, &len);
	if (out == NULL) {
		sip_last_error = E_OUT_OF_MEM;
		return -1;
	}
	rc = net_send(&dst, out, len);
	pkg_free(out);
	if (rc == -1)
		sip_last_error = E_SEND;
	return rc;
}

/*
 * Send <msg> unchanged to <given> (the script's send()).  0 or -1.
 */
int
fwd_send_raw(struct sip_msg *msg, const struct fwd_dest *given)
{
	struct fwd_dest d;
	struct dest_info dst;

	if (next_hop(msg, given, NULL, &d) == -1 || resolve_dest(&d, &dst) == -1)
		return -1;
	dst.send_sock = send_socket(msg, d.proto, &dst.to);
	if (net_send(&dst, msg->buf, (int)msg->len) == -1) {
		sip_last_error = E_SEND;
		return -1;
	}
	return 0;
}

/* Where a reply goes: the Via after ours (RFC 3261 18.2.2, RFC 3581). */
static int
reply_dest(struct via_body *vb, struct dest_info *dst)
{
	struct via_param *p;
	unsigned int v;
	unsigned short port = vb->port;
	str host = vb->host;

	memset(dst, 0, sizeof(*dst));
	dst->proto = vb->proto != PROTO_NONE ? vb->proto : PROTO_UDP;
	if (vb->received != NULL && vb->received->value.len > 0)
		host = vb->received->value;
	if (vb->rport != NULL && str_to_uint(&vb->rport->value, &v) == 0
	    && v > 0 && v < 65536)
		port = (unsigned short)v;
	if (port == 0)
		port = proto_default_port(dst->proto);
	for (p = vb->param_lst; p != NULL; p = p->next)
		if (p->type == VIA_PARAM_I && p->value.len > 0
		    && p->value.len <= 8) {
			char hex[9];

			memcpy(hex, p->value.s, (size_t)p->value.len);
			hex[p->value.len] = '\0';
			dst->conn_id = (unsigned int)strtoul(hex, NULL, 16);
		}
	return resolve_host(&host, port, &dst->to);
}

/*
 * Forward reply <msg> to the next Via, after removing ours.  Receiving
 * process.  0 when sent or rightly dropped, -1 on error (logged).
 */
int
fwd_reply(struct sip_msg *msg)
{
	struct dest_info dst;
	char *out;
	int len, rc;

	if (!sock_check_self(&msg->via1->host, msg->via1->port,
	    msg->via1->proto)) {
		LM_NOTICE_RL("reply %u: top Via %.*s:%u is not ours; dropped",
		    REPLY_STATUS(msg), STR_FMT(&msg->via1->host),
		    msg->via1->port);
		return 0;
	}
	if (parse_headers(msg, HDR_VIA2_F, 0) == -1 || msg->via2 == NULL) {
		LM_DBG("reply %u has no second Via: it was for us; dropped",
		    REPLY_STATUS(msg));
		return 0;
	}
	if (reply_dest(msg->via2, &dst) == -1) {
		LM_ERR_RL("reply %u: cannot resolve the next Via %.*s; dropped",
		    REPLY_STATUS(msg), STR_FMT(&msg->via2->host));
		return -1;
	}
	dst.send_sock = net_pick_socket(dst.proto, &dst.to, msg->rcv.bind_address);
	if ((out = msg_build_reply_fwd(msg, &len)) == NULL)
		return -1;
	rc = net_send(&dst, out, len);
	pkg_free(out);
	return rc;
}

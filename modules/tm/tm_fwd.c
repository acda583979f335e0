/*
 * tm_fwd.c: the client side of a transaction: one branch per destination
 * (the R-URI or $du, then every branch of the destination set), each
 * built with its own Via branch and sent; the CANCEL and the hop-by-hop
 * ACK of a branch are built from the request it sent (RFC 3261 9.1,
 * 17.1.1.3).  The next hop is chosen as the stateless core does
 * (sip/forward.c): $du, else the first Route that is not us, else the
 * R-URI.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/timer.h"
#include "lib/log.h"
#include "lib/stats.h"
#include "mem/pkg.h"
#include "mem/shm.h"
#include "modules/tm/tm_cell.h"
#include "net/net_send.h"
#include "net/resolve.h"
#include "net/socket_info.h"
#include "parser/parse_rr.h"
#include "script/dset.h"
#include "script/route.h"
#include "sip/avp.h"
#include "sip/forward.h"
#include "sip/lump.h"
#include "sip/msg_translator.h"
#include "sip/sip_error.h"

/* ---- building one branch ------------------------------------------------ */

/* Route: <path> before the request's own Route headers. */
static int
add_path_route(struct sip_msg *msg, const str *path)
{
	char buf[DSET_MAX_URI * 2 + 16];
	int off, n;

	if (path->len == 0)
		return 0;
	n = snprintf(buf, sizeof(buf), "Route: %.*s\r\n", STR_FMT(path));
	if (n >= (int)sizeof(buf))
		return -1;
	if (parse_headers(msg, HDR_EOH_F, 0) == -1)
		return -1;
	if (msg->route != NULL)
		off = (int)(msg->route->name.s - msg->buf);
	else if (msg->eoh != NULL && msg->eoh - msg->buf >= 2
	    && msg->eoh[-2] == '\r')
		off = (int)(msg->eoh - msg->buf) - 2;
	else
		off = msg->eoh != NULL ? (int)(msg->eoh - msg->buf) - 1 : -1;
	if (off < 0)
		return -1;
	return lump_add(&msg->add_rm, off, 0, buf, n) == NULL ? -1 : 0;
}

static void
set_str(str *dst, const str *src)
{
	dst->s = NULL;
	dst->len = 0;
	if (src != NULL && src->len > 0
	    && (dst->s = pkg_strndup(src->s, (size_t)src->len)) != NULL)
		dst->len = src->len;
}

/* What the script gave for one branch. */
struct tm_target {
	str uri, dst_uri, path;
	unsigned int conn_id;
	struct socket_info *sock;
};

/* msg fields a branch borrows, given back after it is built */
struct tm_saved {
	str new_uri, dst_uri;
	struct socket_info *sock;
	unsigned int conn_id;
	struct lump *lumps;
};

static void
borrow(struct sip_msg *msg, const struct tm_target *tg, struct tm_saved *sv)
{
	sv->new_uri = msg->new_uri;
	sv->dst_uri = msg->dst_uri;
	sv->sock = msg->force_send_socket;
	sv->conn_id = msg->force_conn_id;
	sv->lumps = msg->add_rm;
	set_str(&msg->new_uri, &tg->uri);
	set_str(&msg->dst_uri, &tg->dst_uri);
	msg->parsed_uri_ok = 0;
	if (tg->sock != NULL)
		msg->force_send_socket = tg->sock;
	if (tg->conn_id != 0)
		msg->force_conn_id = tg->conn_id;
}

static void
give_back(struct sip_msg *msg, struct tm_saved *sv)
{
	struct lump *l;

	pkg_free(msg->new_uri.s);
	pkg_free(msg->dst_uri.s);
	msg->new_uri = sv->new_uri;
	msg->dst_uri = sv->dst_uri;
	msg->parsed_uri_ok = 0;
	msg->force_send_socket = sv->sock;
	msg->force_conn_id = sv->conn_id;
	/* the lumps this branch added (branch route, Path) are newest */
	while (msg->add_rm != NULL && msg->add_rm != sv->lumps) {
		l = msg->add_rm;
		msg->add_rm = l->next;
		pkg_free(l);
	}
}

/* The destination of branch <b> into its dst: -1 with sip_last_error. */
static int
branch_dest(struct sip_msg *msg, const struct fwd_dest *given,
    const str *path, struct dest_info *dst)
{
	memset(dst, 0, sizeof(*dst));
	return fwd_dest_resolve(msg, given, path, dst);
}

/* Start the timers of branch <b> just sent.  Cell lock. */
static void
branch_timers(struct tm_cell *t, struct tm_branch *br)
{
	unsigned long long now = timer_now_ms();

	br->state = TM_BR_CALLING;
	br->retr_at = 0;
	if (br->dst.proto == PROTO_UDP) {
		br->retr_iv = tm_t1;
		br->retr_at = now + tm_t1;
	}
	br->fr_at = now + (unsigned long long)tm_fr_timer * 1000ULL;
	tm_set_due(t, br->retr_at != 0 ? br->retr_at : br->fr_at);
}

/*
 * Build and send branch number t->nr_branches towards <tg>.  1 when sent,
 * 0 when the branch route dropped it, -1 on failure (sip_last_error set;
 * the branch is then COMPLETED with a local 503 if it was created).
 */
static int
add_branch(struct tm_cell *t, struct sip_msg *msg, const struct tm_target *tg,
    const struct fwd_dest *given)
{
	struct tm_branch *br;
	struct tm_saved sv;
	struct dest_info dst;
	char bbuf[MAX_BRANCH_LEN], *out = NULL;
	str branch;
	int len, rc = -1;

	borrow(msg, tg, &sv);
	if (t->on_branch != 0) {
		struct tm_cell *prev_t = tm_route_t;
		struct usr_avp **prev = avp_set_list(&t->avps);

		tm_route_t = t;
		rc = route_run(ROUTE_BRANCH, t->on_branch, msg);
		tm_route_t = prev_t;
		(void)avp_set_list(prev);
		if (rc == 0) {
			give_back(msg, &sv);
			return 0;
		}
		rc = -1;
	}
	if (add_path_route(msg, &tg->path) == -1) {
		sip_last_error = E_OUT_OF_MEM;
		goto done;
	}
	if (branch_dest(msg, given, &tg->path, &dst) == -1)
		goto done;
	branch.s = bbuf;
	branch.len = snprintf(bbuf, sizeof(bbuf), TM_BRANCH_PREFIX "%x.%x.%d",
	    t->hash, t->label, t->nr_branches);
	if ((out = msg_build_request(msg, dst.send_sock, dst.proto, &branch,
	    &len)) == NULL) {
		sip_last_error = E_OUT_OF_MEM;
		goto done;
	}
	if ((br = tm_branch_new(t, out, len)) == NULL) {
		SHM_MEM_ERROR("storing a branch");
		sip_last_error = E_OUT_OF_MEM;
		goto done;
	}
	br->dst = dst;
	t->nr_branches++;
	stats_add(tm_st_uac, 1);
	if (net_send(&br->dst, br->buf, br->len) == -1) {
		LM_ERR("tm: cannot send %.*s branch %d", STR_FMT(
		    &REQ_LINE(msg).method), t->nr_branches - 1);
		sip_last_error = E_SEND;
		br->state = TM_BR_COMPLETED;
		br->code = 503;
		br->reply_local = 1;
		goto done;
	}
	branch_timers(t, br);
	rc = 1;
done:
	pkg_free(out);
	give_back(msg, &sv);
	return rc;
}

static int
relay_error(void)
{
	switch (sip_last_error) {
	case E_BAD_URI:
		return -3;
	case E_BAD_ADDRESS:
		return -4;
	case E_SEND:
		return -6;
	case E_BAD_REQ:
		return -2;
	case E_OK:
	case E_UNSPEC:
	case E_OUT_OF_MEM:
	case E_TOO_MANY_HOPS:
	case E_BAD_PROTO:
		break;
	}
	return -1;
}

/*
 * Forward request <msg> on new branches of <t>: the R-URI (or $du) and
 * each branch of the destination set, to <given> if not NULL.  Cell lock
 * held.  Returns the number of branches sent (> 0), or a t_relay error
 * code (< 0) when none could be sent.
 */
int
tm_relay(struct tm_cell *t, struct sip_msg *msg, const struct fwd_dest *given)
{
	struct dset_branch_info bi;
	struct tm_target tg;
	int i, n = dset_count(), sent = 0, tried = 0;

	t->first_branch = t->nr_branches;
	sip_last_error = E_OK;
	for (i = -1; i < n; i++) {
		memset(&tg, 0, sizeof(tg));
		if (i == -1) {
			tg.uri = msg->new_uri;
			tg.dst_uri = msg->dst_uri;
		} else if (dset_get_info(i, &bi) == 0) {
			tg.uri = bi.uri;
			tg.dst_uri = bi.dst_uri;
			tg.path = bi.path;
			tg.conn_id = bi.conn_id;
			tg.sock = bi.sock;
		} else {
			continue;
		}
		if (t->nr_branches == TM_MAX_BRANCHES) {
			LM_ERR("tm: more than %d branches; the rest dropped",
			    TM_MAX_BRANCHES);
			break;
		}
		tried++;
		if (add_branch(t, msg, &tg, given) == 1)
			sent++;
	}
	if (sent > 0)
		return sent;
	if (tried == 0 || sip_last_error == E_OK)
		return -3;	/* every branch dropped by branch_route */
	return relay_error();
}

/* Resend branch <b>'s request.  Cell lock. */
void
tm_send_branch(struct tm_cell *t, int b)
{
	(void)net_send(&t->br[b]->dst, t->br[b]->buf, t->br[b]->len);
}

/* ---- CANCEL and ACK built from a branch ---------------------------------- */

struct tm_buf {
	char *p;
	int len, size;
};

static void
put(struct tm_buf *b, const char *s, int n)
{
	if (n <= 0)
		return;
	if (b->len + n > b->size) {
		b->len = b->size + 1;
		return;
	}
	memcpy(b->p + b->len, s, (size_t)n);
	b->len += n;
}

static int
hdr_is(const char *name, int n, const char *full, const char *compact)
{
	return ((int)strlen(full) == n && strncasecmp(name, full, (size_t)n) == 0)
	    || (compact != NULL && n == 1 && (name[0] | 0x20) == compact[0]);
}

/*
 * A CANCEL (<method> "CANCEL") or ACK of the request <req> (as sent on a
 * branch): same R-URI, our Via alone, From, Call-ID, To (<to_line> when
 * given: the reply's To), CSeq with the new method, Route and
 * Max-Forwards.  Into <b>.
 */
static void
build_hop_request(const char *req, int len, const char *method,
    const str *to_line, struct tm_buf *b)
{
	const char *p, *end = req + len, *line, *eol, *colon, *sp;
	int n, first = 1;

	eol = memchr(req, '\n', (size_t)len);
	sp = memchr(req, ' ', (size_t)len);
	if (eol == NULL || sp == NULL || sp > eol) {
		b->len = b->size + 1;
		return;
	}
	put(b, method, (int)strlen(method));
	/* " uri SIP/2.0" as sent */
	put(b, sp, (int)(eol + 1 - sp));
	p = eol + 1;
	while (p < end && *p != '\r' && *p != '\n') {
		line = p;
		do {
			eol = memchr(p, '\n', (size_t)(end - p));
			p = eol != NULL ? eol + 1 : end;
		} while (p < end && (*p == ' ' || *p == '\t'));
		colon = memchr(line, ':', (size_t)(p - line));
		if (colon == NULL)
			continue;
		for (n = (int)(colon - line); n > 0
		     && (line[n - 1] == ' ' || line[n - 1] == '\t'); n--)
			;
		if (first) {	/* our Via, always the first header */
			first = 0;
			put(b, line, (int)(p - line));
		} else if (hdr_is(line, n, "to", "t") && to_line != NULL) {
			put(b, to_line->s, to_line->len);
			put(b, "\r\n", 2);
		} else if (hdr_is(line, n, "cseq", NULL)) {
			const char *v = colon + 1, *num;

			while (v < p && (*v == ' ' || *v == '\t'))
				v++;
			num = v;
			while (v < p && *v >= '0' && *v <= '9')
				v++;
			put(b, "CSeq: ", 6);
			put(b, num, (int)(v - num));
			put(b, " ", 1);
			put(b, method, (int)strlen(method));
			put(b, "\r\n", 2);
		} else if (hdr_is(line, n, "from", "f")
		    || hdr_is(line, n, "call-id", "i") || hdr_is(line, n, "to", "t")
		    || hdr_is(line, n, "route", NULL)
		    || hdr_is(line, n, "max-forwards", NULL)) {
			put(b, line, (int)(p - line));
		}
	}
	put(b, "Content-Length: 0\r\n\r\n", 21);
}

static char *
build_shm(const char *req, int len, const char *method, const str *to_line,
    int *out_len)
{
	struct tm_buf b;
	char *out;

	b.size = len + (to_line != NULL ? to_line->len : 0) + 64;
	b.len = 0;
	if ((b.p = pkg_malloc((size_t)b.size)) == NULL)
		return NULL;
	build_hop_request(req, len, method, to_line, &b);
	out = b.len <= b.size ? tm_shm_dup(b.p, b.len) : NULL;
	*out_len = b.len;
	pkg_free(b.p);
	return out;
}

/*
 * Cancel branch <b> of INVITE <t>: now if it answered with a provisional
 * reply, else as soon as one arrives (RFC 3261 9.1).  Cell lock.  0 or
 * -1 (out of memory, logged).
 */
int
tm_cancel_branch(struct tm_cell *t, int b)
{
	struct tm_branch *br = t->br[b];
	unsigned long long now;

	if (t->method != METHOD_INVITE || br->state == TM_BR_COMPLETED
	    || br->state == TM_BR_UNUSED || br->cancel != NULL)
		return 0;
	br->cancel_asked = 1;
	if (br->state != TM_BR_PROCEEDING)
		return 0;
	if ((br->cancel = build_shm(br->buf, br->len, "CANCEL", NULL,
	    &br->cancel_len)) == NULL) {
		SHM_MEM_ERROR("building a CANCEL");
		return -1;
	}
	(void)net_send(&br->dst, br->cancel, br->cancel_len);
	if (br->dst.proto == PROTO_UDP) {
		now = timer_now_ms();
		br->cancel_iv = tm_t1;
		br->cancel_retr_at = now + tm_t1;
		br->cancel_end = now + 64ULL * tm_t1;
		tm_set_due(t, br->cancel_retr_at);
	}
	return 0;
}

/* Cancel every pending branch of <t> but <except> (-1: all).  Cell lock. */
void
tm_cancel_all(struct tm_cell *t, int except)
{
	int i;

	for (i = 0; i < t->nr_branches; i++)
		if (i != except)
			(void)tm_cancel_branch(t, i);
}

/*
 * Build and send the ACK for the non-2xx final reply <rpl> of branch <b>
 * (hop by hop, RFC 3261 17.1.1.3), keeping it for retransmissions of the
 * reply.  Cell lock.  0 or -1.
 */
int
tm_build_ack(struct tm_cell *t, int b, struct sip_msg *rpl)
{
	struct tm_branch *br = t->br[b];
	str to;

	if (br->ack == NULL) {
		if (parse_headers(rpl, HDR_TO_F, 0) == -1 || rpl->to == NULL)
			return -1;
		to.s = rpl->to->name.s;
		to.len = rpl->to->len;
		while (to.len > 0 && (to.s[to.len - 1] == '\n'
		    || to.s[to.len - 1] == '\r'))
			to.len--;
		if ((br->ack = build_shm(br->buf, br->len, "ACK", &to,
		    &br->ack_len)) == NULL) {
			SHM_MEM_ERROR("building an ACK");
			return -1;
		}
	}
	return net_send(&br->dst, br->ack, br->ack_len);
}

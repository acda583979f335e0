/*
 * tm_reply.c: replies of a transaction.  Replies received on a branch are
 * matched by our Via branch, run through t_on_reply's route, and relayed
 * upstream as RFC 3261 16.7 says: provisional ones at once, every 2xx of
 * an INVITE at once (the other branches are cancelled), a 6xx at once,
 * others once every branch has a final reply, after t_on_failure's route
 * had a chance to fork further, choosing the best (lowest class).
 * Replies made here (100, 408, 487, 503, t_reply) get the transaction's
 * own To tag.  The last reply sent upstream is kept for retransmissions.
 */
#include <stdio.h>
#include <string.h>

#include "core/timer.h"
#include "lib/log.h"
#include "lib/stats.h"
#include "mem/pkg.h"
#include "mem/shm.h"
#include "modules/tm/tm_cell.h"
#include "net/net_send.h"
#include "parser/parse_cseq.h"
#include "parser/parse_to.h"
#include "script/dset.h"
#include "script/route.h"
#include "sip/avp.h"
#include "sip/lump.h"
#include "sip/msg_translator.h"
#include "sip/reply.h"

#define TM_REPLY_MAX (SIP_MSG_MAX_LEN + 1)

/*
 * Parse the request of <t> into <fake> (pkg copy of its bytes), as the
 * failure route and local replies need it.  0, or -1 (logged).
 */
int
tm_fake_request(struct tm_cell *t, struct sip_msg *fake)
{
	char *buf;

	memset(fake, 0, sizeof(*fake));
	if ((buf = pkg_malloc((size_t)t->req_len + 1)) == NULL) {
		PKG_MEM_ERROR("copying a transaction's request");
		return -1;
	}
	memcpy(buf, t->req, (size_t)t->req_len);
	buf[t->req_len] = '\0';
	fake->buf = buf;
	fake->len = (unsigned int)t->req_len;
	fake->rcv = t->rcv;
	if (parse_msg(buf, fake->len, fake) == -1
	    || parse_headers(fake, HDR_EOH_F, 0) == -1
	    || fake->via1 == NULL || fake->callid == NULL || fake->cseq == NULL
	    || fake->from == NULL || fake->to == NULL
	    || parse_from_header(fake) == -1 || parse_to_header(fake) == -1) {
		LM_ERR("tm: stored request of a transaction does not parse");
		tm_fake_free(fake);
		return -1;
	}
	return 0;
}

/* Release what tm_fake_request() and the script put on <fake>. */
void
tm_fake_free(struct sip_msg *fake)
{
	char *buf = fake->buf;

	lump_free_all(&fake->add_rm);
	lump_free_all(&fake->body_lumps);
	lump_free_all(&fake->reply_lump);
	pkg_free(fake->new_uri.s);
	pkg_free(fake->dst_uri.s);
	msg_free(fake);
	pkg_free(buf);
}

static void
count_final(int code)
{
	if (code >= 200 && code < 700)
		stats_add(tm_st_class[code / 100], 1);
}

/*
 * A final reply has just been sent upstream on <t>: keep retransmitting a
 * non-2xx of an INVITE over UDP until the ACK (RFC 3261 17.2.1, timers G
 * and H), else keep the cell a while for retransmissions.  Cell lock.
 */
void
tm_uas_final_sent(struct tm_cell *t)
{
	unsigned long long now = timer_now_ms();

	count_final(t->status);
	if (t->method == METHOD_INVITE && t->status >= 300
	    && t->reply_dst.proto == PROTO_UDP) {
		t->uas_iv = tm_t1;
		t->uas_retr_at = now + tm_t1;
		t->uas_end = now + 64ULL * tm_t1;
		tm_set_due(t, t->uas_retr_at);
		return;
	}
	tm_set_delete(t, now + (unsigned long long)tm_wt_timer * 1000ULL);
}

/* Keep <buf> as the last reply sent upstream, <code> its status. */
static void
keep_reply(struct tm_cell *t, const char *buf, int len, int code,
    const str *to_tag)
{
	shm_free(t->reply);
	t->reply_len = 0;
	if ((t->reply = tm_shm_dup(buf, len)) != NULL)
		t->reply_len = len;
	t->status = code;
	if (code >= 200 && to_tag != NULL) {
		shm_free(t->reply_to_tag.s);
		t->reply_to_tag.len = 0;
		if ((t->reply_to_tag.s = tm_shm_dup(to_tag->s, to_tag->len))
		    != NULL)
			t->reply_to_tag.len = to_tag->len;
	}
}

/*
 * Send our own reply <code> <reason> to the request of <t> (<req> when
 * the caller has it parsed, else the stored copy).  Cell lock held.
 * 0, or -1 (logged).
 */
int
tm_reply_local(struct tm_cell *t, struct sip_msg *req, int code,
    const char *reason)
{
	static char buf[TM_REPLY_MAX], extra[4096];
	struct sip_msg fake;
	struct lump *l;
	str tag = { t->local_tag, (int)strlen(t->local_tag) };
	str x = { extra, 0 }, *to_tag = &tag;
	int len, own = 0;

	if (req == NULL) {
		if (tm_fake_request(t, &fake) == -1)
			return -1;
		req = &fake;
		own = 1;
	}
	for (l = req->reply_lump; l != NULL; l = l->next)
		x.len += l->ins.len;
	x.len = x.len <= (int)sizeof(extra) ? lump_concat(req->reply_lump,
	    extra) : 0;
	len = reply_build(req, code, reason, &tag, &x, buf, TM_REPLY_MAX);
	if (req->to != NULL && req->to->parsed != NULL
	    && get_to(req)->tag_value.len > 0)
		to_tag = &get_to(req)->tag_value;
	if (code >= 200 && !own)
		req->msg_flags |= FL_FINAL_REPLIED;
	/* <to_tag> may point into <fake>: keep the reply before freeing it */
	if (len != -1 && code == 100 && x.len == 0 && t->reply == NULL) {
		/* our plain 100 Trying is made again from the request when
		 * a retransmission needs it: not kept (tm_resend_reply) */
		t->status = 100;
	} else if (len != -1) {
		keep_reply(t, buf, len, code, to_tag);
	}
	if (own)
		tm_fake_free(&fake);
	if (len == -1) {
		LM_ERR("tm: reply %d: too large", code);
		return -1;
	}
	stats_add(tm_st_loc_rpl, 1);
	(void)net_send(&t->reply_dst, buf, len);
	if (code >= 200) {
		tm_cancel_all(t, -1);
		tm_uas_final_sent(t);
	}
	return 0;
}

/* Resend the last reply sent upstream, if any.  Cell lock. */
void
tm_resend_reply(struct tm_cell *t)
{
	static char buf[TM_REPLY_MAX];
	struct sip_msg fake;
	str tag = { t->local_tag, (int)strlen(t->local_tag) }, none = STR_NULL;
	int len;

	if (t->reply != NULL) {
		(void)net_send(&t->reply_dst, t->reply, t->reply_len);
		return;
	}
	if (t->status != 100 || tm_fake_request(t, &fake) == -1)
		return;
	len = reply_build(&fake, 100, "Trying", &tag, &none, buf,
	    TM_REPLY_MAX);
	tm_fake_free(&fake);
	if (len != -1)
		(void)net_send(&t->reply_dst, buf, len);
}

/* Relay the received reply <rpl> upstream.  Cell lock. */
static void
relay_reply(struct tm_cell *t, struct sip_msg *rpl)
{
	char *out;
	int len, code = (int)REPLY_STATUS(rpl), was_final = t->status >= 200;
	str *tag = NULL;

	if ((out = msg_build_reply_fwd(rpl, &len)) == NULL)
		return;
	if (code >= 200 && parse_headers(rpl, HDR_TO_F, 0) == 0
	    && rpl->to != NULL && parse_to_header(rpl) == 0)
		tag = &get_to(rpl)->tag_value;
	stats_add(tm_st_rel_rpl, 1);
	(void)net_send(&t->reply_dst, out, len);
	if (!was_final) {
		keep_reply(t, out, len, code, tag);
		if (code >= 200)
			tm_uas_final_sent(t);
	}
	pkg_free(out);
}

/* Relay the final reply stored on branch <b> (a reply we received). */
static void
relay_stored(struct tm_cell *t, int b)
{
	struct sip_msg rpl;
	char *buf;

	memset(&rpl, 0, sizeof(rpl));
	if ((buf = pkg_malloc((size_t)t->br[b]->reply_len + 1)) == NULL) {
		PKG_MEM_ERROR("relaying a stored reply");
		return;
	}
	memcpy(buf, t->br[b]->reply, (size_t)t->br[b]->reply_len);
	buf[t->br[b]->reply_len] = '\0';
	rpl.buf = buf;
	rpl.len = (unsigned int)t->br[b]->reply_len;
	if (parse_msg(buf, rpl.len, &rpl) == 0 && rpl.via1 != NULL)
		relay_reply(t, &rpl);
	else
		LM_ERR("tm: stored reply of branch %d does not parse", b);
	msg_free(&rpl);
	pkg_free(buf);
}

static const char *
local_reason(int code)
{
	switch (code) {
	case 408:
		return "Request Timeout";
	case 487:
		return "Request Terminated";
	case 503:
		return "Service Unavailable";
	default:
		return "Server Internal Error";
	}
}

/* The branch whose reply goes upstream: a 6xx, else the lowest class. */
static int
best_branch(struct tm_cell *t)
{
	int i, best = -1, bc = 0, c;

	for (i = 0; i < t->nr_branches; i++) {
		c = t->br[i]->code;
		if (c < 200)
			continue;
		if (best == -1 || (c >= 600 && bc < 600)
		    || (bc < 600 && c / 100 < bc / 100)) {
			best = i;
			bc = c;
		}
	}
	return best;
}

static void
run_failure_route(struct tm_cell *t)
{
	struct sip_msg fake;
	struct tm_cell *prev_t = tm_route_t;
	struct usr_avp **prev;
	int idx = t->on_failure;

	t->on_failure = 0;	/* armed again only by t_on_failure() */
	if (tm_fake_request(t, &fake) == -1)
		return;
	prev = avp_set_list(&t->avps);
	tm_route_t = t;
	t->in_failure = 1;
	dset_clear();
	(void)route_run(ROUTE_FAILURE, idx, &fake);
	t->in_failure = 0;
	tm_route_t = prev_t;
	(void)avp_set_list(prev);
	tm_fake_free(&fake);
}

static int
pending(const struct tm_cell *t)
{
	int i;

	for (i = 0; i < t->nr_branches; i++)
		if (t->br[i]->state == TM_BR_CALLING
		    || t->br[i]->state == TM_BR_PROCEEDING)
			return 1;
	return 0;
}

/*
 * Branch <b> of <t> has ended (final reply, timeout, send failure).  When
 * it was the last one pending: the failure route, then the best reply
 * upstream.  Cell lock held; any process.
 */
void
tm_branch_done(struct tm_cell *t, int b)
{
	int best, code;

	if (t->status >= 200 || pending(t))
		return;
	if (t->on_failure != 0 && route_has(ROUTE_FAILURE, t->on_failure)) {
		run_failure_route(t);
		if (t->status >= 200 || pending(t))
			return;
	}
	if ((best = best_branch(t)) == -1)
		return;
	code = t->br[best]->code;
	if (!t->br[best]->reply_local && t->br[best]->reply != NULL) {
		relay_stored(t, best);
		return;
	}
	if (t->canceled && code == 408)
		code = 487;
	(void)tm_reply_local(t, NULL, code, local_reason(code));
}

static int
run_onreply(struct tm_cell *t, struct sip_msg *msg)
{
	struct tm_cell *prev_t = tm_route_t;
	struct usr_avp **prev;
	int rc;

	if (t->on_reply == 0)
		return 1;
	prev = avp_set_list(&t->avps);
	tm_route_t = t;
	rc = route_run(ROUTE_ONREPLY, t->on_reply, msg);
	tm_route_t = prev_t;
	(void)avp_set_list(prev);
	return rc;
}

static void
provisional(struct tm_cell *t, int b, struct sip_msg *msg, int relay)
{
	struct tm_branch *br = t->br[b];
	int code = (int)REPLY_STATUS(msg);

	if (br->state == TM_BR_CALLING) {
		br->state = TM_BR_PROCEEDING;
		if (t->method == METHOD_INVITE) {
			br->retr_at = 0;
			br->fr_at = timer_now_ms()
			    + (unsigned long long)tm_fr_inv_timer * 1000ULL;
			tm_set_due(t, br->fr_at);
		} else if (br->retr_at != 0) {
			br->retr_iv = tm_t2;
		}
	}
	if (br->cancel_asked)
		(void)tm_cancel_branch(t, b);
	if (relay && code > 100 && t->status < 200)
		relay_reply(t, msg);
}

static void
final(struct tm_cell *t, int b, struct sip_msg *msg)
{
	struct tm_branch *br = t->br[b];
	int code = (int)REPLY_STATUS(msg);

	br->state = TM_BR_COMPLETED;
	br->code = code;
	br->retr_at = 0;
	br->fr_at = 0;
	if (t->method == METHOD_INVITE && code >= 300)
		(void)tm_build_ack(t, b, msg);
	if (code >= 300 && (br->reply = tm_shm_dup(msg->buf, (int)msg->len))
	    != NULL)
		br->reply_len = (int)msg->len;
	if (code < 300) {
		if (t->method == METHOD_INVITE || t->status < 200) {
			relay_reply(t, msg);
			tm_cancel_all(t, b);
		}
		return;
	}
	if (code >= 600 && t->method == METHOD_INVITE && t->status < 200) {
		tm_cancel_all(t, b);
		relay_reply(t, msg);
		return;
	}
	tm_branch_done(t, b);
}

/* Reply <msg> on branch <b> of <t>.  Cell lock held. */
static void
branch_reply(struct tm_cell *t, int b, struct sip_msg *msg)
{
	struct tm_branch *br = t->br[b];
	int code = (int)REPLY_STATUS(msg), relay;

	if (br->state == TM_BR_COMPLETED) {
		/* a retransmission, or a reply after our timeout */
		if (code >= 200 && code < 300 && t->method == METHOD_INVITE)
			relay_reply(t, msg);
		else if (code >= 300 && br->ack != NULL)
			(void)net_send(&br->dst, br->ack, br->ack_len);
		return;
	}
	relay = run_onreply(t, msg);
	if (code < 200)
		provisional(t, b, msg, relay != 0);
	else
		final(t, b, msg);
}

/*
 * response_f of the module: every reply the proxy receives.  Returns 0
 * when it belonged to one of our transactions (handled here), 1 to let
 * the core forward it statelessly.  Any receiving process.
 */
int
tm_on_reply(struct sip_msg *msg)
{
	struct tm_cell *t;
	int b;

	stats_add(tm_st_rcv_rpl, 1);
	if ((t = tm_lookup_reply(msg, &b)) == NULL)
		return 1;
	if (parse_headers(msg, HDR_CSEQ_F, 0) == -1 || msg->cseq == NULL) {
		tm_cell_unref(t);
		return 0;
	}
	lock_get(&t->lock);
	if (b < t->nr_branches) {
		if (msg_method_parse(&get_cseq(msg)->method) == METHOD_CANCEL) {
			t->br[b]->cancel_retr_at = 0;	/* our CANCEL answered */
		} else {
			branch_reply(t, b, msg);
		}
	}
	lock_release(&t->lock);
	tm_cell_unref(t);
	return 0;
}

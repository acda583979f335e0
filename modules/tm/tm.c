/*
 * tm.c: the transaction module's exports and script functions.  A
 * request gets a transaction from t_newtran(), t_relay() or t_reply();
 * the transaction of the message being routed stays with this process
 * (one reference) until the process routes its next message.  In
 * failure, branch and onreply routes the transaction is the one whose
 * lock this process holds (tm_route_t).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/timer.h"
#include "lib/log.h"
#include "lib/stats.h"
#include "mem/pkg.h"
#include "mem/shm.h"
#include "modules/tm/tm_cell.h"
#include "net/net_send.h"
#include "parser/parse_cseq.h"
#include "parser/parse_to.h"
#include "script/sr_module.h"
#include "sip/avp.h"
#include "sip/forward.h"
#include "sip/lump.h"
#include "sip/reply.h"
#include "sip/sip_error.h"

#define TM_ROUTES_REQ (ROUTE_REQUEST | ROUTE_FAILURE)
#define TM_ROUTES_ALL (ROUTE_REQUEST | ROUTE_FAILURE | ROUTE_ONREPLY \
	| ROUTE_BRANCH)

#define T_RELAY_NO_100	 0x01
#define T_RELAY_NO_REPLY 0x02

unsigned int tm_fr_timer = 30;		/* s */
unsigned int tm_fr_inv_timer = 120;	/* s */
unsigned int tm_wt_timer = 5;		/* s */
unsigned int tm_t1 = 500;		/* ms */
unsigned int tm_t2 = 4000;		/* ms */
unsigned int tm_shm_high_water = 80;	/* % of shm, 0: off */
unsigned int tm_retry_after = 10;	/* s, in the 503 of a refusal */

static struct stat_var *tm_st_refused;

struct tm_cell *tm_route_t;

/* the transaction of the request this process is routing */
static struct tm_cell *tm_cur;
static unsigned int tm_cur_id;
/* t_on_*() called before the transaction exists */
static unsigned int tm_next_id;
static int tm_next_failure, tm_next_reply, tm_next_branch;

/* t_relay("proto:host:port") and t_relay_to_*(host, port), config memory */
struct tm_to {
	struct fwd_dest d;
	int flags;
};

/* ---- the current transaction --------------------------------------------- */

/* Give up this process's reference to the current transaction. */
static void
tm_cur_drop(void)
{
	if (tm_cur != NULL) {
		tm_cell_unref(tm_cur);
		tm_cur = NULL;
	}
}

/* Forget the transaction of an earlier message. */
static void
tm_cur_check(struct sip_msg *msg)
{
	if (tm_cur_id != msg->id)
		tm_cur_drop();
	if (tm_next_id != msg->id) {
		tm_next_id = msg->id;
		tm_next_failure = tm_next_reply = tm_next_branch = 0;
	}
}

/*
 * <msg> is done with: give up this process's reference to its transaction
 * now, not when the next message comes (an idle process kept its last
 * transaction for ever).  The AVP list is switched back by the core right
 * after.
 */
static void
tm_msg_done(struct sip_msg *msg)
{
	if (tm_cur_id == msg->id)
		tm_cur_drop();
}

/* The transaction of <msg> if it has one (route context or created). */
static struct tm_cell *
tm_get(struct sip_msg *msg)
{
	if (tm_route_t != NULL)
		return tm_route_t;
	tm_cur_check(msg);
	return tm_cur;
}

static void
tm_adopt(struct sip_msg *msg, struct tm_cell *t)
{
	unsigned long long now = timer_now_ms();

	reply_dest(msg, &t->reply_dst);
	t->on_failure = tm_next_failure;
	t->on_reply = tm_next_reply;
	t->on_branch = tm_next_branch;
	t->max_life = now + 1000ULL * (tm_fr_timer + tm_fr_inv_timer
	    + 2ULL * tm_wt_timer) + 64ULL * tm_t1;
	tm_set_due(t, t->max_life);
	/* the request's AVPs now belong to the transaction */
	t->avps = *avp_get_list();
	*avp_get_list() = NULL;
	(void)avp_set_list(&t->avps);
	tm_cur = t;
	tm_cur_id = msg->id;
}

/*
 * Methods that may take a transaction from the reserve above
 * shm_high_water: registrations (usrloc needs the room anyway), and
 * requests that end something (they free more than they take).
 */
static int
tm_reserve_method(int method)
{
	return method == METHOD_REGISTER || method == METHOD_CANCEL
	    || method == METHOD_BYE;
}

/*
 * Is shm so full that a new transaction of <method> must be refused?
 * Logs when this process starts and stops refusing.
 */
static int
tm_over_high_water(int method)
{
	static int refusing;
	struct mem_stats st;
	int over;

	if (tm_shm_high_water == 0 || tm_reserve_method(method))
		return 0;
	shm_stats_get(&st);
	over = st.size > 0 && st.real_used * 100 > st.size
	    * (size_t)tm_shm_high_water;
	if (over && !refusing)
		LM_WARN("tm: shm is over shm_high_water (%u%% of %zu bytes): "
		    "new transactions other than REGISTER, BYE and CANCEL "
		    "get 503 until it drops; give openser more shm (-m) or "
		    "block the flooding sources (pike)",
		    tm_shm_high_water, st.size);
	else if (!over && refusing)
		LM_NOTICE("tm: shm back under shm_high_water (%u%%): new "
		    "transactions accepted again", tm_shm_high_water);
	refusing = over;
	return over;
}

/* Refuse request <msg> statelessly: 503 with Retry-After. */
static void
tm_refuse(struct sip_msg *msg)
{
	static char buf[1024 + SIP_MSG_MAX_LEN];
	char hdr[48];
	str x = { hdr, 0 };
	struct dest_info dst;
	int len;

	stats_add(tm_st_refused, 1);
	x.len = snprintf(hdr, sizeof(hdr), "Retry-After: %u\r\n",
	    tm_retry_after);
	len = reply_build(msg, 503, "Service Unavailable", NULL, &x, buf,
	    (int)sizeof(buf));
	if (len == -1)
		return;
	reply_dest(msg, &dst);
	(void)net_send(&dst, buf, len);
	msg->msg_flags |= FL_FINAL_REPLIED;
}

/*
 * The transaction of request <msg>, created when new.  Returns 1 with *<tp>
 * (a new or this message's transaction), 0 when <msg> retransmits an
 * existing one (its last reply was resent) or was refused with 503 for
 * lack of shm (see shm_high_water), -1 on error (logged).
 */
static int
tm_newtran(struct sip_msg *msg, struct tm_cell **tp)
{
	struct tm_cell *t;
	unsigned int hash;
	int over;

	if ((*tp = tm_get(msg)) != NULL)
		return 1;
	if (tm_request_hash(msg, &hash) == -1) {
		sip_last_error = E_BAD_REQ;
		return -1;
	}
	over = tm_over_high_water(REQ_LINE(msg).method_value);
	tm_bucket_lock(hash);
	t = tm_lookup_request_locked(msg, hash, REQ_LINE(msg).method_value);
	if (t == NULL && over) {
		tm_bucket_unlock(hash);
		tm_refuse(msg);
		return 0;
	}
	if (t == NULL && (t = tm_cell_new(msg, hash)) != NULL) {
		tm_cell_link_locked(t);
		tm_adopt(msg, t);
		tm_bucket_unlock(hash);
		*tp = t;
		return 1;
	}
	tm_bucket_unlock(hash);
	if (t == NULL) {
		sip_last_error = E_OUT_OF_MEM;
		return -1;
	}
	lock_get(&t->lock);
	tm_resend_reply(t);
	lock_release(&t->lock);
	tm_cell_unref(t);
	LM_DBG("tm: %.*s retransmission absorbed", STR_FMT(
	    &REQ_LINE(msg).method));
	return 0;
}

/* Lock <t> unless this process runs one of its routes (already held). */
static void
tm_lock(struct tm_cell *t)
{
	if (t != tm_route_t)
		lock_get(&t->lock);
}

static void
tm_unlock(struct tm_cell *t)
{
	if (t != tm_route_t)
		lock_release(&t->lock);
}

/* Keep the request as routed so far (main-route edits, new R-URI): in
 * place of the received one, which is all the cell holds. */
static void
tm_keep_request(struct tm_cell *t, struct sip_msg *msg)
{
	struct lump *uri = NULL;
	char *out;
	int len;

	if (msg->new_uri.s == NULL && msg->add_rm == NULL)
		return;		/* as received: already kept */
	if (msg->new_uri.s != NULL && lump_add(&uri,
	    (int)(REQ_LINE(msg).uri.s - msg->buf), REQ_LINE(msg).uri.len,
	    msg->new_uri.s, msg->new_uri.len) == NULL)
		return;
	out = lump_apply(msg->buf, (int)msg->len, msg->add_rm, uri, &len);
	lump_free_all(&uri);
	if (out == NULL)
		return;
	(void)tm_cell_set_request(t, out, len);
	pkg_free(out);
}

/* ---- ACK and CANCEL ------------------------------------------------------ */

/* An ACK: absorbed when it acknowledges our non-2xx (0), else forwarded
 * end to end, statelessly. */
static int
tm_relay_ack(struct sip_msg *msg, const struct fwd_dest *given)
{
	struct tm_cell *t;
	unsigned int hash;
	int absorbed = 0;

	if (tm_request_hash(msg, &hash) == 0) {
		tm_bucket_lock(hash);
		t = tm_lookup_ack_locked(msg, hash);
		tm_bucket_unlock(hash);
		if (t != NULL) {
			lock_get(&t->lock);
			if (t->status >= 300) {
				absorbed = 1;
				t->uas_retr_at = 0;
				tm_set_delete(t, timer_now_ms()
				    + 1000ULL * tm_wt_timer);
			}
			lock_release(&t->lock);
			tm_cell_unref(t);
		}
	}
	if (absorbed)
		return CMD_DROP;
	if (fwd_request(msg, given) == -1)
		return sip_last_error == E_BAD_ADDRESS ? -4 : -6;
	return CMD_TRUE;
}

/* The INVITE transaction CANCEL <msg> cancels, with a reference, or NULL. */
static struct tm_cell *
tm_lookup_invite(struct sip_msg *msg)
{
	struct tm_cell *t;
	unsigned int hash;

	if (tm_request_hash(msg, &hash) == -1)
		return NULL;
	tm_bucket_lock(hash);
	t = tm_lookup_request_locked(msg, hash, METHOD_INVITE);
	tm_bucket_unlock(hash);
	return t;
}

/* A CANCEL whose INVITE we have: 200 to it, CANCEL every pending branch
 * (or 487 when nothing was forwarded). */
static int
tm_cancel_invite(struct sip_msg *msg, struct tm_cell *t, struct tm_cell *inv)
{
	lock_get(&inv->lock);
	inv->canceled = 1;
	if (inv->status < 200) {
		if (inv->nr_branches == 0)
			(void)tm_reply_local(inv, NULL, 487, "Request Terminated");
		else
			tm_cancel_all(inv, -1);
	}
	lock_release(&inv->lock);
	tm_cell_unref(inv);
	lock_get(&t->lock);
	if (t->status < 200)
		(void)tm_reply_local(t, msg, 200, "OK");
	lock_release(&t->lock);
	return CMD_TRUE;
}

/* ---- t_relay -------------------------------------------------------------- */

static int
tm_relay_error_reply(struct tm_cell *t, struct sip_msg *msg, int rc)
{
	const char *reason;
	int code;

	if (rc == -6) {
		code = 503;
		reason = "Service Unavailable";
	} else {
		code = sip_error_to_code(sip_last_error, &reason);
	}
	return tm_reply_local(t, msg, code, reason);
}

static int
tm_t_relay(struct sip_msg *msg, const struct tm_to *to)
{
	const struct fwd_dest *given = to != NULL ? &to->d : NULL;
	int flags = to != NULL ? to->flags : 0;
	struct tm_cell *t, *inv;
	int rc;

	if (tm_route_t != NULL) {	/* failure route: more branches */
		t = tm_route_t;
		if (t->canceled)
			return -3;
		return tm_relay(t, msg, given) > 0 ? CMD_TRUE : -3;
	}
	if (REQ_LINE(msg).method_value == METHOD_ACK)
		return tm_relay_ack(msg, given);
	if ((rc = tm_newtran(msg, &t)) <= 0)
		return rc == 0 ? CMD_DROP : -1;
	if (REQ_LINE(msg).method_value == METHOD_CANCEL
	    && (inv = tm_lookup_invite(msg)) != NULL)
		return tm_cancel_invite(msg, t, inv);
	lock_get(&t->lock);
	if (t->method == METHOD_INVITE && t->status == 0
	    && !(flags & T_RELAY_NO_100))
		(void)tm_reply_local(t, msg, 100, "Trying");
	tm_keep_request(t, msg);
	rc = tm_relay(t, msg, given);
	if (rc < 0 && !(flags & T_RELAY_NO_REPLY) && t->status < 200)
		(void)tm_relay_error_reply(t, msg, rc);
	lock_release(&t->lock);
	return rc < 0 ? rc : CMD_TRUE;
}

static int
w_t_relay(struct sip_msg *msg, void *p1, void *p2)
{
	return tm_t_relay(msg, NULL);
}

static int
w_t_relay_to(struct sip_msg *msg, void *to, void *p2)
{
	return tm_t_relay(msg, to);
}

/* "[proto:]host[:port]" or flags (a number) into a struct tm_to. */
static int
fix_relay_to(void **param, int param_no)
{
	struct tm_to *to;
	char *s = *param, *host, *colon;
	str ps;
	long port = 0;

	if ((to = calloc(1, sizeof(*to))) == NULL) {
		fix_param_error("out of memory");
		return -1;
	}
	if (s[0] >= '0' && s[0] <= '9' && strspn(s, "0123456789x") == strlen(s)) {
		to->flags = (int)strtol(s, NULL, 0);
		free(s);
		*param = to;
		return 0;
	}
	host = s;
	if ((colon = strchr(s, ':')) != NULL && colon[1] != '\0'
	    && strchr(colon + 1, ':') != NULL) {
		ps.s = s;
		ps.len = (int)(colon - s);
		if (proto_parse(&ps, &to->d.proto) == 0)
			host = colon + 1;
	} else if (colon != NULL) {
		ps.s = s;
		ps.len = (int)(colon - s);
		if (proto_parse(&ps, &to->d.proto) == 0)
			host = colon + 1;
	}
	if ((colon = strrchr(host, ':')) != NULL && strchr(host, ']') < colon) {
		port = strtol(colon + 1, NULL, 10);
		if (port < 1 || port > 65535) {
			free(to);
			fix_param_error("bad port in '%s'", s);
			return -1;
		}
		*colon = '\0';
	}
	to->d.host.s = host;	/* keeps <s> alive: config memory */
	to->d.host.len = (int)strlen(host);
	to->d.port = (unsigned short)port;
	if (to->d.host.len == 0) {
		free(to);
		fix_param_error("no host in '%s'", s);
		return -1;
	}
	*param = to;
	return 0;
}

/* t_relay_to_udp/_tcp/_tls(host, port): argument 1 becomes the tm_to. */
static int
fix_relay_proto(void **param, int param_no, enum sip_proto proto)
{
	static struct tm_to *pending;
	long port;

	if (param_no == 1) {
		if ((pending = calloc(1, sizeof(*pending))) == NULL) {
			fix_param_error("out of memory");
			return -1;
		}
		pending->d.proto = proto;
		pending->d.host.s = *param;
		pending->d.host.len = (int)strlen(*param);
		*param = pending;
		return 0;
	}
	port = strtol(*param, NULL, 10);
	if (port < 1 || port > 65535 || pending == NULL) {
		fix_param_error("port must be 1..65535");
		return -1;
	}
	pending->d.port = (unsigned short)port;
	return 0;
}

static int
fix_relay_udp(void **param, int param_no)
{
	return fix_relay_proto(param, param_no, PROTO_UDP);
}

static int
fix_relay_tcp(void **param, int param_no)
{
	return fix_relay_proto(param, param_no, PROTO_TCP);
}

static int
fix_relay_tls(void **param, int param_no)
{
#ifndef USE_TLS
	if (param_no == 1) {
		fix_param_error("t_relay_to_tls needs a TLS build (make TLS=1)");
		return -1;
	}
#endif
	return fix_relay_proto(param, param_no, PROTO_TLS);
}

/* ---- the other functions ---------------------------------------------------- */

static int
w_t_newtran(struct sip_msg *msg, void *p1, void *p2)
{
	struct tm_cell *t;
	int rc;

	if (REQ_LINE(msg).method_value == METHOD_ACK) {
		LM_ERR("tm: t_newtran() on an ACK: use t_relay()");
		return CMD_ERROR;
	}
	if ((rc = tm_newtran(msg, &t)) == 1)
		return CMD_TRUE;
	return rc == 0 ? CMD_DROP : CMD_ERROR;
}

static int
w_t_reply(struct sip_msg *msg, void *code, void *reason)
{
	struct tm_cell *t = tm_get(msg);
	int rc;

	if (t == NULL) {
		if (REQ_LINE(msg).method_value == METHOD_ACK)
			return CMD_ERROR;
		if ((rc = tm_newtran(msg, &t)) <= 0)
			return rc == 0 ? CMD_DROP : CMD_ERROR;
	}
	tm_lock(t);
	if (t->status >= 200) {
		tm_unlock(t);
		LM_NOTICE("tm: t_reply(%d): a final reply was already sent",
		    (int)(intptr_t)code);
		return CMD_FALSE;
	}
	/* in a failure route <msg> is the transaction's own request */
	rc = tm_reply_local(t, msg, (int)(intptr_t)code, reason);
	tm_unlock(t);
	return rc == 0 ? CMD_TRUE : CMD_ERROR;
}

static int
fix_reply_code(void **param, int param_no)
{
	char *end;
	long code;

	if (param_no != 1)
		return 0;
	code = strtol(*param, &end, 10);
	if (*end != '\0' || code < 100 || code > 699) {
		fix_param_error("reply code must be 100..699, not '%s'",
		    (char *)*param);
		return -1;
	}
	free(*param);
	*param = (void *)(intptr_t)code;
	return 0;
}

static int
w_t_check_trans(struct sip_msg *msg, void *p1, void *p2)
{
	struct tm_cell *t;
	unsigned int hash;
	int m;

	if (tm_route_t != NULL)
		return CMD_TRUE;
	if (IS_SIP_REPLY(msg)) {
		int b;

		if ((t = tm_lookup_reply(msg, &b)) == NULL)
			return CMD_FALSE;
		tm_cell_unref(t);
		return CMD_TRUE;
	}
	if (tm_get(msg) != NULL)
		return CMD_TRUE;
	m = REQ_LINE(msg).method_value;
	if (tm_request_hash(msg, &hash) == -1)
		return CMD_FALSE;
	tm_bucket_lock(hash);
	t = m == METHOD_ACK ? tm_lookup_ack_locked(msg, hash)
	    : tm_lookup_request_locked(msg, hash,
		m == METHOD_CANCEL ? METHOD_INVITE : m);
	tm_bucket_unlock(hash);
	if (t == NULL)
		return CMD_FALSE;
	if (m != METHOD_ACK && m != METHOD_CANCEL) {
		/* a retransmission: answer it and stop the script */
		lock_get(&t->lock);
		tm_resend_reply(t);
		lock_release(&t->lock);
		tm_cell_unref(t);
		return CMD_DROP;
	}
	tm_cell_unref(t);
	return CMD_TRUE;
}

static int
w_t_release(struct sip_msg *msg, void *p1, void *p2)
{
	struct tm_cell *t = tm_get(msg);

	if (t == NULL || t == tm_route_t)
		return CMD_FALSE;
	lock_get(&t->lock);
	t->uas_retr_at = 0;
	tm_set_delete(t, timer_now_ms());
	lock_release(&t->lock);
	/* the rest of the script must not use the AVPs of a cell that may
	 * be freed as soon as our reference is gone */
	(void)avp_set_list(NULL);
	tm_cur_drop();	/* t is tm_cur */
	return CMD_TRUE;
}

static int
w_t_was_cancelled(struct sip_msg *msg, void *p1, void *p2)
{
	struct tm_cell *t = tm_get(msg);

	return t != NULL && t->canceled ? CMD_TRUE : CMD_FALSE;
}

/* t_on_failure(N) and friends: N must name a defined route of that type. */
static int
fix_route_no(void **param, int type)
{
	char *end;
	long n = strtol(*param, &end, 10);

	if (*end != '\0' || n < 1 || n >= ROUTE_MAX_NUM) {
		fix_param_error("route number must be 1..%d", ROUTE_MAX_NUM - 1);
		return -1;
	}
	if (!route_has(type, (int)n)) {
		fix_param_error("route %ld of that type is not defined", n);
		return -1;
	}
	free(*param);
	*param = (void *)(intptr_t)n;
	return 0;
}

static int
fix_on_failure(void **param, int param_no)
{
	return fix_route_no(param, ROUTE_FAILURE);
}

static int
fix_on_reply(void **param, int param_no)
{
	return fix_route_no(param, ROUTE_ONREPLY);
}

static int
fix_on_branch(void **param, int param_no)
{
	return fix_route_no(param, ROUTE_BRANCH);
}

static int
tm_set_route(struct sip_msg *msg, int which, int idx)
{
	struct tm_cell *t = tm_get(msg);
	int *slot;

	if (t != NULL) {
		slot = which == ROUTE_FAILURE ? &t->on_failure
		    : which == ROUTE_ONREPLY ? &t->on_reply : &t->on_branch;
	} else {
		slot = which == ROUTE_FAILURE ? &tm_next_failure
		    : which == ROUTE_ONREPLY ? &tm_next_reply : &tm_next_branch;
	}
	*slot = idx;
	return CMD_TRUE;
}

static int
w_t_on_failure(struct sip_msg *msg, void *idx, void *p2)
{
	return tm_set_route(msg, ROUTE_FAILURE, (int)(intptr_t)idx);
}

static int
w_t_on_reply(struct sip_msg *msg, void *idx, void *p2)
{
	return tm_set_route(msg, ROUTE_ONREPLY, (int)(intptr_t)idx);
}

static int
w_t_on_branch(struct sip_msg *msg, void *idx, void *p2)
{
	return tm_set_route(msg, ROUTE_BRANCH, (int)(intptr_t)idx);
}

/* ---- management and statistics --------------------------------------------- */

static int
mi_t_stats(int argc, const str *argv, struct mi_reply *r)
{
	static const char *const names[] = { "UAS_transactions",
		"UAC_transactions", "inuse_transactions", "received_replies",
		"relayed_replies", "local_replies", "refused_transactions",
		"2xx_transactions",
		"3xx_transactions", "4xx_transactions", "5xx_transactions",
		"6xx_transactions" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		(void)mi_reply_printf(r, "%s: %llu\n", names[i],
		    (unsigned long long)stats_read(stats_find("tm", names[i])));
	return 0;
}

static int
tm_stats_register(void)
{
	static const char *const cls[] = { "2xx_transactions",
		"3xx_transactions", "4xx_transactions", "5xx_transactions",
		"6xx_transactions" };
	int i;

	tm_st_uas = stats_register("tm", "UAS_transactions");
	tm_st_uac = stats_register("tm", "UAC_transactions");
	tm_st_inuse = stats_register("tm", "inuse_transactions");
	tm_st_rcv_rpl = stats_register("tm", "received_replies");
	tm_st_rel_rpl = stats_register("tm", "relayed_replies");
	tm_st_loc_rpl = stats_register("tm", "local_replies");
	tm_st_refused = stats_register("tm", "refused_transactions");
	for (i = 0; i < 5; i++)
		if ((tm_st_class[i + 2] = stats_register("tm", cls[i])) == NULL)
			return -1;
	return tm_st_uas && tm_st_uac && tm_st_inuse && tm_st_rcv_rpl
	    && tm_st_refused
	    && tm_st_rel_rpl && tm_st_loc_rpl ? 0 : -1;
}

static int
mod_init(void)
{
	if (tm_t1 < 10 || tm_t2 < tm_t1 || tm_fr_timer == 0
	    || tm_fr_inv_timer == 0) {
		LM_ERR("tm: need retr_timer1 >= 10 ms, retr_timer2 >= "
		    "retr_timer1, fr_timer and fr_inv_timer > 0");
		return -1;
	}
	if (tm_shm_high_water > 100) {
		LM_ERR("tm: shm_high_water is a percentage of shm: 1..100, "
		    "or 0 to turn the reserve off (not %u)", tm_shm_high_water);
		return -1;
	}
	if (tm_stats_register() == -1) {
		LM_ERR("tm: cannot register the statistics");
		return -1;
	}
	if (tm_table_init() == -1)
		return -1;
	if (timer_register(tm_timer, NULL, 100) == -1) {
		LM_ERR("tm: cannot register the timer");
		return -1;
	}
	return 0;
}

static void
mod_destroy(void)
{
	tm_table_destroy();
}

static const struct cmd_export cmds[] = {
	/* name, handler, nargs, fixup, allowed in */
	{ "t_relay", w_t_relay, 0, NULL, TM_ROUTES_REQ },
	{ "t_relay", w_t_relay_to, 1, fix_relay_to, TM_ROUTES_REQ },
	{ "t_relay_to_udp", w_t_relay_to, 2, fix_relay_udp, TM_ROUTES_REQ },
	{ "t_relay_to_tcp", w_t_relay_to, 2, fix_relay_tcp, TM_ROUTES_REQ },
	{ "t_relay_to_tls", w_t_relay_to, 2, fix_relay_tls, TM_ROUTES_REQ },
	{ "t_on_failure", w_t_on_failure, 1, fix_on_failure, TM_ROUTES_REQ
	    | ROUTE_BRANCH },
	{ "t_on_reply", w_t_on_reply, 1, fix_on_reply, TM_ROUTES_REQ
	    | ROUTE_BRANCH },
	{ "t_on_branch", w_t_on_branch, 1, fix_on_branch, TM_ROUTES_REQ },
	{ "t_newtran", w_t_newtran, 0, NULL, ROUTE_REQUEST },
	{ "t_reply", w_t_reply, 2, fix_reply_code, TM_ROUTES_REQ },
	{ "t_check_trans", w_t_check_trans, 0, NULL, TM_ROUTES_ALL },
	{ "t_release", w_t_release, 0, NULL, ROUTE_REQUEST },
	{ "t_was_cancelled", w_t_was_cancelled, 0, NULL, TM_ROUTES_ALL },
	{ 0 },
};

static const struct param_export params[] = {
	{ "fr_timer", PARAM_UINT, &tm_fr_timer },
	{ "fr_inv_timer", PARAM_UINT, &tm_fr_inv_timer },
	{ "wt_timer", PARAM_UINT, &tm_wt_timer },
	{ "retr_timer1", PARAM_UINT, &tm_t1 },
	{ "retr_timer2", PARAM_UINT, &tm_t2 },
	{ "shm_high_water", PARAM_UINT, &tm_shm_high_water },
	{ "retry_after", PARAM_UINT, &tm_retry_after },
	{ 0 },
};

static const struct mi_export mi_cmds[] = {
	{ "t_stats", mi_t_stats, "transaction counters of the tm module" },
	{ 0 },
};

/*
 * Protected: modules are loaded RTLD_GLOBAL, so without it this file's own
 * references to "exports" would bind to the first loaded module's table
 * (ASan reports that as an ODR violation).
 */
__attribute__((visibility("protected")))
const struct module_exports exports = {
	.abi = MODULE_ABI,
	.name = "tm",
	.cmds = cmds,
	.params = params,
	.mi_cmds = mi_cmds,
	.response_f = tm_on_reply,
	.msg_done = tm_msg_done,
	.init = mod_init,
	.destroy = mod_destroy,
};

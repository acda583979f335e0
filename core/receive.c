/*
 * receive.c: parse a received message, check it, run the route script on
 * it (requests) or forward it (replies), and release everything it used.
 * Bad requests with a usable Via get 400; anything else unparsable is
 * dropped.  Such drops are logged at most once a second per process.
 */
#include <string.h>
#include <time.h>

#include "core/receive.h"
#include "lib/log.h"
#include "lib/stats.h"
#include "mem/pkg.h"
#include "parser/msg_parser.h"
#include "parser/parse_contact.h"
#include "parser/parse_cseq.h"
#include "parser/parse_to.h"
#include "script/route.h"
#include "script/sr_module.h"
#include "sip/avp.h"
#include "sip/forward.h"
#include "sip/lump.h"
#include "sip/reply.h"

static struct stat_var *st_rcv_req, *st_rcv_rpl, *st_bad, *st_drop_rpl;
static unsigned int msg_no;

/* Register the core counters.  Attendant, before stats_init(). */
int
receive_init(void)
{
	st_rcv_req = stats_register("core", "rcv_requests");
	st_rcv_rpl = stats_register("core", "rcv_replies");
	st_bad = stats_register("core", "bad_msg");
	st_drop_rpl = stats_register("core", "drop_replies");
	return st_rcv_req && st_rcv_rpl && st_bad && st_drop_rpl ? 0 : -1;
}

static void
log_bad(const struct receive_info *ri, const char *why)
{
	static time_t last;
	static unsigned int suppressed;
	char src[SU_MAX_STR];
	time_t now = time(NULL);

	stats_add(st_bad, 1);
	if (now == last) {
		suppressed++;
		return;
	}
	last = now;
	if (su_to_str(&ri->src_su, src, sizeof(src)) < 0)
		src[0] = '\0';
	LM_NOTICE("bad message from %s:%s: %s (%u more suppressed)",
	    proto_name(ri->proto), src, why, suppressed);
	suppressed = 0;
}

/*
 * Full check of a request before the script sees it: every header parses,
 * the mandatory ones are there and well formed, the body is as long as
 * Content-Length says.  NULL when fine, else what is wrong.
 */
static const char *
request_check(struct sip_msg *msg)
{
	unsigned int cl;
	char *body;

	if (parse_headers(msg, HDR_EOH_F, 0) == -1)
		return "unparsable header";
	if (msg->callid == NULL || msg->cseq == NULL || msg->from == NULL
	    || msg->to == NULL)
		return "missing Call-ID, CSeq, From or To";
	if (parse_from_header(msg) == -1 || parse_to_header(msg) == -1)
		return "bad From or To";
	if (get_cseq(msg)->method.len != REQ_LINE(msg).method.len
	    || memcmp(get_cseq(msg)->method.s, REQ_LINE(msg).method.s,
		(size_t)REQ_LINE(msg).method.len) != 0)
		return "CSeq method differs from the request method";
	if (parse_sip_msg_uri(msg) == -1)
		return "bad Request-URI";
	if (msg->contact != NULL && parse_contact_all(msg) == -1)
		return "bad Contact";
	if ((body = msg_body(msg)) == NULL)
		return "bad headers";
	if (msg->content_length != NULL) {
		if (msg_content_length(msg, &cl) == -1)
			return "bad Content-Length";
		if (body + cl > msg->buf + msg->len)
			return "Content-Length larger than the body";
		msg->len = (unsigned int)(body - msg->buf) + cl;
	}
	return NULL;
}

static void
msg_release(struct sip_msg *msg)
{
	mod_msg_done_all(msg);
	lump_free_all(&msg->add_rm);
	lump_free_all(&msg->body_lumps);
	lump_free_all(&msg->reply_lump);
	pkg_free(msg->new_uri.s);
	pkg_free(msg->dst_uri.s);
	avp_msg_end();	/* tm has moved out what it keeps */
	msg_free(msg);
}

/*
 * Process one message of <len> bytes at <buf> received as <ri>.  Any
 * receiving process.  0 when handled (routed, answered or dropped), -1 on
 * an internal error (logged).
 */
int
receive_msg(char *buf, unsigned int len, struct receive_info *ri)
{
	struct sip_msg msg;
	const char *why;

	memset(&msg, 0, sizeof(msg));
	msg.buf = buf;
	msg.len = len;
	msg.rcv = *ri;
	msg.id = ++msg_no;
	if (parse_msg(buf, len, &msg) == -1) {
		if (msg.first_line.type == SIP_REQUEST && msg.via1 != NULL
		    && msg.via1->error == 0)
			(void)reply_send(&msg, 400, "Bad Request");
		log_bad(ri, "unparsable first line or Via");
		msg_release(&msg);
		return 0;
	}
	if (msg.via1 == NULL || msg.via1->error != 0) {
		log_bad(ri, "no usable Via: nowhere to answer");
		msg_release(&msg);
		return 0;
	}
	if (IS_SIP_REQUEST(&msg)) {
		stats_add(st_rcv_req, 1);
		if ((why = request_check(&msg)) != NULL) {
			log_bad(ri, why);
			(void)reply_send(&msg, 400, "Bad Request");
		} else {
			(void)route_run_request(&msg);
		}
	} else {
		stats_add(st_rcv_rpl, 1);
		if (mod_response_all(&msg) == 0)
			;	/* a module (tm) took it */
		else if (route_run_onreply(&msg) == 1)
			(void)fwd_reply(&msg);
		else
			stats_add(st_drop_rpl, 1);
	}
	msg_release(&msg);
	return 0;
}

/*
 * A stream message whose framing failed (no or bad Content-Length): answer
 * 400 when it is a request with a usable Via.  The caller closes the
 * connection afterwards.
 */
void
receive_bad_stream_msg(char *buf, unsigned int len, struct receive_info *ri,
    const char *why)
{
	struct sip_msg msg;

	memset(&msg, 0, sizeof(msg));
	msg.buf = buf;
	msg.len = len;
	msg.rcv = *ri;
	log_bad(ri, why);
	if (parse_msg(buf, len, &msg) == 0 || msg.via1 != NULL)
		if (msg.first_line.type == SIP_REQUEST && msg.via1 != NULL
		    && msg.via1->error == 0)
			(void)reply_send(&msg, 400, "Bad Request");
	msg_release(&msg);
}

/*
 * receive.c: parse a received message, check it, run the route script on
 * it (requests) or forward it (replies), and release everything it used.
 * Bad requests with a usable Via get 400 (416 for a Request-URI scheme
 * we do not route, 420 for an unknown Proxy-Require option); anything
 * else unparsable is dropped; a reply or an ACK is never answered.  Such drops are logged at most once a second per process.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/receive.h"
#include "lib/log.h"
#include "lib/stats.h"
#include "mem/pkg.h"
#include "parser/msg_parser.h"
#include "parser/parse_contact.h"
#include "parser/parse_cseq.h"
#include "parser/parse_option_tags.h"
#include "parser/parse_to.h"
#include "parser/parse_uri.h"
#include "script/route.h"
#include "script/sr_module.h"
#include "sip/avp.h"
#include "sip/forward.h"
#include "sip/lump.h"
#include "sip/reply.h"
#include "sip/sip_cfg.h"

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

/* What request_check() found wrong: the reply code, reason and why. */
struct req_refusal {
	int code;
	const char *reason;
	const char *why;	/* for the log */
	char hdrs[512];		/* extra reply header lines, or "" */
};

static int
refuse(struct req_refusal *rf, int code, const char *reason, const char *why)
{
	rf->code = code;
	rf->reason = reason;
	rf->why = why;
	return -1;
}

/*
 * A Request-URI that did not parse: 416 when it is an absoluteURI in a
 * scheme other than sip/sips/tel/tels (RFC 3261 8.2.2.1 and 16.3 step 2,
 * RFC 4475 3.3.2/3.3.3), 400 when it is broken.
 */
static int
ruri_refusal(struct sip_msg *msg, struct req_refusal *rf)
{
	static const char *const ours[] = { "sip", "sips", "tel", "tels" };
	str scheme;
	size_t i;

	if (!parse_uri_is_absolute(REQ_LINE(msg).uri.s, REQ_LINE(msg).uri.len,
	    &scheme))
		return refuse(rf, 400, "Bad Request", "bad Request-URI");
	for (i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
		if (str_caseeq_cstr(&scheme, ours[i]))
			return refuse(rf, 400, "Bad Request", "bad Request-URI");
	return refuse(rf, 416, "Unsupported URI Scheme",
	    "Request-URI scheme not supported");
}

/*
 * RFC 3261 16.3 step 5: every option tag of every Proxy-Require header
 * must be one a module declared (sip_proxy_option_add()); otherwise 420
 * with an Unsupported header listing the unknown ones.
 */
static int
proxy_require_check(struct sip_msg *msg, struct req_refusal *rf)
{
	struct hdr_field *hf;
	struct option_tag *t;
	int n = 0, k;

	for (hf = msg->proxy_require; hf != NULL; hf = hf->sibling) {
		if (parse_option_tags(hf) == -1)
			return refuse(rf, 400, "Bad Request", "bad Proxy-Require");
		for (t = ((struct option_tag_body *)hf->parsed)->tags; t != NULL;
		     t = t->next) {
			if (sip_proxy_option_supported(&t->tag))
				continue;
			k = snprintf(rf->hdrs + n, sizeof(rf->hdrs) - (size_t)n,
			    "%s%.*s", n == 0 ? "Unsupported: " : ", ",
			    STR_FMT(&t->tag));
			if (k < 0 || (size_t)(n + k) >= sizeof(rf->hdrs) - 2)
				return refuse(rf, 400, "Bad Request",
				    "Proxy-Require too long");
			n += k;
		}
	}
	if (n == 0)
		return 0;
	memcpy(rf->hdrs + n, "\r\n", 3);
	return refuse(rf, 420, "Bad Extension",
	    "Proxy-Require names an option this proxy does not support");
}

/*
 * Full check of a request before the script sees it: every header parses,
 * the mandatory ones are there, once, and well formed, the Request-URI is
 * one we can route, the body is as long as Content-Length says, and no
 * Proxy-Require option is unknown.  0 when fine, else -1 with <rf> set.
 */
static int
request_check(struct sip_msg *msg, struct req_refusal *rf)
{
	unsigned int cl;
	char *body;

	rf->hdrs[0] = '\0';
	if (parse_headers(msg, HDR_EOH_F, 0) == -1)
		return refuse(rf, 400, "Bad Request", "unparsable header");
	if (msg->callid == NULL || msg->cseq == NULL || msg->from == NULL
	    || msg->to == NULL)
		return refuse(rf, 400, "Bad Request",
		    "missing Call-ID, CSeq, From or To");
	if (msg_repeated_hf(msg) != NULL)
		return refuse(rf, 400, "Bad Request",
		    "a single-value header is repeated");
	if (parse_from_header(msg) == -1 || parse_to_header(msg) == -1)
		return refuse(rf, 400, "Bad Request", "bad From or To");
	if (get_cseq(msg)->method.len != REQ_LINE(msg).method.len
	    || memcmp(get_cseq(msg)->method.s, REQ_LINE(msg).method.s,
		(size_t)REQ_LINE(msg).method.len) != 0)
		return refuse(rf, 400, "Bad Request",
		    "CSeq method differs from the request method");
	if (parse_sip_msg_uri(msg) == -1)
		return ruri_refusal(msg, rf);
	if (msg->contact != NULL && parse_contact_all(msg) == -1)
		return refuse(rf, 400, "Bad Request", "bad Contact");
	if ((body = msg_body(msg)) == NULL)
		return refuse(rf, 400, "Bad Request", "bad headers");
	if (msg->content_length != NULL) {
		if (msg_content_length(msg, &cl) == -1)
			return refuse(rf, 400, "Bad Request", "bad Content-Length");
		if (body + cl > msg->buf + msg->len)
			return refuse(rf, 400, "Bad Request",
			    "Content-Length larger than the body");
		msg->len = (unsigned int)(body - msg->buf) + cl;
	}
	if (REQ_LINE(msg).method_value != METHOD_ACK)
		return proxy_require_check(msg, rf);
	return 0;
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
	struct req_refusal rf;
	str hdrs;

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
		if (request_check(&msg, &rf) == -1) {
			log_bad(ri, rf.why);
			hdrs.s = rf.hdrs;
			hdrs.len = (int)strlen(rf.hdrs);
			(void)reply_send_hdrs(&msg, rf.code, rf.reason, &hdrs);
		} else {
			(void)route_run_request(&msg);
		}
	} else {
		stats_add(st_rcv_rpl, 1);
		if (parse_headers(&msg, HDR_EOH_F, 0) == -1
		    || msg_repeated_hf(&msg) != NULL) {
			log_bad(ri, "reply with a bad or repeated header");
			stats_add(st_drop_rpl, 1);
		} else if (mod_response_all(&msg) == 0)
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

/*
 * Unit tests for parser/msg_parser.c (with parse_fline.c and hf.c):
 * lazy header splitting, compact forms, folding, Vias.  Output is TAP.
 */
#include <stdio.h>

#include "mem/pkg.h"
#include "parser/msg_parser.h"
#include "parser/parse_cseq.h"
#include "parser/parse_fline.h"
#include "parser/parse_to.h"
#include "test/lib/tap.h"

static void
test_lazy(void)
{
	char buf[] = "INVITE sip:bob@example.com SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1\r\n"
	    "To: <sip:bob@example.com>\r\n"
	    "i: lazy@a\r\n"
	    "From: <sip:alice@example.com>;tag=9\r\n"
	    "CSeq: 1 INVITE\r\n"
	    "l: 4\r\n"
	    "\r\n"
	    "body";
	struct sip_msg msg;
	unsigned int cl = 0;

	memset(&msg, 0, sizeof(msg));
	ok(parse_msg(buf, sizeof(buf) - 1, &msg) == 0, "request parses");
	ok(IS_SIP_REQUEST(&msg), "is a request");
	is_int(REQ_LINE(&msg).method_value, METHOD_INVITE, "method INVITE");
	is_str(&REQ_LINE(&msg).uri, "sip:bob@example.com", "R-URI");
	ok(msg.via1 != NULL && msg.h_via1 != NULL, "via1 parsed");
	ok(msg.to == NULL && msg.callid == NULL, "nothing after the Via yet");
	ok(msg.eoh == NULL, "end of headers not reached");
	ok(parse_headers(&msg, HDR_CALLID_F, 0) == 0, "parse up to Call-ID");
	ok(msg.callid != NULL && msg.from == NULL, "stopped at Call-ID");
	is_str(&msg.callid->body, "lazy@a", "compact i: is Call-ID");
	ok(msg.to != NULL && msg.to->parsed != NULL, "To parsed on split");
	ok(msg_content_length(&msg, &cl) == 0 && cl == 4, "l: is 4");
	ok(msg.cseq != NULL && get_cseq(&msg)->num == 1, "CSeq parsed");
	ok(msg_body(&msg) == buf + sizeof(buf) - 5, "body pointer");
	ok(msg.parsed_flag == HDR_EOH_F, "all ones at end of headers");
	ok(parse_sip_msg_uri(&msg) == 0 && msg.parsed_uri_ok, "R-URI");
	is_str(&msg.parsed_uri.user, "bob", "R-URI user");
	msg_free(&msg);
	ok(msg.headers == NULL && msg.via1 == NULL, "msg_free resets");
}

static void
test_reply_vias(void)
{
	char buf[] = "SIP/2.0 180 Ringing\n"
	    "v: SIP/2.0/UDP p.example.com;branch=z9hG4bK2, "
	    "SIP/2.0/TCP u.example.com:5070;branch=z9hG4bK1\n"
	    "Via: SIP/2.0/UDP x.example.com;branch=z9hG4bK0\n"
	    "t: <sip:bob@example.com>;tag=1\n"
	    "\n";
	struct sip_msg msg;

	memset(&msg, 0, sizeof(msg));
	ok(parse_msg(buf, sizeof(buf) - 1, &msg) == 0, "reply, bare LF");
	is_int(REPLY_STATUS(&msg), 180, "status 180");
	is_str(&msg.first_line.u.reply.reason, "Ringing", "reason");
	ok(msg.via2 != NULL && msg.via2 == msg.via1->next,
	    "via2 is the second body of the first line");
	ok(msg.h_via2 == msg.h_via1, "h_via2 is the same header");
	is_str(&msg.via2->host, "u.example.com", "via2 host");
	ok(msg.h_via1->sibling == NULL, "second Via header not split yet");
	ok(parse_headers(&msg, HDR_VIA1_F, 1) == 0, "next Via");
	ok(msg.h_via1->sibling != NULL, "sibling Via found");
	ok(parse_headers(&msg, HDR_EOH_F, 0) == 0 && msg.to != NULL,
	    "compact t: is To");
	msg_free(&msg);
}

static void
test_via2_next_header(void)
{
	char buf[] = "OPTIONS sip:a@b.example SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1\r\n"
	    "CSeq: 2 OPTIONS\r\n"
	    "VIA  : SIP/2.0/TCP b.example.com;branch=z9hG4bK2\r\n"
	    "\r\n";
	struct sip_msg msg;

	memset(&msg, 0, sizeof(msg));
	ok(parse_msg(buf, sizeof(buf) - 1, &msg) == 0 && msg.via2 == NULL,
	    "request stops at via1");
	ok(parse_headers(&msg, HDR_VIA2_F, 0) == 0 && msg.via2 != NULL,
	    "HDR_VIA2_F finds the second Via header");
	ok(msg.cseq != NULL && msg.eoh == NULL, "stopped before the end");
	ok(msg.via2 != NULL && msg.via2->proto == PROTO_TCP, "via2 TCP");
	msg_free(&msg);
}

static void
test_folding(void)
{
	char buf[] = "MESSAGE sip:a@b.example SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP a.example.com\r\n"
	    "Subject: first\r\n"
	    " second\r\n"
	    "\tthird\r\n"
	    "s :\r\n"
	    "\r\n";
	struct sip_msg msg;
	struct hdr_field *hf;

	memset(&msg, 0, sizeof(msg));
	ok(parse_msg(buf, sizeof(buf) - 1, &msg) == 0
	    && parse_headers(&msg, HDR_EOH_F, 0) == 0, "folded headers");
	hf = msg.headers->next;
	ok(hf != NULL && hf->type == HDR_OTHER_T, "Subject is other");
	if (hf != NULL) {
		is_str(&hf->body, "first\r\n second\r\n\tthird", "folded body");
		is_int(hf->len, 33, "len covers all lines");
		ok(hf->next != NULL && hf->next->body.len == 0, "empty value");
	} else {
		ok(0, "body");
		ok(0, "len");
		ok(0, "empty");
	}
	msg_free(&msg);
}

static int
test_one(const char *s)
{
	char buf[512];
	struct sip_msg msg;
	size_t n = strlen(s);
	int rc;

	memcpy(buf, s, n);
	memset(&msg, 0, sizeof(msg));
	rc = parse_msg(buf, (unsigned int)n, &msg);
	if (rc == 0)
		rc = parse_headers(&msg, HDR_EOH_F, 0);
	msg_free(&msg);
	return rc;
}

static void
test_rejects(void)
{
	static const char *bad[] = {
		"INVITE sip:a@b SIP/2.0\r\nVia SIP/2.0/UDP a\r\n\r\n",
		"INVITE sip:a@b SIP/2.0\r\n: x\r\n\r\n",
		"INVITE sip:a@b SIP/2.0\r\n foo: x\r\n\r\n",
		"INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP a\r\nX: y",
		"INVITE sip:a@b SIP/3.0\r\n\r\n",
		"INVITE sip:a@b sip/2.0 \r\n\r\n",
		"INVITE  sip:a@b SIP/2.0\r\n\r\n",
		"INVITE sip:a@b SIP/2.0",
		"IN(VITE sip:a@b SIP/2.0\r\n\r\n",
		"SIP/2.0 20 OK\r\n\r\n",
		"SIP/2.0 2000 OK\r\n\r\n",
		"SIP/2.0 099 OK\r\n\r\n",
		"INVITE sip:a@b SIP/2.0\r\nCSeq: 1 BYE\r\n\r\n",
		"INVITE sip:a@b SIP/2.0\r\nl: -1\r\n\r\n",
		"INVITE sip:a@b SIP/2.0\r\nTo: \"x <sip:a@b>\r\n\r\n",
	};
	char name[32];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(name, sizeof(name), "bad message %zu rejected", i);
		ok(test_one(bad[i]) == -1, name);
	}
	ok(test_one("INVITE sip:a@b sip/2.0\r\n\r\n") == 0,
	    "version is case-insensitive");
	ok(test_one("SIP/2.0 100 \r\n\r\n") == 0, "empty reason");
}

static void
test_methods(void)
{
	static const struct {
		const char *m;
		int id;
	} m[] = {
		{ "INVITE", METHOD_INVITE }, { "ACK", METHOD_ACK },
		{ "CANCEL", METHOD_CANCEL }, { "BYE", METHOD_BYE },
		{ "REGISTER", METHOD_REGISTER }, { "OPTIONS", METHOD_OPTIONS },
		{ "PRACK", METHOD_PRACK }, { "PUBLISH", METHOD_PUBLISH },
		{ "invite", METHOD_OTHER }, { "FOO", METHOD_OTHER },
		{ "", METHOD_UNDEF }, { "A B", METHOD_UNDEF },
	};
	str s;
	size_t i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		s.s = (char *)(uintptr_t)m[i].m;
		s.len = (int)strlen(m[i].m);
		is_int(msg_method_parse(&s), m[i].id, m[i].m);
	}
}

static void
test_hf(void)
{
	char a[] = "v", b[] = "VIA", c[] = "Content-Length", d[] = "L",
	    e[] = "x", f[] = "Session-Expires", g[] = "X-Foo";
	str sa = STR_BUF(a), sb = STR_BUF(b), sc = STR_BUF(c), sd = STR_BUF(d),
	    se = STR_BUF(e), sf = STR_BUF(f), sg = STR_BUF(g);

	ok(hf_type(&sa) == HDR_VIA_T && hf_type(&sb) == HDR_VIA_T, "via");
	ok(hf_type(&sd) == HDR_CONTENTLENGTH_T, "l");
	ok(hf_type(&sg) == HDR_OTHER_T, "unknown is other");
	ok(hf_name_eq(&sa, &sb), "v == VIA");
	ok(hf_name_eq(&sc, &sd), "Content-Length == L");
	ok(hf_name_eq(&se, &sf), "x == Session-Expires");
	ok(!hf_name_eq(&sa, &sd), "v != l");
	ok(!hf_name_eq(&sg, &se), "X-Foo != x");
}

static void
test_new_uri(void)
{
	char buf[] = "BYE sip:a@orig.example SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP a.example.com\r\n\r\n";
	char nu[] = "sip:b@new.example:5080";
	struct sip_msg msg;

	memset(&msg, 0, sizeof(msg));
	ok(parse_msg(buf, sizeof(buf) - 1, &msg) == 0, "BYE parses");
	msg.new_uri.s = nu;
	msg.new_uri.len = (int)sizeof(nu) - 1;
	ok(parse_sip_msg_uri(&msg) == 0, "new_uri parsed");
	is_str(&msg.parsed_uri.host, "new.example", "parsed_uri is new_uri");
	ok(msg_ruri(&msg) == &msg.new_uri, "msg_ruri is new_uri");
	ok(parse_orig_ruri(&msg) == 0, "original R-URI");
	is_str(&msg.parsed_orig_ruri.host, "orig.example", "orig host");
	msg_free(&msg);
}

/* RFC 4475 3.3.8/3.3.9: a single-value header given twice is found */
static void
test_repeated(void)
{
	static const char *const dup[] = {
		"Max-Forwards: 5\r\n", "l: 0\r\n", "i: other@b\r\n",
		"CSeq: 2 OPTIONS\r\n", "t: <sip:c@example.com>\r\n",
		"Content-Type: text/plain\r\n",
	};
	char buf[512];
	struct sip_msg msg;
	size_t i;
	int n;

	for (i = 0; i <= sizeof(dup) / sizeof(dup[0]); i++) {
		n = snprintf(buf, sizeof(buf), "OPTIONS sip:b@example.com "
		    "SIP/2.0\r\nVia: SIP/2.0/UDP a.example.com;branch=z9hG4bK1\r\n"
		    "To: <sip:b@example.com>\r\nFrom: <sip:a@example.com>;tag=1"
		    "\r\nCall-ID: dup@a\r\nCSeq: 1 OPTIONS\r\n"
		    "Max-Forwards: 70\r\nContent-Type: text/plain\r\n"
		    "Contact: <sip:a@h>\r\nContact: <sip:a@i>\r\n"
		    "Route: <sip:r1>\r\nRoute: <sip:r2>\r\n"
		    "%sContent-Length: 0\r\n\r\n",
		    i < sizeof(dup) / sizeof(dup[0]) ? dup[i] : "");
		memset(&msg, 0, sizeof(msg));
		ok(parse_msg(buf, (unsigned int)n, &msg) == 0
		    && msg_body(&msg) != NULL, "repeated case parses");
		if (i < sizeof(dup) / sizeof(dup[0]))
			ok(msg_repeated_hf(&msg) != NULL, dup[i]);
		else
			ok(msg_repeated_hf(&msg) == NULL,
			    "repeated Contact and Route are fine");
		msg_free(&msg);
	}
}

int
main(void)
{
	struct mem_stats st;

	plan(95);
	test_lazy();
	test_reply_vias();
	test_via2_next_header();
	test_folding();
	test_rejects();
	test_methods();
	test_hf();
	test_new_uri();
	test_repeated();
	pkg_stats_get(&st);
	is_int(st.fragments, 0, "no pkg memory left behind");
	return done_testing();
}

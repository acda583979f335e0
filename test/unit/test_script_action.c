/*
 * Unit tests for the route interpreter (script/action.c, core_cmds.c,
 * dset.c): a config is parsed and checked, then route{} runs on parsed
 * requests and the effects on the message are checked.  Output is TAP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg/cfg.h"
#include "lib/log.h"
#include "mem/pkg.h"
#include "parser/msg_parser.h"
#include "script/dset.h"
#include "script/route.h"
#include "test/lib/tap.h"

static const char cfg_text[] =
    "route {\n"
    "	if (method == \"OPTIONS\") { setflag(1); exit; }\n"
    "	if (uri =~ \"^sip:0[0-9]+@\" && !(src_ip == 10.0.0.0/8)) {\n"
    "		strip(1); prefix(\"+49\"); rewritehost(\"gw.example.com\");\n"
    "		setflag(2);\n"
    "	}\n"
    "	if (src_port >= 5000 and proto == udp) { setflag(3); }\n"
    "	if (method == \"BYE\") { route(1); setflag(5); }\n"
    "	if (method == \"CANCEL\") { route(2); }\n"
    "	if (method == \"MESSAGE\") { append_branch(); append_branch(\"sip:b@c\", \"0.5\"); }\n"
    "	if (isflagset(2)) { setflag(4); } else { resetflag(4); }\n"
    "}\n"
    "route[1] { setflag(6); return; setflag(7); }\n"
    "route[2] { route(2); }\n"
    "onreply_route { if (status == 404) { drop; } }\n";

static int
load_cfg(void)
{
	char path[] = "/tmp/test_script_actionXXXXXX";
	FILE *f;
	int fd, errs;

	if ((fd = mkstemp(path)) == -1 || (f = fdopen(fd, "w")) == NULL)
		return -1;
	(void)fputs(cfg_text, f);
	(void)fclose(f);
	errs = cfg_parse_file(path) + cfg_check();
	(void)unlink(path);
	return errs;
}

/* Parse <text> into <msg> as if received over UDP from 192.0.2.1:5070. */
static int
make_msg(struct sip_msg *msg, const char *text)
{
	static char buf[1024];
	char addr[] = "192.0.2.1";
	str ip = STR_BUF(addr);
	size_t len = strlen(text);

	memcpy(buf, text, len + 1);
	memset(msg, 0, sizeof(*msg));
	if (parse_msg(buf, (unsigned int)len, msg) != 0)
		return -1;
	(void)ip_addr_parse(&ip, &msg->rcv.src_ip);
	msg->rcv.src_port = 5070;
	msg->rcv.proto = PROTO_UDP;
	return 0;
}

/* What core/receive.c does after the script: the script's strings are
 * pkg memory owned by the message, but not freed by msg_free(). */
static void
done_msg(struct sip_msg *msg)
{
	pkg_free(msg->new_uri.s);
	pkg_free(msg->dst_uri.s);
	msg_free(msg);
}

#define REQ(m, uri)                                                     \
	m " " uri " SIP/2.0\r\n"                                        \
	"Via: SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK1\r\n"           \
	"From: <sip:a@example.com>;tag=1\r\nTo: <" uri ">\r\n"          \
	"Call-ID: x@y\r\nCSeq: 1 " m "\r\nContent-Length: 0\r\n\r\n"

static void
test_request(void)
{
	struct sip_msg msg;

	ok(make_msg(&msg, REQ("INVITE", "sip:0301234@example.com")) == 0,
	    "INVITE parses");
	is_int(route_run_request(&msg), 0, "route runs");
	is_str(&msg.new_uri, "sip:+49301234@gw.example.com",
	    "strip, prefix and rewritehost build the new R-URI");
	is_int(msg.flags, (1 << 2) | (1 << 3) | (1 << 4),
	    "flags from conditions and if/else");
	done_msg(&msg);

	ok(make_msg(&msg, REQ("OPTIONS", "sip:x@example.com")) == 0,
	    "OPTIONS parses");
	(void)route_run_request(&msg);
	is_int(msg.flags, 1 << 1, "exit stops the script");
	done_msg(&msg);

	ok(make_msg(&msg, REQ("BYE", "sip:x@example.com")) == 0, "BYE parses");
	(void)route_run_request(&msg);
	is_int(msg.flags, (1 << 3) | (1 << 5) | (1 << 6),
	    "return leaves route[1] and the caller goes on");
	done_msg(&msg);
}

static void
test_recursion_and_dset(void)
{
	struct sip_msg msg;
	str uri;
	int q;

	ok(make_msg(&msg, REQ("CANCEL", "sip:x@example.com")) == 0,
	    "CANCEL parses");
	is_int(route_run_request(&msg), 0,
	    "endless route(2) recursion stops at the depth limit");
	done_msg(&msg);

	ok(make_msg(&msg, REQ("MESSAGE", "sip:m@example.com")) == 0,
	    "MESSAGE parses");
	(void)route_run_request(&msg);
	is_int(dset_count(), 2, "two branches appended");
	ok(dset_get(0, &uri, &q) == 0 && q == -1, "first branch has no q");
	is_str(&uri, "sip:m@example.com", "append_branch() adds the R-URI");
	ok(dset_get(1, &uri, &q) == 0 && q == 500, "q 0.5 is 500");
	done_msg(&msg);
	ok(make_msg(&msg, REQ("INFO", "sip:m@example.com")) == 0,
	    "INFO parses");
	(void)route_run_request(&msg);
	is_int(dset_count(), 0, "the branch set is per message");
	done_msg(&msg);
}

static void
test_reply(void)
{
	struct sip_msg msg;

	ok(make_msg(&msg, "SIP/2.0 404 Not Found\r\n"
	    "Via: SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK1\r\n"
	    "From: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\n"
	    "Call-ID: x@y\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n")
	    == 0, "404 parses");
	is_int(route_run_onreply(&msg), 0, "drop in onreply_route drops");
	done_msg(&msg);
	ok(make_msg(&msg, "SIP/2.0 200 OK\r\n"
	    "Via: SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK1\r\n"
	    "From: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\n"
	    "Call-ID: x@y\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n")
	    == 0, "200 parses");
	is_int(route_run_onreply(&msg), 1, "other replies are forwarded");
	done_msg(&msg);
}

int
main(void)
{
	plan(22);
	(void)pkg_init(4 << 20);
	log_level = L_CRIT;	/* the recursion test logs an error */
	is_int(load_cfg(), 0, "config parses and checks");
	test_request();
	test_recursion_and_dset();
	test_reply();
	cfg_destroy();
	return done_testing();
}

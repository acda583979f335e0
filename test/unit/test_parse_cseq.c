/*
 * Unit tests for parser/parse_cseq.c.  Output is TAP.
 */
#include "parser/msg_parser.h"
#include "parser/parse_cseq.h"
#include "test/lib/tap.h"

static int
test_cseq(const char *s, struct cseq_body *cb)
{
	static char buf[128];
	str in;

	in.len = (int)strlen(s);
	memcpy(buf, s, (size_t)in.len);
	in.s = buf;
	return parse_cseq(&in, cb);
}

int
main(void)
{
	static const char *bad[] = {
		"36893488147419103232 REGISTER", "4294967296 INVITE",
		"-1 INVITE",
		"1", "INVITE", "1INVITE", "1 INVITE x", "1 INV(ITE", "",
	};
	struct cseq_body cb;
	size_t i;

	plan(17);
	ok(test_cseq("0009\r\n  INVITE", &cb) == 0, "folded CSeq");
	is_int(cb.num, 9, "leading zeros");
	is_str(&cb.method, "INVITE", "method");
	is_int(cb.method_id, METHOD_INVITE, "method id");
	ok(test_cseq("4294967295 RE%47IST%45R", &cb) == 0, "max 32-bit");
	ok(cb.num == 4294967295u && cb.method_id == METHOD_OTHER,
	    "unknown method is other");
	is_str(&cb.number, "4294967295", "number as written");
	ok(test_cseq(" 1 ACK ", &cb) == 0 && cb.method_id == METHOD_ACK,
	    "surrounding LWS");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(test_cseq(bad[i], &cb) == -1 && cb.error, bad[i]);
	return done_testing();
}

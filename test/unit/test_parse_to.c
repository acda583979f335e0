/*
 * Unit tests for parser/parse_to.c.  Output is TAP.
 */
#include "mem/pkg.h"
#include "parser/msg_parser.h"
#include "parser/parse_to.h"
#include "test/lib/tap.h"

static int
test_to(const char *s, struct to_body *tb)
{
	static char buf[256];
	str in;

	in.len = (int)strlen(s);
	memcpy(buf, s, (size_t)in.len);
	in.s = buf;
	return parse_to(&in, tb);
}

static void
test_forms(void)
{
	struct to_body tb;

	ok(test_to("\"J Rosenberg \\\\\\\"\"  <sip:jdrosen@example.com>\r\n"
	    "  ;\r\n  tag = 98asjd8", &tb) == 0, "quoted display with escapes");
	is_str(&tb.display, "\"J Rosenberg \\\\\\\"\"", "display kept quoted");
	is_str(&tb.uri, "sip:jdrosen@example.com", "uri inside <>");
	is_str(&tb.tag_value, "98asjd8", "tag after folds");
	to_body_free(&tb);

	ok(test_to("sip:user@example.com;tag=abc;x=1", &tb) == 0, "addr-spec");
	is_str(&tb.uri, "sip:user@example.com", "addr-spec ends at ';'");
	is_str(&tb.tag_value, "abc", "tag is a header param");
	ok(tb.param_lst != NULL && tb.param_lst->next != NULL,
	    "two params");
	to_body_free(&tb);

	ok(test_to("caller<sip:caller@example.com;lr>;tag=323", &tb) == 0,
	    "token display without LWS");
	is_str(&tb.display, "caller", "token display");
	is_str(&tb.uri, "sip:caller@example.com;lr", "uri params stay in uri");
	to_body_free(&tb);

	ok(test_to("token1~` token2'+_ <sip:a@b.example>", &tb) == 0,
	    "several tokens");
	is_str(&tb.display, "token1~` token2'+_", "token display trimmed");
	is_int(tb.tag_value.len, 0, "no tag");
	to_body_free(&tb);
}

static void
test_rejects(void)
{
	static const char *bad[] = {
		"\"Mr. J. User <sip:j.user@example.com>",
		"\"Watson, Thomas\" < sip:t.watson@example.org >",
		"Bell, Alexander <sip:a.g.bell@example.com>;tag=43",
		"<sip:a@b.example",
		"sip:a@b.example;tag=",
		"sip:a@b.example garbage",
		"",
		"<>",
		"nocolon",
	};
	struct to_body tb;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(test_to(bad[i], &tb) == -1 && tb.error, bad[i]);
}

static void
test_header(void)
{
	char buf[] = "BYE sip:a@b.example SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP h.example\r\n"
	    "f: <sip:x@y.example>;tag=1\r\n"
	    "t: <sip:a@b.example>\r\n\r\n";
	struct sip_msg msg;

	memset(&msg, 0, sizeof(msg));
	ok(parse_msg(buf, sizeof(buf) - 1, &msg) == 0, "message parses");
	ok(parse_to_header(&msg) == 0 && get_to(&msg) != NULL, "to header");
	ok(parse_from_header(&msg) == 0, "from header");
	is_str(&get_from(&msg)->tag_value, "1", "from tag");
	ok(parse_to_header(&msg) == 0, "idempotent");
	ok(msg.to->free_parsed != NULL, "free hook registered");
	msg_free(&msg);
}

int
main(void)
{
	struct mem_stats st;

	plan(30);
	test_forms();
	test_rejects();
	test_header();
	pkg_stats_get(&st);
	is_int(st.fragments, 0, "no pkg memory left behind");
	return done_testing();
}

/*
 * Unit tests for parser/parse_rr.c.  Output is TAP.
 */
#include "mem/pkg.h"
#include "parser/msg_parser.h"
#include "parser/parse_rr.h"
#include "test/lib/tap.h"

int
main(void)
{
	char buf[] = "INVITE sip:a@b.example SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP h.example\r\n"
	    "Route: <sip:p1.example;lr>, "
	    "\"proxy two\" <sip:p2.example;lr>;x=1\r\n"
	    "Route: <sip:p3.example;lr>\r\n"
	    "Record-Route: sip:bad.example;lr\r\n\r\n";
	struct sip_msg msg;
	struct rr *r;
	struct mem_stats st;

	plan(12);
	memset(&msg, 0, sizeof(msg));
	ok(parse_msg(buf, sizeof(buf) - 1, &msg) == 0
	    && parse_headers(&msg, HDR_EOH_F, 0) == 0, "message parses");
	ok(msg.route != NULL && parse_rr(msg.route) == 0, "first Route");
	r = msg.route->parsed;
	ok(r != NULL && r->next != NULL && r->next->next == NULL,
	    "two entries in the first header");
	if (r != NULL && r->next != NULL) {
		is_str(&r->uri, "sip:p1.example;lr", "first uri");
		is_str(&r->nameaddr, "<sip:p1.example;lr>", "first name-addr");
		is_str(&r->next->display, "\"proxy two\"", "display");
		ok(r->next->params != NULL, "header param after '>'");
		is_str(&r->next->nameaddr, "\"proxy two\" <sip:p2.example;lr>",
		    "name-addr with display");
	} else {
		ok(0, "uri"); ok(0, "na"); ok(0, "disp"); ok(0, "prm");
		ok(0, "na2");
	}
	ok(msg.route->sibling != NULL && parse_rr(msg.route->sibling) == 0,
	    "second Route header");
	ok(parse_rr(msg.record_route) == -1, "addr-spec is refused");
	ok(parse_rr(msg.route) == 0, "idempotent");
	msg_free(&msg);
	pkg_stats_get(&st);
	is_int(st.fragments, 0, "no pkg memory left behind");
	return done_testing();
}

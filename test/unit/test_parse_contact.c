/*
 * Unit tests for parser/parse_contact.c.  Output is TAP.
 */
#include "mem/pkg.h"
#include "parser/msg_parser.h"
#include "parser/parse_contact.h"
#include "test/lib/tap.h"

static int
test_body(const char *s, struct contact_body *cb)
{
	static char buf[512];
	str in;

	in.len = (int)strlen(s);
	memcpy(buf, s, (size_t)in.len);
	in.s = buf;
	return parse_contact_body(&in, cb);
}

static void
test_free_list(struct contact_body *cb)
{
	struct contact *c, *n;

	for (c = cb->contacts; c != NULL; c = n) {
		n = c->next;
		parse_param_free(c->params);
		pkg_free(c);
	}
	cb->contacts = NULL;
}

static void
test_list(void)
{
	struct contact_body cb;
	struct contact *c;
	unsigned int e = 0;

	ok(test_body("\"Quoted string \\\"\\\"\" <sip:jdrosen@example.com> ; "
	    "newparam =\r\n      newvalue ;\r\n  secondparam ; q = 0.33, "
	    "sip:b@h.example;expires=3600;methods=\"INVITE,BYE\", "
	    "<sips:c@[2001:db8::1]>;+sip.instance=\"<urn:uuid:1>\";"
	    "received=\"sip:1.2.3.4:5060\"", &cb) == 0, "three contacts");
	c = cb.contacts;
	ok(c != NULL && c->next != NULL && c->next->next != NULL
	    && c->next->next->next == NULL, "three in order");
	if (c == NULL || c->next == NULL || c->next->next == NULL) {
		test_free_list(&cb);
		return;
	}
	is_str(&c->name, "\"Quoted string \\\"\\\"\"", "display");
	is_str(&c->uri, "sip:jdrosen@example.com", "uri");
	ok(c->q != NULL && c->q->value.len == 4, "q=0.33");
	is_str(&c->next->uri, "sip:b@h.example", "addr-spec uri");
	ok(parse_contact_expires(c->next, &e) == 0 && e == 3600, "expires");
	is_str(&c->next->methods->value, "\"INVITE,BYE\"", "methods");
	ok(c->next->next->instance != NULL, "+sip.instance");
	ok(c->next->next->received != NULL, "received");
	is_int(cb.star, 0, "not star");
	test_free_list(&cb);
}

static void
test_rejects(void)
{
	static const char *bad[] = {
		"sip:user@example.com?Route=%3Csip:sip.example.com%3E",
		"\"Joe\" <sip:joe@example.org>;;;;",
		"<sip:user@host129.example.com>\r\n  ;expires=280297596632815",
		"<sip:a@b.example>;q=1.5",
		"<sip:a@b.example>;q=2",
		"*, <sip:a@b.example>",
		"<sip:a@b.example>,",
		"",
	};
	struct contact_body cb;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ok(test_body(bad[i], &cb) == -1, bad[i]);
		test_free_list(&cb);
	}
	ok(test_body(" * ", &cb) == 0 && cb.star, "star");
}

static void
test_msg(void)
{
	char buf[] = "REGISTER sip:r.example SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP h.example\r\n"
	    "m: <sip:a@h1.example>\r\n"
	    "Contact: <sip:b@h2.example>, <sip:c@h3.example>\r\n\r\n";
	struct sip_msg msg;
	struct contact_body *cb;

	memset(&msg, 0, sizeof(msg));
	ok(parse_msg(buf, sizeof(buf) - 1, &msg) == 0, "REGISTER parses");
	ok(parse_contact_all(&msg) == 0, "all contacts");
	ok(msg.contact != NULL && msg.contact->sibling != NULL, "two headers");
	cb = msg.contact->sibling->parsed;
	ok(cb != NULL && cb->contacts->next != NULL, "two in the second");
	msg_free(&msg);
}

int
main(void)
{
	struct mem_stats st;

	plan(25);
	test_list();
	test_rejects();
	test_msg();
	pkg_stats_get(&st);
	is_int(st.fragments, 0, "no pkg memory left behind");
	return done_testing();
}

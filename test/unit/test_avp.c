/*
 * Unit tests for sip/avp.c: add and search by id and by name, newest
 * first, deletion, list switching, name parsing.
 */
#include <string.h>

#include "mem/shm.h"
#include "sip/avp.h"
#include "test/lib/tap.h"

static union avp_val
num(int n)
{
	union avp_val v;

	v.n = n;
	return v;
}

static union avp_val
text(const char *s)
{
	union avp_val v;

	v.s.s = (char *)(size_t)s;
	v.s.len = (int)strlen(s);
	return v;
}

int
main(void)
{
	struct usr_avp *tl = NULL, **old, *avp;
	struct avp_search st;
	struct avp_spec spec;
	union avp_val v;
	str s;

	plan(24);
	ok(shm_init(1 << 20) == 0, "shm ready");
	ok(avp_add(AVP_VAL_STR, num(400), text("a.example")) == 0, "add i:400 string");
	ok(avp_add(0, num(400), num(7)) == 0, "add i:400 int");
	ok(avp_add(AVP_NAME_STR | AVP_VAL_STR, text("x"), text("one")) == 0, "add s:x");
	avp = avp_search_first(0, num(400), &v, &st);
	ok(avp != NULL && !(avp->flags & AVP_VAL_STR) && v.n == 7,
	    "newest i:400 first");
	avp = avp_search_next(&st, &v);
	ok(avp != NULL && (avp->flags & AVP_VAL_STR), "then the older one");
	is_str(&v.s, "a.example", "older value");
	ok(avp_search_next(&st, &v) == NULL, "no third");
	ok(avp_get_str(400, &s) == -1, "avp_get_str: newest is an int");
	avp = avp_search_first(AVP_NAME_STR, text("x"), &v, NULL);
	ok(avp != NULL, "s:x found");
	is_str(&v.s, "one", "s:x value");
	ok(avp_search_first(AVP_NAME_STR, text("X"), NULL, NULL) == NULL,
	    "string names are case-sensitive");
	is_int(avp_delete_name(0, num(400), 0), 1, "delete newest i:400");
	ok(avp_get_str(400, &s) == 0, "avp_get_str now finds the string");
	is_str(&s, "a.example", "avp_get_str value");

	old = avp_set_list(&tl);
	ok(avp_search_first(AVP_NAME_STR, text("x"), NULL, NULL) == NULL,
	    "another list is empty");
	(void)avp_add(0, num(1), num(1));
	ok(avp_set_list(old) == &tl && tl != NULL, "switch back");
	avp_destroy_list(&tl);
	ok(tl == NULL, "list destroyed");

	avp_msg_end();
	ok(*avp_get_list() == NULL, "message end frees the message's list");

	s.s = (char *)(size_t)"i:42";
	s.len = 4;
	ok(avp_spec_parse(&s, &spec) == 0 && spec.flags == 0
	    && spec.name.n == 42, "parse i:42");
	s.s = (char *)(size_t)"s:caller";
	s.len = 8;
	ok(avp_spec_parse(&s, &spec) == 0 && spec.flags == AVP_NAME_STR
	    && spec.name.s.len == 6, "parse s:caller");
	s.s = (char *)(size_t)"i:4x";
	ok(avp_spec_parse(&s, &spec) == -1, "i:4x refused");
	s.s = (char *)(size_t)"s:";
	s.len = 2;
	ok(avp_spec_parse(&s, &spec) == -1, "empty name refused");
	ok(shm_check() == 0, "shm consistent");
	return done_testing();
}

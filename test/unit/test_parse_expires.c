/*
 * Unit tests for parser/parse_expires.c and parser/parse_maxfwd.c (both
 * plain numbers).  Output is TAP.
 */
#include "mem/pkg.h"
#include "parser/hf.h"
#include "parser/parse_expires.h"
#include "parser/parse_maxfwd.h"
#include "test/lib/tap.h"

static struct hdr_field *
test_hf(const char *s)
{
	static char buf[256];
	static struct hdr_field hf;

	memset(&hf, 0, sizeof(hf));
	hf.body.len = (int)strlen(s);
	memcpy(buf, s, (size_t)hf.body.len);
	hf.body.s = buf;
	return &hf;
}

int
main(void)
{
	struct hdr_field *hf;
	struct mem_stats st;

	plan(13);
	hf = test_hf(" 3600 ");
	ok(parse_expires(hf) == 0 && get_expires(hf)->val == 3600, "3600");
	hf->free_parsed(hf->parsed);
	hf = test_hf("4294967295");
	ok(parse_expires(hf) == 0 && get_expires(hf)->val == 4294967295u,
	    "2^32-1");
	hf->free_parsed(hf->parsed);
	ok(parse_expires(test_hf("4294967296")) == -1, "2^32 refused");
	ok(parse_expires(test_hf("1" "0000000000000000000000000")) == -1,
	    "huge refused");
	ok(parse_expires(test_hf("-1")) == -1, "negative refused");
	ok(parse_expires(test_hf("")) == -1, "empty refused");
	is_int(parse_maxfwd(test_hf("70")), 70, "max-forwards 70");
	is_int(parse_maxfwd(test_hf("0068")), 68, "leading zeros");
	is_int(parse_maxfwd(test_hf("0")), 0, "zero");
	is_int(parse_maxfwd(test_hf("255")), 255, "255");
	is_int(parse_maxfwd(test_hf("256")), -1, "256 refused");
	is_int(parse_maxfwd(test_hf("7 0")), -1, "garbage refused");
	pkg_stats_get(&st);
	is_int(st.fragments, 0, "no pkg memory left behind");
	return done_testing();
}

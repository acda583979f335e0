/*
 * Unit tests for parser/parse_option_tags.c.  Output is TAP.
 */
#include "mem/pkg.h"
#include "parser/hf.h"
#include "parser/parse_option_tags.h"
#include "test/lib/tap.h"

int
main(void)
{
	char ok1[] = "nothingSupportsThis,\r\n"
	    " nothingSupportsThisEither , 100rel";
	char bad1[] = "a,,b", bad2[] = "a b", bad3[] = "a,";
	struct hdr_field hf;
	struct option_tag_body *ob, tmp;
	struct mem_stats st;
	str s;

	plan(8);
	memset(&hf, 0, sizeof(hf));
	hf.body = STR_BUF(ok1);
	ok(parse_option_tags(&hf) == 0, "three tags with folds");
	ob = hf.parsed;
	is_int(ob->n, 3, "count");
	is_str(&ob->tags->next->tag, "nothingSupportsThisEither", "second");
	ok(parse_option_tags_has(ob, "100REL"), "has, any case");
	hf.free_parsed(hf.parsed);
	s = STR_BUF(bad1);
	ok(parse_option_tags_body(&s, &tmp) == -1, "empty element");
	s = STR_BUF(bad2);
	ok(parse_option_tags_body(&s, &tmp) == -1, "missing comma");
	s = STR_BUF(bad3);
	ok(parse_option_tags_body(&s, &tmp) == -1, "trailing comma");
	pkg_stats_get(&st);
	is_int(st.fragments, 0, "no pkg memory left behind");
	return done_testing();
}

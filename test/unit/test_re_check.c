/*
 * Unit tests for lib/re_check.c: patterns that glibc's regcomp() would
 * expand exponentially are refused, every pattern a SIP config uses
 * passes, and an accepted pattern really compiles small.
 */
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "lib/re_check.h"
#include "test/lib/tap.h"

static void
test_accepted(void)
{
	static const char *const good[] = {
		"^sip:[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
		"^(INVITE|ACK|BYE|CANCEL) sip:.*@example\\.com$",
		"^User-Agent:.*fuzz", "[a-z]+", "(abc)+[0-9]{2,}",
		"^X-Old: (.*)$", "a{0,100}", "[[:alpha:]]+@[]x]*", "((a+)b)+",
		"", "{", "a{", "a{x}", "(", ")", "\\",
	};
	size_t i;
	int all = 1;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (re_check(good[i]) != 0) {
			(void)printf("# refused: %s\n", good[i]);
			all = 0;
		}
	ok(all, "routing patterns, intervals up to 100 and malformed "
	    "patterns pass");
}

static void
test_refused(void)
{
	char p[64], deep[80];

	memset(p, '+', sizeof(p) - 1);
	p[0] = 'a';
	p[sizeof(p) - 1] = '\0';
	is_int(re_check(p), -1, "a followed by 62 '+' (2^62 copies) refused");
	p[26] = '\0';
	is_int(re_check(p), -1, "a followed by 25 '+' (over 2 GB) refused");
	is_int(re_check("((((((((((((((((a+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+"), -1,
	    "nested '+' groups refused");
	is_int(re_check("(a{1,100}){1,100}"), -1, "nested intervals refused");
	is_int(re_check("a{32767}"), -1, "one huge interval refused");
	is_int(re_check("a{1,99999999999999999999}"), -1,
	    "an interval bound past any integer refused, no overflow");
	memset(deep, '(', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = '\0';
	is_int(re_check(deep), -1, "nesting deeper than 64 refused");
}

/* what an accepted pattern at the limit costs to compile */
static void
test_cost(void)
{
	struct rusage before, after;
	regex_t re;
	int rc;

	(void)getrusage(RUSAGE_SELF, &before);
	is_int(re_check("(a{1,99}){1,99}"), 0, "99 x 99 copies: at the limit");
	rc = regcomp(&re, "(a{1,99}){1,99}", REG_EXTENDED | REG_NOSUB);
	is_int(rc, 0, "and regcomp() compiles it");
	if (rc == 0)
		regfree(&re);
	(void)getrusage(RUSAGE_SELF, &after);
	ok(after.ru_maxrss - before.ru_maxrss < 256 * 1024,
	    "using well under 256 MB");
}

int
main(void)
{
	plan(11);
	test_accepted();
	test_refused();
	test_cost();
	return done_testing();
}

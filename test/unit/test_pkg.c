/*
 * Unit tests for mem/pkg.c: accounting and the per-process budget.
 */
#include <string.h>

#include "mem/pkg.h"
#include "test/lib/tap.h"

int
main(void)
{
	struct mem_stats st;
	void *a, *b, *c;

	plan(7);
	ok(pkg_init(64 * 1024) == 0, "budget set");
	a = pkg_malloc(1000);
	b = pkg_zalloc(2000);
	pkg_stats_get(&st);
	is_int(st.used, 3000, "used counts the requested bytes");
	is_int(st.fragments, 2, "two fragments");
	c = pkg_malloc(100 * 1024);
	ok(c == NULL, "over budget: NULL, not a crash");
	a = pkg_realloc(a, 10000);
	pkg_stats_get(&st);
	is_int(st.used, 12000, "realloc accounted");
	pkg_free(a);
	pkg_free(b);
	pkg_free(NULL);
	pkg_stats_get(&st);
	is_int(st.used, 0, "all released");
	ok(st.failed == 1, "one refusal counted");
	return done_testing();
}

/*
 * Unit tests for sip/lump.c: edits applied in order, deletions merged.
 */
#include <string.h>

#include "mem/pkg.h"
#include "sip/lump.h"
#include "test/lib/tap.h"

int
main(void)
{
	const char buf[] = "0123456789";
	struct lump *a = NULL, *b = NULL;
	char *out;
	int len;

	plan(5);
	(void)lump_add(&a, 2, 3, "ab", 2);	/* 234 -> ab */
	(void)lump_add(&b, 0, 0, "X", 1);
	(void)lump_add(&b, 10, 0, "Z", 1);
	(void)lump_add(&a, 10, 0, "Y", 1);	/* after Z? no: added first */
	out = lump_apply(buf, 10, a, b, &len);
	ok(out != NULL, "applied");
	ok(strcmp(out, "X01ab56789ZY") == 0, "inserts and replaces in order");
	is_int(len, 12, "length");
	pkg_free(out);
	ok(lump_deleted(a, 3, 1) == 1, "offset 3 is deleted");
	ok(lump_deleted(a, 5, 1) == 0, "offset 5 is kept");
	lump_free_all(&a);
	lump_free_all(&b);
	return done_testing();
}

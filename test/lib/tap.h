/*
 * tap.h: minimal TAP producer for C unit tests.
 *   plan(n); ok(cond, "name"); is_int(a, b, "name"); is_str(&s, "x", "name");
 *   return done_testing();
 */
#ifndef TEST_TAP_H
#define TEST_TAP_H

#include <stdio.h>
#include <string.h>

#include "lib/str.h"

static int tap_planned, tap_run, tap_failed;

static inline void
plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
}

static inline int
tap_ok(int cond, const char *name, const char *file, int line)
{
	tap_run++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_run, name);
	if (!cond)
		printf("#   failed at %s:%d\n", file, line);
	return cond;
}

#define ok(cond, name) tap_ok(!!(cond), (name), __FILE__, __LINE__)
#define is_int(a, b, name)                                                \
	do {                                                              \
		long tap_a = (long)(a), tap_b = (long)(b);                \
		if (!ok(tap_a == tap_b, name))                            \
			printf("#   got %ld, expected %ld\n", tap_a, tap_b);  \
	} while (0)
#define is_str(sp, cstr, name)                                            \
	do {                                                              \
		const str *tap_s = (sp);                                  \
		const char *tap_c = (cstr);                               \
		if (!ok(tap_s->len == (int)strlen(tap_c)                  \
			&& memcmp(tap_s->s, tap_c, tap_s->len) == 0, name))   \
			printf("#   got '%.*s', expected '%s'\n",         \
			    tap_s->len > 0 ? tap_s->len : 0,              \
			    tap_s->s ? tap_s->s : "", tap_c);             \
	} while (0)

static inline int
done_testing(void)
{
	if (tap_run != tap_planned) {
		printf("# planned %d tests but ran %d\n", tap_planned, tap_run);
		return 1;
	}
	return tap_failed ? 1 : 0;
}

#endif

/*
 * str.c: helpers on counted strings.  Pure functions, no logging.
 */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <strings.h>

#include "lib/str.h"

/* 1 when <a> and <b> hold the same bytes. */
int
str_eq(const str *a, const str *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->s, b->s, a->len) == 0);
}

/* 1 when <a> and <b> are equal ignoring ASCII case. */
int
str_caseeq(const str *a, const str *b)
{
	return a->len == b->len
	    && (a->len == 0 || strncasecmp(a->s, b->s, a->len) == 0);
}

/* 1 when <a> equals the C string <b> ignoring ASCII case. */
int
str_caseeq_cstr(const str *a, const char *b)
{
	size_t n = strlen(b);

	return (size_t)a->len == n && strncasecmp(a->s, b, n) == 0;
}

/* 1 when <a> equals the C string <b>. */
int
str_eq_cstr(const str *a, const char *b)
{
	size_t n = strlen(b);

	return (size_t)a->len == n && (n == 0 || memcmp(a->s, b, n) == 0);
}

/* Remove leading and trailing SP, HT, CR and LF from <s> in place. */
void
str_trim(str *s)
{
	while (s->len > 0 && (s->s[0] == ' ' || s->s[0] == '\t'
	    || s->s[0] == '\r' || s->s[0] == '\n')) {
		s->s++;
		s->len--;
	}
	while (s->len > 0 && (s->s[s->len - 1] == ' '
	    || s->s[s->len - 1] == '\t' || s->s[s->len - 1] == '\r'
	    || s->s[s->len - 1] == '\n'))
		s->len--;
}

/*
 * Parse <s> as a decimal unsigned int (digits only, no sign, no spaces).
 * Returns 0 and sets <out>, or -1 when empty, not a number or too large.
 */
int
str_to_uint(const str *s, unsigned int *out)
{
	unsigned long v = 0;
	int i;

	if (s->len <= 0 || s->len > 10)
		return -1;
	for (i = 0; i < s->len; i++) {
		if (!isdigit((unsigned char)s->s[i]))
			return -1;
		v = v * 10 + (unsigned long)(s->s[i] - '0');
	}
	if (v > UINT_MAX)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

/* A NUL-terminated malloc copy of <s> (config lifetime), or NULL. */
char *
str_dup_cstr(const str *s)
{
	char *p;

	if ((p = malloc((size_t)s->len + 1)) == NULL)
		return NULL;
	if (s->len > 0)
		memcpy(p, s->s, s->len);
	p[s->len] = '\0';
	return p;
}

/*
 * re_check.c: an upper bound of what regcomp() builds for a POSIX ERE
 * (see re_check.h).  One pass over the pattern with a stack of open
 * groups: an atom counts 1, a group what is inside it plus 1, '+' doubles
 * the atom before it, "{m,n}" multiplies it by the larger bound.  Pure:
 * no allocation, no logging.
 */
#include <stddef.h>

#include "lib/re_check.h"

#define RE_DEPTH 64		/* deeper nesting is refused */
#define RE_BOUND_MAX 100000L	/* larger interval bounds read as this */

struct re_level {
	long seq;	/* nodes of this group so far */
	long last;	/* nodes of its last atom, what a repetition copies */
};

/* "{m}", "{m,}" or "{m,n}" at <p>: the copies it makes, and its length
 * in <*len>; 0 if it is not an interval (then '{' is a literal). */
static long
interval(const char *p, int *len)
{
	const char *s = p + 1;
	long m = 0, n = -1;

	if (*s < '0' || *s > '9')
		return 0;
	for (; *s >= '0' && *s <= '9'; s++)
		if ((m = m * 10 + (*s - '0')) > RE_BOUND_MAX)
			m = RE_BOUND_MAX;
	if (*s == ',') {
		s++;
		if (*s >= '0' && *s <= '9') {
			for (n = 0; *s >= '0' && *s <= '9'; s++)
				if ((n = n * 10 + (*s - '0')) > RE_BOUND_MAX)
					n = RE_BOUND_MAX;
		} else {
			n = m + 1;	/* "{m,}": m copies and a star */
		}
	}
	if (*s != '}')
		return 0;
	*len = (int)(s - p) + 1;
	if (n < m)
		n = m;
	return n > 0 ? n : 1;
}

/* Length of the bracket expression at <p> ("[...]"), classes included. */
static int
bracket(const char *p)
{
	const char *s = p + 1;

	if (*s == '^')
		s++;
	if (*s == ']')
		s++;	/* a leading ']' is a member */
	while (*s != '\0' && *s != ']') {
		if (*s == '[' && (s[1] == ':' || s[1] == '.' || s[1] == '=')) {
			char end = s[1];

			for (s += 2; *s != '\0' && !(*s == end && s[1] == ']');
			    s++)
				;
			if (*s == '\0')
				break;
			s += 2;
			continue;
		}
		s++;
	}
	return *s == ']' ? (int)(s - p) + 1 : (int)(s - p);
}

int
re_check(const char *pattern)
{
	struct re_level lv[RE_DEPTH];
	const char *p = pattern;
	long k;
	int d = 0, len;

	lv[0].seq = lv[0].last = 0;
	while (*p != '\0') {
		len = 1;
		switch (*p) {
		case '(':
			if (++d == RE_DEPTH)
				return -1;
			lv[d].seq = lv[d].last = 0;
			break;
		case ')':
			if (d > 0) {
				k = lv[d].seq + 1;
				d--;
				lv[d].seq += k;
				lv[d].last = k;
				break;
			}
			lv[d].seq++;
			lv[d].last = 1;
			break;
		case '|':
			lv[d].seq++;
			lv[d].last = 0;
			break;
		case '*':
		case '?':
			lv[d].seq++;
			break;
		case '+':
			lv[d].seq += lv[d].last + 1;
			lv[d].last = lv[d].last * 2 + 1;
			break;
		case '{':
			if ((k = interval(p, &len)) > 0) {
				lv[d].seq += lv[d].last * (k - 1) + 1;
				lv[d].last = lv[d].last * k + 1;
				break;
			}
			lv[d].seq++;
			lv[d].last = 1;
			break;
		case '[':
			len = bracket(p);
			lv[d].seq++;
			lv[d].last = 1;
			break;
		case '\\':
			len = p[1] != '\0' ? 2 : 1;
			lv[d].seq++;
			lv[d].last = 1;
			break;
		default:
			lv[d].seq++;
			lv[d].last = 1;
			break;
		}
		/* seq >= last and a parent only grows by a child's seq: one
		 * check here bounds every product above */
		if (lv[d].seq > RE_CHECK_MAX_NODES)
			return -1;
		p += len;
	}
	while (d > 0) {		/* unclosed groups: regcomp() will say */
		k = lv[d].seq + 1;
		d--;
		lv[d].seq += k;
	}
	return lv[0].seq > RE_CHECK_MAX_NODES ? -1 : 0;
}

/*
 * parse_date.c: syntax check of Date values,
 *   wkday "," SP 2DIGIT SP month SP 4DIGIT SP 2DIGIT ":" 2DIGIT ":" 2DIGIT
 *   SP "GMT"
 * (RFC 3261 20.17 and 25.1).  The value is not converted: no one in the
 * proxy needs the time, but a Date in another zone makes the message
 * invalid (RFC 4475 3.1.2.12).
 */
#include <string.h>

#include "parser/parse_char.h"
#include "parser/parse_date.h"

static int
date_digits(const char *p, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!pc_is_digit((unsigned char)p[i]))
			return 0;
	return 1;
}

static int
date_word(const char *p, const char *list)
{
	const char *w;

	for (w = list; *w != '\0'; w += 3)
		if (memcmp(p, w, 3) == 0)
			return 1;
	return 0;
}

/*
 * 0 when <in> (LWS around allowed) is a valid rfc1123-date in GMT,
 * -1 otherwise.  Pure function.
 */
int
parse_date(const str *in)
{
	str v = *in;
	const char *p;

	str_trim(&v);
	/* "Sun, 06 Nov 1994 08:49:37 GMT" is 29 chars */
	if (v.len != 29)
		return -1;
	p = v.s;
	if (!date_word(p, "MonTueWedThuFriSatSun") || p[3] != ','
	    || p[4] != ' ' || !date_digits(p + 5, 2) || p[7] != ' '
	    || !date_word(p + 8, "JanFebMarAprMayJunJulAugSepOctNovDec")
	    || p[11] != ' ' || !date_digits(p + 12, 4) || p[16] != ' '
	    || !date_digits(p + 17, 2) || p[19] != ':'
	    || !date_digits(p + 20, 2) || p[22] != ':'
	    || !date_digits(p + 23, 2) || p[25] != ' '
	    || memcmp(p + 26, "GMT", 3) != 0)
		return -1;
	return 0;
}

/*
 * parse_maxfwd.c: Max-Forwards values.  The number is returned, not
 * stored: the maxfwd module rewrites the header through a lump anyway.
 */
#include "parser/hf.h"
#include "parser/parse_maxfwd.h"

/*
 * The value of the Max-Forwards header <hf>: 1*DIGIT (leading zeros
 * fine, "0068" is 68) in 0..255.  Returns it, or -1 when invalid.
 */
int
parse_maxfwd(struct hdr_field *hf)
{
	str v = hf->body;
	unsigned int n;

	str_trim(&v);
	while (v.len > 1 && v.s[0] == '0') {
		v.s++;
		v.len--;
	}
	if (str_to_uint(&v, &n) < 0 || n > 255)
		return -1;
	return (int)n;
}

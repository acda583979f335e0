/*
 * parse_expires.c: Expires values, a 32-bit number of seconds.
 */
#include "mem/pkg.h"
#include "parser/hf.h"
#include "parser/parse_expires.h"

/*
 * Parse the Expires value <in> (1*DIGIT, LWS around) into <eb>.  0, or -1
 * when it is not a number or does not fit 32 bits.
 */
int
parse_expires_body(const str *in, struct exp_body *eb)
{
	str v = *in;

	str_trim(&v);
	eb->text = v;
	while (v.len > 1 && v.s[0] == '0') {
		v.s++;
		v.len--;
	}
	return str_to_uint(&v, &eb->val);
}

/* Free an exp_body made by parse_expires(); NULL is fine. */
void
exp_body_free(struct exp_body *eb)
{
	pkg_free(eb);
}

static void
exp_body_hook(void *p)
{
	exp_body_free(p);
}

/*
 * Parse the Expires header <hf> into a pkg exp_body at hf->parsed (hook
 * registered).  Idempotent.  0 or -1.
 */
int
parse_expires(struct hdr_field *hf)
{
	struct exp_body *eb;

	if (hf->parsed != NULL)
		return 0;
	if ((eb = pkg_malloc(sizeof(*eb))) == NULL)
		return -1;
	if (parse_expires_body(&hf->body, eb) < 0) {
		pkg_free(eb);
		return -1;
	}
	hf->parsed = eb;
	hf->free_parsed = exp_body_hook;
	return 0;
}

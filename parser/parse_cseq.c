/*
 * parse_cseq.c: CSeq values, "1*DIGIT LWS Method" (RFC 3261 20.16).
 */
#include <string.h>

#include "mem/pkg.h"
#include "parser/hf.h"
#include "parser/msg_parser.h"
#include "parser/parse_char.h"
#include "parser/parse_cseq.h"

/*
 * Parse the CSeq value <in> into <cb> (caller's, overwritten): a number
 * that fits 32 bits unsigned, LWS, a method token.  0, or -1 with
 * cb->error set.  Nothing is allocated.
 */
int
parse_cseq(str *in, struct cseq_body *cb)
{
	char *p = in->s, *end = in->s != NULL ? in->s + in->len : NULL, *q;

	memset(cb, 0, sizeof(*cb));
	if (p == NULL || in->len <= 0)
		goto fail;
	p = pc_skip_lws(p, end);
	for (q = p; q < end && pc_is_digit((unsigned char)*q); q++)
		;
	cb->number.s = p;
	cb->number.len = (int)(q - p);
	/* leading zeros are fine ("0009"), the value must fit */
	while (cb->number.len > 1 && cb->number.s[0] == '0') {
		cb->number.s++;
		cb->number.len--;
	}
	if (q == p || str_to_uint(&cb->number, &cb->num) < 0)
		goto fail;
	cb->number.s = p;
	cb->number.len = (int)(q - p);
	p = pc_skip_lws(q, end);
	if (p == q)
		goto fail;
	q = pc_skip_token(p, end);
	if (q == p || pc_skip_lws(q, end) != end)
		goto fail;
	cb->method.s = p;
	cb->method.len = (int)(q - p);
	cb->method_id = msg_method_parse(&cb->method);
	return 0;
fail:
	memset(cb, 0, sizeof(*cb));
	cb->error = 1;
	return -1;
}

/*
 * Parse the CSeq header <hf> into a pkg cseq_body at hf->parsed (freed by
 * its free_parsed hook).  Does nothing when already parsed.  0 or -1.
 */
int
parse_cseq_hf(struct hdr_field *hf)
{
	struct cseq_body *cb;

	if (hf->parsed != NULL)
		return 0;
	if ((cb = pkg_malloc(sizeof(*cb))) == NULL)
		return -1;
	if (parse_cseq(&hf->body, cb) < 0) {
		pkg_free(cb);
		return -1;
	}
	hf->parsed = cb;
	hf->free_parsed = pkg_free;
	return 0;
}

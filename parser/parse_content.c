/*
 * parse_content.c: Content-Length and Content-Type values.
 */
#include <stdint.h>

#include "parser/hf.h"
#include "parser/parse_char.h"
#include "parser/parse_content.h"

/*
 * Parse the Content-Length value <in>: 1*DIGIT with optional LWS around,
 * at most SIP_MSG_MAX_LEN-ish sizes are the caller's business; anything
 * that is not a number fitting 32 bits (a sign, a second token) is -1.
 */
int
parse_content_length(const str *in, unsigned int *len)
{
	str v = *in;

	str_trim(&v);
	while (v.len > 1 && v.s[0] == '0') {
		v.s++;
		v.len--;
	}
	return str_to_uint(&v, len);
}

/*
 * Parse the Content-Length header <hf>; the number is kept in hf->parsed
 * itself (see get_content_length()), nothing is allocated.  0 or -1.
 */
int
parse_content_length_hf(struct hdr_field *hf)
{
	unsigned int len;

	if (parse_content_length(&hf->body, &len) < 0)
		return -1;
	hf->parsed = (void *)(uintptr_t)len;
	hf->free_parsed = NULL;
	return 0;
}

/*
 * Split the Content-Type value <in> ("type/subtype *(;param)") into
 * <type> and <subtype> (parameters are left out).  0 or -1.
 */
int
parse_content_type(const str *in, str *type, str *subtype)
{
	char *p = in->s, *end = in->s != NULL ? in->s + in->len : NULL, *q;

	if (p == NULL)
		return -1;
	p = pc_skip_lws(p, end);
	q = pc_skip_token(p, end);
	if (q == p)
		return -1;
	type->s = p;
	type->len = (int)(q - p);
	p = pc_skip_lws(q, end);
	if (p >= end || *p != '/')
		return -1;
	p = pc_skip_lws(p + 1, end);
	q = pc_skip_token(p, end);
	if (q == p)
		return -1;
	subtype->s = p;
	subtype->len = (int)(q - p);
	p = pc_skip_lws(q, end);
	return p == end || *p == ';' ? 0 : -1;
}

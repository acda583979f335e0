/*
 * parse_expires.h: the Expires header (RFC 3261 20.19): delta-seconds.
 */
#ifndef PARSER_PARSE_EXPIRES_H
#define PARSER_PARSE_EXPIRES_H

#include "lib/str.h"

struct hdr_field;

/* pkg; hdr_field.parsed of an Expires header */
struct exp_body {
	str text;		/* the number as written */
	unsigned int val;	/* 0 .. 2^32-1 */
};

int parse_expires_body(const str *in, struct exp_body *eb);
int parse_expires(struct hdr_field *hf);
void exp_body_free(struct exp_body *eb);

#define get_expires(hf) ((struct exp_body *)(hf)->parsed)

#endif

/*
 * parse_content.h: Content-Length (RFC 3261 20.14) and Content-Type
 * (20.15) values.
 */
#ifndef PARSER_PARSE_CONTENT_H
#define PARSER_PARSE_CONTENT_H

#include <stdint.h>

#include "lib/str.h"

struct hdr_field;

/* The value of a parsed Content-Length header, OpenSER style: the number
 * itself is stored in ->parsed (no allocation). */
#define get_content_length(msg)                                           \
	((unsigned int)(uintptr_t)(msg)->content_length->parsed)

int parse_content_length(const str *in, unsigned int *len);
int parse_content_length_hf(struct hdr_field *hf);
int parse_content_type(const str *in, str *type, str *subtype);

#endif

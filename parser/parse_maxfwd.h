/*
 * parse_maxfwd.h: Max-Forwards (RFC 3261 20.22), 0..255.
 */
#ifndef PARSER_PARSE_MAXFWD_H
#define PARSER_PARSE_MAXFWD_H

struct hdr_field;

int parse_maxfwd(struct hdr_field *hf);

#endif

/*
 * parse_rr.h: Route and Record-Route values (RFC 3261 20.30, 20.34): a
 * comma list of name-addrs with parameters.
 */
#ifndef PARSER_PARSE_RR_H
#define PARSER_PARSE_RR_H

#include "lib/str.h"
#include "parser/parse_param.h"

struct hdr_field;

/* pkg; one route entry, chained in header order (hdr_field.parsed) */
struct rr {
	str nameaddr;		/* the whole name-addr incl. <> */
	str display;		/* may be empty */
	str uri;		/* without <> */
	struct param *params;	/* after the '>' */
	char *start;		/* first char of the entry */
	int len;		/* up to the end of its last parameter */
	struct rr *next;
};

int parse_rr_body(str *in, struct rr **head);
int parse_rr(struct hdr_field *hf);
void rr_free(struct rr *r);

#endif

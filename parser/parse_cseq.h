/*
 * parse_cseq.h: CSeq (RFC 3261 20.16).
 */
#ifndef PARSER_PARSE_CSEQ_H
#define PARSER_PARSE_CSEQ_H

#include "lib/str.h"

/* pkg */
struct cseq_body {
	int error;
	str number;
	str method;
	unsigned int num;
	int method_id;		/* enum request_method */
};

struct hdr_field;

int parse_cseq(str *in, struct cseq_body *cb);
int parse_cseq_hf(struct hdr_field *hf);	/* hf->parsed */

#define get_cseq(msg) ((struct cseq_body *)(msg)->cseq->parsed)

#endif

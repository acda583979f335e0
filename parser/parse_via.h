/*
 * parse_via.h: Via header bodies (RFC 3261 20.42), several per line.
 */
#ifndef PARSER_PARSE_VIA_H
#define PARSER_PARSE_VIA_H

#include "lib/ip_addr.h"
#include "lib/str.h"

struct hdr_field;

enum via_param_type {
	VIA_PARAM_OTHER = 0,
	VIA_PARAM_BRANCH,
	VIA_PARAM_RECEIVED,
	VIA_PARAM_RPORT,
	VIA_PARAM_MADDR,
	VIA_PARAM_TTL,
	VIA_PARAM_ALIAS,
	VIA_PARAM_I,
};

/* pkg; a list hanging off its via_body */
struct via_param {
	enum via_param_type type;
	str name;
	str value;		/* empty when the param has no '=' */
	char *start;		/* the ';' before the param */
	int size;		/* from start to the end of the value */
	struct via_param *next;
};

/* pkg; one per Via body, chained through .next within one header */
struct via_body {
	int error;		/* 0 when parsed fine */
	struct hdr_field *hdr;	/* the header line holding it */
	str name;		/* "SIP" */
	str version;		/* "2.0" */
	str transport;		/* "UDP", "TCP", "TLS", ... as written */
	enum sip_proto proto;	/* PROTO_NONE for unknown transports */
	str host;		/* IPv6 keeps its brackets */
	str port_str;
	unsigned short port;	/* 0 when absent */
	str params;		/* all params, without the first ';' */
	str comment;
	char *start;		/* first char of this body ("SIP") */
	int bsize;		/* length of this body up to (not incl.) ',' */
	struct via_param *param_lst;
	struct via_param *branch, *received, *rport, *maddr, *ttl, *alias;
	struct via_body *next;	/* next body on the same header line */
};

int parse_via(str *in, struct via_body *vb);
void via_body_free(struct via_body *vb);
int parse_via_hf(struct hdr_field *hf);		/* hf->parsed */

#endif

/*
 * parse_to.h: name-addr bodies of To and From (RFC 3261 20.20, 20.39).
 */
#ifndef PARSER_PARSE_TO_H
#define PARSER_PARSE_TO_H

#include "lib/str.h"

struct sip_msg;
struct hdr_field;

/* pkg */
struct to_param {
	str name;
	str value;
	struct to_param *next;
};

/* pkg; the parsed value of a To or From header */
struct to_body {
	int error;
	str body;		/* whole header value */
	str display;		/* display name, quotes kept, may be empty */
	str uri;		/* inside <> if present */
	str tag_value;		/* empty when no tag */
	struct to_param *param_lst;
};

int parse_to(str *in, struct to_body *tb);
void to_body_free(struct to_body *tb);
int parse_to_header(struct sip_msg *msg);	/* msg->to->parsed */
int parse_to_hf(struct hdr_field *hf);		/* hf->parsed */
int parse_to_nameaddr(char **pp, const char *end, str *display, str *uri,
    const char *stop);
int parse_from_header(struct sip_msg *msg);	/* msg->from->parsed */

#define get_to(msg)   ((struct to_body *)(msg)->to->parsed)
#define get_from(msg) ((struct to_body *)(msg)->from->parsed)

#endif

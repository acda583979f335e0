/*
 * parse_contact.h: Contact values (RFC 3261 20.10): "*" or a comma list
 * of name-addr / addr-spec with parameters, several headers per message.
 */
#ifndef PARSER_PARSE_CONTACT_H
#define PARSER_PARSE_CONTACT_H

#include "lib/str.h"
#include "parser/parse_param.h"

struct hdr_field;
struct sip_msg;

/* pkg; one contact of a Contact value, strs point into the message */
struct contact {
	str name;		/* display name as written, may be empty */
	str uri;		/* without <> */
	char *start;		/* first char of this contact */
	int len;		/* up to the end of its last parameter */
	struct param *q, *expires, *received, *methods, *instance;
	struct param *params;	/* all parameters, in order */
	struct contact *next;
};

/* pkg; the parsed value of one Contact header (hdr_field.parsed) */
struct contact_body {
	int star;		/* the value was "*" */
	struct contact *contacts;
};

int parse_contact_body(str *in, struct contact_body *cb);
int parse_contact(struct hdr_field *hf);
int parse_contact_all(struct sip_msg *msg);
int parse_contact_expires(const struct contact *c, unsigned int *val);
void contact_body_free(struct contact_body *cb);

#endif

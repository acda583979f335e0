/*
 * parse_option_tags.h: Require, Proxy-Require, Supported, Unsupported
 * (RFC 3261 20.29, 20.32, 20.37, 20.40): comma lists of option tokens.
 */
#ifndef PARSER_PARSE_OPTION_TAGS_H
#define PARSER_PARSE_OPTION_TAGS_H

#include "lib/str.h"

struct hdr_field;

/* pkg; one option tag */
struct option_tag {
	str tag;
	struct option_tag *next;
};

/* pkg; hdr_field.parsed of an option-tag header */
struct option_tag_body {
	int n;
	struct option_tag *tags;	/* in order */
};

int parse_option_tags_body(str *in, struct option_tag_body *ob);
int parse_option_tags(struct hdr_field *hf);
int parse_option_tags_has(const struct option_tag_body *ob,
    const char *tag);
void option_tag_body_free(struct option_tag_body *ob);

#endif

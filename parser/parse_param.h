/*
 * parse_param.h: ";name[=value]" parameter lists of header values
 * (RFC 3261 generic-param: value is a token, a host or a quoted string).
 */
#ifndef PARSER_PARSE_PARAM_H
#define PARSER_PARSE_PARAM_H

#include "lib/str.h"

/* pkg; one parameter, strs point into the message */
struct param {
	str name;
	str value;		/* quotes kept; empty when there is no '=' */
	struct param *next;
};

int parse_param_next(char **pp, const char *end, str *name, str *value);
int parse_param_list(char **pp, const char *end, struct param **list);
struct param *parse_param_find(struct param *list, const char *name);
void parse_param_free(struct param *list);

#endif

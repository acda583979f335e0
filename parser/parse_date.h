/*
 * parse_date.h: the Date header (RFC 3261 20.17): an RFC 1123 date that
 * must be in GMT.
 */
#ifndef PARSER_PARSE_DATE_H
#define PARSER_PARSE_DATE_H

#include "lib/str.h"

int parse_date(const str *in);

#endif

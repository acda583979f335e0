/*
 * parse_fline.h: the first line of a SIP message (RFC 3261 7.1, 7.2).
 */
#ifndef PARSER_PARSE_FLINE_H
#define PARSER_PARSE_FLINE_H

#include "parser/msg_parser.h"

char *parse_fline(char *buf, const char *end, struct msg_start *fl);

#endif

/*
 * parse_uri.h: SIP, SIPS and TEL URIs (RFC 3261 19.1, RFC 3966).
 * Every str points into the parsed buffer; nothing is allocated.
 */
#ifndef PARSER_PARSE_URI_H
#define PARSER_PARSE_URI_H

#include "lib/ip_addr.h"
#include "lib/str.h"

enum uri_type {
	URI_ERROR = 0,
	URI_SIP,
	URI_SIPS,
	URI_TEL,
	URI_TELS,
};

struct sip_uri {
	enum uri_type type;
	str user;		/* for tel: the number */
	str passwd;
	str host;		/* IPv6 references keep their brackets */
	str port;
	str params;		/* after the first ';', without it */
	str headers;		/* after '?', without it */
	unsigned short port_no;	/* 0 when absent */
	int host_is_ip;		/* 1 for a literal IPv4/IPv6 address */
	/* well-known parameters: name=value as written, value separately */
	str transport, transport_val;
	str ttl, ttl_val;
	str user_param, user_param_val;
	str maddr, maddr_val;
	str method, method_val;
	str lr, lr_val;
	str r2, r2_val;
	enum sip_proto proto;	/* from transport=, PROTO_NONE if absent */
};

int parse_uri(char *buf, int len, struct sip_uri *uri);
int uri_param_find(const struct sip_uri *uri, const char *name, str *val);
int parse_uri_is_absolute(char *buf, int len, str *scheme);
/* host / port syntax, shared with the Via parser */
char *parse_uri_host(char *p, const char *end, str *host, int *is_ip);
char *parse_uri_port(char *p, const char *end, str *port,
    unsigned short *port_no);

#endif

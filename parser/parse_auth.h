/*
 * parse_auth.h: Authorization and Proxy-Authorization values (RFC 3261
 * 20.7, 20.28; RFC 2617): a scheme and comma-separated auth-params.
 * Structure only: checking the response is the auth module's job.
 */
#ifndef PARSER_PARSE_AUTH_H
#define PARSER_PARSE_AUTH_H

#include "lib/str.h"
#include "parser/parse_param.h"

struct hdr_field;

/* pkg; hdr_field.parsed of an (Proxy-)Authorization header */
struct auth_body {
	str scheme;		/* "Digest", any case */
	/* digest parameters, quotes stripped; empty when absent */
	str username, realm, nonce, uri, response, algorithm, cnonce;
	str opaque, qop, nc;
	struct param *params;	/* every parameter, values as written */
};

int parse_auth_body(str *in, struct auth_body *ab);
int parse_auth(struct hdr_field *hf);
void auth_body_free(struct auth_body *ab);

#endif

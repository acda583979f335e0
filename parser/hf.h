/*
 * hf.h: one header field of a SIP message, and the header types the parser
 * recognises (by full and compact name, case-insensitively).
 */
#ifndef PARSER_HF_H
#define PARSER_HF_H

#include <stdint.h>

#include "lib/str.h"

enum hdr_type {
	HDR_ERROR_T = -1,
	HDR_OTHER_T = 0,
	HDR_VIA_T,
	HDR_TO_T,
	HDR_FROM_T,
	HDR_CSEQ_T,
	HDR_CALLID_T,
	HDR_CONTACT_T,
	HDR_MAXFORWARDS_T,
	HDR_ROUTE_T,
	HDR_RECORDROUTE_T,
	HDR_CONTENTTYPE_T,
	HDR_CONTENTLENGTH_T,
	HDR_AUTHORIZATION_T,
	HDR_PROXYAUTH_T,
	HDR_EXPIRES_T,
	HDR_SUPPORTED_T,
	HDR_REQUIRE_T,
	HDR_PROXYREQUIRE_T,
	HDR_UNSUPPORTED_T,
	HDR_ALLOW_T,
	HDR_EVENT_T,
	HDR_USERAGENT_T,
	HDR_SERVER_T,
	HDR_PATH_T,
	HDR_DATE_T,
	HDR_EOH_T,		/* pseudo type: end of headers reached */
};

/* Flags for parse_headers(): which headers to reach. */
#define HDR_F(t)		((uint64_t)1 << (t))
#define HDR_VIA1_F		HDR_F(HDR_VIA_T)
#define HDR_VIA2_F		((uint64_t)1 << 62)	/* second Via body */
#define HDR_TO_F		HDR_F(HDR_TO_T)
#define HDR_FROM_F		HDR_F(HDR_FROM_T)
#define HDR_CSEQ_F		HDR_F(HDR_CSEQ_T)
#define HDR_CALLID_F		HDR_F(HDR_CALLID_T)
#define HDR_CONTACT_F		HDR_F(HDR_CONTACT_T)
#define HDR_MAXFORWARDS_F	HDR_F(HDR_MAXFORWARDS_T)
#define HDR_ROUTE_F		HDR_F(HDR_ROUTE_T)
#define HDR_RECORDROUTE_F	HDR_F(HDR_RECORDROUTE_T)
#define HDR_CONTENTTYPE_F	HDR_F(HDR_CONTENTTYPE_T)
#define HDR_CONTENTLENGTH_F	HDR_F(HDR_CONTENTLENGTH_T)
#define HDR_AUTHORIZATION_F	HDR_F(HDR_AUTHORIZATION_T)
#define HDR_PROXYAUTH_F		HDR_F(HDR_PROXYAUTH_T)
#define HDR_EXPIRES_F		HDR_F(HDR_EXPIRES_T)
#define HDR_SUPPORTED_F		HDR_F(HDR_SUPPORTED_T)
#define HDR_REQUIRE_F		HDR_F(HDR_REQUIRE_T)
#define HDR_PROXYREQUIRE_F	HDR_F(HDR_PROXYREQUIRE_T)
#define HDR_UNSUPPORTED_F	HDR_F(HDR_UNSUPPORTED_T)
#define HDR_ALLOW_F		HDR_F(HDR_ALLOW_T)
#define HDR_EVENT_F		HDR_F(HDR_EVENT_T)
#define HDR_USERAGENT_F		HDR_F(HDR_USERAGENT_T)
#define HDR_SERVER_F		HDR_F(HDR_SERVER_T)
#define HDR_PATH_F		HDR_F(HDR_PATH_T)
#define HDR_DATE_F		HDR_F(HDR_DATE_T)
#define HDR_EOH_F		((uint64_t)-1)	/* parse every header */

/* pkg, owned by its struct sip_msg */
struct hdr_field {
	enum hdr_type type;
	str name;		/* as written, without ':' */
	str body;		/* trimmed value, without the CRLF */
	int len;		/* whole header incl. the line end(s) */
	void *parsed;		/* type-specific parse result, or NULL */
	void (*free_parsed)(void *); /* how to free .parsed (pkg) */
	struct hdr_field *next;	/* next header in the message */
	struct hdr_field *sibling; /* next header of the same type */
};

enum hdr_type hf_type(const str *name);	/* HDR_OTHER_T if unknown */
int hf_name_eq(const str *a, const str *b); /* compact forms match */
void hf_free(struct hdr_field *hf);	/* .parsed (via free_parsed) + hf */

#endif

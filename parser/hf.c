/*
 * hf.c: header field names and types.  Names compare case-insensitively
 * and a compact form (RFC 3261 7.3.3, plus the later RFCs' letters) equals
 * its full name.
 */
#include "mem/pkg.h"
#include "parser/hf.h"

struct hf_name {
	const char *full;
	char compact;		/* 0: none */
	enum hdr_type type;
};

static const struct hf_name hf_names[] = {
	{ "Via", 'v', HDR_VIA_T },
	{ "To", 't', HDR_TO_T },
	{ "From", 'f', HDR_FROM_T },
	{ "CSeq", 0, HDR_CSEQ_T },
	{ "Call-ID", 'i', HDR_CALLID_T },
	{ "Contact", 'm', HDR_CONTACT_T },
	{ "Max-Forwards", 0, HDR_MAXFORWARDS_T },
	{ "Route", 0, HDR_ROUTE_T },
	{ "Record-Route", 0, HDR_RECORDROUTE_T },
	{ "Content-Type", 'c', HDR_CONTENTTYPE_T },
	{ "Content-Length", 'l', HDR_CONTENTLENGTH_T },
	{ "Authorization", 0, HDR_AUTHORIZATION_T },
	{ "Proxy-Authorization", 0, HDR_PROXYAUTH_T },
	{ "Expires", 0, HDR_EXPIRES_T },
	{ "Supported", 'k', HDR_SUPPORTED_T },
	{ "Require", 0, HDR_REQUIRE_T },
	{ "Proxy-Require", 0, HDR_PROXYREQUIRE_T },
	{ "Unsupported", 0, HDR_UNSUPPORTED_T },
	{ "Allow", 0, HDR_ALLOW_T },
	{ "Event", 'o', HDR_EVENT_T },
	{ "User-Agent", 0, HDR_USERAGENT_T },
	{ "Server", 0, HDR_SERVER_T },
	{ "Path", 0, HDR_PATH_T },
	{ "Date", 0, HDR_DATE_T },
	/* no type of their own, but their compact forms must still match */
	{ "Subject", 's', HDR_OTHER_T },
	{ "Content-Encoding", 'e', HDR_OTHER_T },
	{ "Allow-Events", 'u', HDR_OTHER_T },
	{ "Refer-To", 'r', HDR_OTHER_T },
	{ "Referred-By", 'b', HDR_OTHER_T },
	{ "Session-Expires", 'x', HDR_OTHER_T },
	{ "Identity", 'y', HDR_OTHER_T },
};

#define HF_NAMES_N (sizeof(hf_names) / sizeof(hf_names[0]))

static char
hf_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* The table row for <name> (full or compact form), or NULL. */
static const struct hf_name *
hf_lookup(const str *name)
{
	size_t i;

	if (name->len == 1) {
		for (i = 0; i < HF_NAMES_N; i++)
			if (hf_names[i].compact == hf_lower(name->s[0]))
				return &hf_names[i];
		return NULL;
	}
	for (i = 0; i < HF_NAMES_N; i++)
		if (str_caseeq_cstr(name, hf_names[i].full))
			return &hf_names[i];
	return NULL;
}

/*
 * The type of the header named <name> (as written, without ':'), full or
 * compact form, any case.  HDR_OTHER_T when unknown.  Pure function.
 */
enum hdr_type
hf_type(const str *name)
{
	const struct hf_name *n = hf_lookup(name);

	return n != NULL ? n->type : HDR_OTHER_T;
}

/*
 * 1 when the header names <a> and <b> name the same header: same text in
 * any case, or one the compact form of the other ("v" and "VIA").
 */
int
hf_name_eq(const str *a, const str *b)
{
	const struct hf_name *na, *nb;

	if (str_caseeq(a, b))
		return 1;
	na = hf_lookup(a);
	nb = hf_lookup(b);
	return na != NULL && na == nb;
}

/*
 * Free the header <hf> (pkg) and its parsed value through its free_parsed
 * hook.  NULL is fine.  Does not unlink it from any list.
 */
void
hf_free(struct hdr_field *hf)
{
	if (hf == NULL)
		return;
	if (hf->parsed != NULL && hf->free_parsed != NULL)
		hf->free_parsed(hf->parsed);
	pkg_free(hf);
}

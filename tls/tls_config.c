/*
 * tls_config.c: the global tls_* parameters, their defaults, and the one
 * table that says, for every TLS parameter, its type, its range and where
 * it may be written (globally, in tls_server_domain blocks, in
 * tls_client_domain blocks).  cfg/cfg_tls.c checks values against the
 * table and stores them with tls_param_set().  A domain parameter written
 * as a global goes to the default server and/or client domain; virtual
 * domains inherit it at init (tls_domain_inherit()).  Attendant, config
 * time; read-only after init_tls().
 */
#include <limits.h>
#include <openssl/ssl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/socket_info.h"
#include "tls/tls_config.h"
#include "tls/tls_domain.h"

int tls_disable = -1;		/* unset: a listen = tls: line enables TLS */
int tls_handshake_timeout = 30;
int tls_send_timeout = 30;
int tls_client_domain_avp;
int tls_crlf_pingpong = 1;
int tls_crlf_drop;
int tls_max_msg_chunks = 4;
int tls_max_memory = 256;
/* idle lifetime of a TLS connection: long enough that a registered phone
 * or gateway keeps its connection between hourly re-registrations (the
 * 1.x two minutes cut them off: seeds/004) */
int tls_connection_lifetime = 7200;

/* what the default domains hold before the config says otherwise */
#define TLS_MIN_DEFAULT		 TLS1_2_VERSION	/* tls_method = SSLv23 */
#define TLS_MAX_DEFAULT		 TLS1_3_VERSION
#define TLS_VERIFY_DEFAULT	 1	/* tls_verify_client, tls_verify_server */
#define TLS_REQUIRE_DEFAULT	 1	/* tls_require_client_certificate */
#define TLS_VERIFY_DEPTH_DEFAULT 9

#define SRV	TLS_PARAM_SRV
#define CLI	TLS_PARAM_CLI
#define GLOBAL	TLS_PARAM_GLOBAL
#define DOM(f)	offsetof(struct tls_domain, f)

/* Sorted by name: tls_param_find() uses bsearch(); a unit test checks. */
static const struct tls_param tls_params[] = {
	{ "disable_tls", TLS_PARAM_BOOL, &tls_disable, GLOBAL, 0, 1, 0 },
	{ "tls_ca_dir", TLS_PARAM_STR, NULL, SRV | CLI, 0, 0, DOM(ca_dir) },
	{ "tls_ca_list", TLS_PARAM_STR, NULL, SRV | CLI, 0, 0, DOM(ca_list) },
	{ "tls_certificate", TLS_PARAM_STR, NULL, SRV | CLI, 0, 0,
	    DOM(certificate) },
	{ "tls_ciphers_list", TLS_PARAM_STR, NULL, SRV | CLI, 0, 0,
	    DOM(ciphers_list) },
	{ "tls_ciphersuites", TLS_PARAM_STR, NULL, SRV | CLI, 0, 0,
	    DOM(ciphersuites) },
	{ "tls_client_domain_avp", TLS_PARAM_INT, &tls_client_domain_avp,
	    GLOBAL, 0, INT_MAX, 0 },
	{ "tls_connection_lifetime", TLS_PARAM_INT, &tls_connection_lifetime,
	    GLOBAL, 1, INT_MAX, 0 },
	{ "tls_crlf_drop", TLS_PARAM_BOOL, &tls_crlf_drop, GLOBAL, 0, 1, 0 },
	{ "tls_crlf_pingpong", TLS_PARAM_BOOL, &tls_crlf_pingpong, GLOBAL, 0,
	    1, 0 },
	{ "tls_handshake_timeout", TLS_PARAM_INT, &tls_handshake_timeout,
	    GLOBAL, 1, 3600, 0 },
	{ "tls_max_memory", TLS_PARAM_INT, &tls_max_memory, GLOBAL, 0, 65536,
	    0 },
	{ "tls_max_msg_chunks", TLS_PARAM_INT, &tls_max_msg_chunks, GLOBAL, 1,
	    1024, 0 },
	{ "tls_method", TLS_PARAM_METHOD, NULL, SRV | CLI, 0, 0, 0 },
	{ "tls_port_no", TLS_PARAM_INT, &sock_tls_default_port, GLOBAL, 1, 65535, 0 },
	{ "tls_private_key", TLS_PARAM_STR, NULL, SRV | CLI, 0, 0,
	    DOM(private_key) },
	{ "tls_require_client_certificate", TLS_PARAM_BOOL, NULL, SRV, 0, 1,
	    DOM(require_cert) },
	{ "tls_send_timeout", TLS_PARAM_INT, &tls_send_timeout, GLOBAL, 1,
	    3600, 0 },
	{ "tls_verify_client", TLS_PARAM_BOOL, NULL, SRV, 0, 1,
	    DOM(verify_cert) },
	{ "tls_verify_depth", TLS_PARAM_INT, NULL, SRV | CLI, 0, 100,
	    DOM(verify_depth) },
	{ "tls_verify_server", TLS_PARAM_BOOL, NULL, CLI, 0, 1,
	    DOM(verify_cert) },
};

#define NR_TLS_PARAMS (sizeof(tls_params) / sizeof(tls_params[0]))

static int
param_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct tls_param *)elem)->name);
}

/* The row of parameter <name>, or NULL when it is not a TLS parameter. */
const struct tls_param *
tls_param_find(const char *name)
{
	return bsearch(name, tls_params, NR_TLS_PARAMS, sizeof(tls_params[0]),
	    param_cmp);
}

/* The whole table (<*n> rows), for messages listing what is accepted. */
const struct tls_param *
tls_param_table(int *n)
{
	*n = (int)NR_TLS_PARAMS;
	return tls_params;
}

/* ---- tls_method ---------------------------------------------------------- */

static const struct {
	const char *name;	/* canonical spelling */
	int version;		/* 0: refused */
	const char *refusal;
} tls_versions[] = {
	{ "SSLv2", 0, "SSLv2 is broken and OpenSSL 3 cannot speak it" },
	{ "SSLv3", 0, "SSLv3 is insecure (RFC 7568) and no longer allowed" },
	{ "TLSv1", TLS1_VERSION, NULL },
	{ "TLSv1_0", TLS1_VERSION, NULL },
	{ "TLSv1_1", TLS1_1_VERSION, NULL },
	{ "TLSv1_2", TLS1_2_VERSION, NULL },
	{ "TLSv1_3", TLS1_3_VERSION, NULL },
};

#define METHODS_ALLOWED                                                   \
	"SSLv23 (TLS 1.2 and 1.3), TLSv1_2, TLSv1_3, a range such as "    \
	"TLSv1_2-TLSv1_3, or the insecure legacy TLSv1 and TLSv1_1"

/* The version named <s> (<len> bytes; "TLSv1.2" = "TLSv1_2", any case). */
static int
version_lookup(const char *s, size_t len, const char **refusal)
{
	char buf[16];
	size_t i;

	*refusal = NULL;
	if (len == 0 || len >= sizeof(buf))
		return -1;
	for (i = 0; i < len; i++)
		buf[i] = s[i] == '.' ? '_' : s[i];
	buf[len] = '\0';
	for (i = 0; i < sizeof(tls_versions) / sizeof(tls_versions[0]); i++)
		if (strcasecmp(buf, tls_versions[i].name) == 0) {
			*refusal = tls_versions[i].refusal;
			return tls_versions[i].version;
		}
	return -1;
}

/* One end of a range; 0 or -1 with <err> filled. */
static int
method_end(const char *whole, const char *s, size_t len, int *v, char *err,
    int errlen)
{
	const char *refusal;

	*v = version_lookup(s, len, &refusal);
	if (*v > 0)
		return 0;
	if (refusal != NULL)
		(void)snprintf(err, (size_t)errlen, "'%s' is refused: %s; use "
		    "SSLv23 (TLS 1.2 and 1.3) or TLSv1_2", whole, refusal);
	else
		(void)snprintf(err, (size_t)errlen, "'%s' is not a TLS method "
		    "(use " METHODS_ALLOWED ")", whole);
	return -1;
}

/*
 * Parse a tls_method value into a protocol version range [<*min>, <*max>]
 * (TLS1_VERSION ... TLS1_3_VERSION).  SSLv23 = TLS 1.2..1.3; a single
 * version means exactly that one (as in 1.x); "lo-hi" is a range whose
 * missing end means the lowest (TLSv1) or highest (TLSv1_3) version.
 * SSLv2 and SSLv3 are refused.  <*insecure> is set when TLS 1.0 or 1.1
 * is allowed, for the caller to warn.  0, or -1 with <err> saying why and
 * what to use instead.  Any process; does not log.
 */
int
tls_method_parse(const char *s, int *min, int *max, int *insecure, char *err,
    int errlen)
{
	const char *dash = strchr(s, '-');

	*insecure = 0;
	if (strcasecmp(s, "SSLv23") == 0) {
		*min = TLS_MIN_DEFAULT;
		*max = TLS_MAX_DEFAULT;
		return 0;
	}
	if (dash == NULL) {
		if (method_end(s, s, strlen(s), min, err, errlen) == -1)
			return -1;
		*max = *min;
	} else {
		if (dash == s)
			*min = TLS1_VERSION;
		else if (method_end(s, s, (size_t)(dash - s), min, err, errlen)
		    == -1)
			return -1;
		if (dash[1] == '\0')
			*max = TLS1_3_VERSION;
		else if (method_end(s, dash + 1, strlen(dash + 1), max, err,
		    errlen) == -1)
			return -1;
		if (*min > *max) {
			(void)snprintf(err, (size_t)errlen, "'%s' is an empty "
			    "range: its lower end is above its upper end", s);
			return -1;
		}
	}
	*insecure = *min < TLS1_2_VERSION;
	return 0;
}

/* "TLSv1_2" for TLS1_2_VERSION ...; "?" for anything else. */
const char *
tls_version_name(int version)
{
	switch (version) {
	case TLS1_VERSION:
		return "TLSv1";
	case TLS1_1_VERSION:
		return "TLSv1_1";
	case TLS1_2_VERSION:
		return "TLSv1_2";
	case TLS1_3_VERSION:
		return "TLSv1_3";
	default:
		return "?";
	}
}

/* ---- setting values ------------------------------------------------------ */

static int
domain_set(const struct tls_param *p, struct tls_domain *td, long num,
    const char *s, char *err, int errlen)
{
	char **sp, *copy;
	int lo, hi, insecure;

	switch (p->type) {
	case TLS_PARAM_METHOD:
		if (tls_method_parse(s, &lo, &hi, &insecure, err, errlen) == -1)
			return -1;
		td->min_version = lo;
		td->max_version = hi;
		return 0;
	case TLS_PARAM_STR:
		if ((copy = strdup(s)) == NULL) {
			(void)snprintf(err, (size_t)errlen, "out of memory");
			return -1;
		}
		sp = (char **)(void *)((char *)td + p->off);
		free(*sp);
		*sp = copy;
		return 0;
	case TLS_PARAM_INT:
	case TLS_PARAM_BOOL:
		*(int *)(void *)((char *)td + p->off) = (int)num;
		return 0;
	}
	return -1;
}

/*
 * Store a checked value: <num> for numbers and booleans, <s> for strings
 * and tls_method.  A global-only parameter sets its variable; a domain
 * parameter sets <td>, or with <td> NULL the default domain(s) its row
 * names.  0, or -1 with <err> filled (a bad tls_method, out of memory).
 * Attendant, config time.
 */
int
tls_param_set(const struct tls_param *p, struct tls_domain *td, long num,
    const char *s, char *err, int errlen)
{
	struct tls_domain *def;

	if (p->where & TLS_PARAM_GLOBAL) {
		*p->var = (int)num;
		return 0;
	}
	if (td != NULL)
		return domain_set(p, td, num, s, err, errlen);
	if ((p->where & TLS_PARAM_SRV)
	    && (def = tls_domain_default(TLS_DOMAIN_SRV)) != NULL
	    && domain_set(p, def, num, s, err, errlen) == -1)
		return -1;
	if ((p->where & TLS_PARAM_CLI)
	    && (def = tls_domain_default(TLS_DOMAIN_CLI)) != NULL
	    && domain_set(p, def, num, s, err, errlen) == -1)
		return -1;
	return 0;
}

/*
 * Give default domain <td> the built-in values (tls_method SSLv23,
 * verification on, verify depth 9, no files).  Attendant.
 */
void
tls_config_domain_defaults(struct tls_domain *td)
{
	td->min_version = TLS_MIN_DEFAULT;
	td->max_version = TLS_MAX_DEFAULT;
	td->verify_cert = TLS_VERIFY_DEFAULT;
	td->require_cert = (td->type & TLS_DOMAIN_SRV) ? TLS_REQUIRE_DEFAULT
						       : 0;
	td->verify_depth = TLS_VERIFY_DEPTH_DEFAULT;
}

/* Put the global variables back to their defaults (tests, reload). */
void
tls_config_reset(void)
{
	tls_disable = -1;
	sock_tls_default_port = 5061;
	tls_handshake_timeout = 30;
	tls_send_timeout = 30;
	tls_client_domain_avp = 0;
	tls_crlf_pingpong = 1;
	tls_crlf_drop = 0;
	tls_max_msg_chunks = 4;
	tls_max_memory = 256;
}

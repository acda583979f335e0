/*
 * tls_config.h: the global tls_* parameters (OpenSER 1.x names and
 * meaning, plus the later and modern ones).  Defined in tls_config.c; set
 * by cfg/cfg_tls.c while parsing; read-only after init_tls().
 */
#ifndef TLS_TLS_CONFIG_H
#define TLS_TLS_CONFIG_H

#include <stddef.h>
#include <stdio.h>

extern int tls_disable;			/* disable_tls: -1 unset, 0, 1 */
/* tls_port_no is net/socket_info.h's sock_tls_default_port */
extern int tls_connection_lifetime;	/* idle seconds, 7200 */
extern int tls_handshake_timeout;	/* seconds */
extern int tls_send_timeout;		/* seconds */
extern int tls_client_domain_avp;	/* AVP id, 0 = disabled */
extern int tls_crlf_pingpong;		/* answer CRLFCRLF with CRLF, 1 */
extern int tls_crlf_drop;		/* drop a lone CRLF, 0 */
extern int tls_max_msg_chunks;		/* reads per message before closing, 4 */
extern int tls_max_memory;		/* OpenSSL memory per process, MB */

/* ---- the parameter table (cfg/cfg_tls.c sets values through it) ---- */

struct tls_domain;

/* where a parameter may be written */
#define TLS_PARAM_GLOBAL 1	/* one of the variables above; global only */
#define TLS_PARAM_SRV	 2	/* tls_server_domain blocks; as a global it
				   sets the default server domain */
#define TLS_PARAM_CLI	 4	/* tls_client_domain blocks; as a global it
				   sets the default client domain */

enum tls_param_type {
	TLS_PARAM_INT = 0,	/* number in min..max */
	TLS_PARAM_BOOL,		/* yes/no, on/off, true/false, 1/0 */
	TLS_PARAM_STR,		/* quoted string; "" means "none" */
	TLS_PARAM_METHOD,	/* tls_method: SSLv23, TLSv1_2, ranges */
};

struct tls_param {
	const char *name;
	enum tls_param_type type;
	int *var;		/* TLS_PARAM_GLOBAL: the variable */
	int where;		/* TLS_PARAM_* bits */
	long min, max;		/* TLS_PARAM_INT */
	size_t off;		/* domain parameters: offset in the domain */
};

const struct tls_param *tls_param_find(const char *name);
const struct tls_param *tls_param_table(int *n);
int tls_param_set(const struct tls_param *p, struct tls_domain *td,
    long num, const char *s, char *err, int errlen);
int tls_method_parse(const char *s, int *min, int *max, int *insecure,
    char *err, int errlen);
const char *tls_version_name(int version);
void tls_config_reset(void);
void tls_config_domain_defaults(struct tls_domain *td);

/* Print the TLS domain blocks of the last parse (`openser -c -v`).
 * Defined in cfg/cfg_tls.c in both builds (without TLS=1 there is nothing
 * to print); cfg/cfg_ctx.h would be its natural home. */
void cfg_tls_print(FILE *f);

#endif

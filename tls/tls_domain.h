/*
 * tls_domain.h: TLS domains.  Two defaults (server, client) exist before
 * the config is parsed; tls_server_domain[ip:port], tls_client_domain
 * [ip:port] and tls_client_domain["name"] blocks add virtual ones, which
 * inherit every global tls_* value they leave unset.  One SSL_CTX per
 * domain, built in the attendant before fork and inherited read-only.
 */
#ifndef TLS_TLS_DOMAIN_H
#define TLS_TLS_DOMAIN_H

#include <openssl/ssl.h>

#include "lib/ip_addr.h"
#include "lib/str.h"

enum tls_domain_type {
	TLS_DOMAIN_SRV = 1,
	TLS_DOMAIN_CLI = 2,
	TLS_DOMAIN_DEF = 4,	/* one of the two defaults */
	TLS_DOMAIN_NAME = 8,	/* client domain selected by name (AVP) */
};

/* config memory; built in the attendant, read-only after fork */
struct tls_domain {
	int type;		/* TLS_DOMAIN_* bits */
	int index;		/* 1.., unique; used as the connection's domain id */
	char *name;		/* "127.0.0.1:5061", "[::1]:5061", "example.net",
				   "default server", "default client" */
	struct ip_addr addr;	/* ip:port domains */
	unsigned short port;
	int min_version, max_version;	/* TLS1_2_VERSION ... */
	char *certificate, *private_key, *ca_list, *ca_dir;
	char *ciphers_list, *ciphersuites;
	int verify_cert;	/* tls_verify_client (srv) / tls_verify_server (cli) */
	int require_cert;	/* tls_require_client_certificate (srv) */
	int verify_depth;
	SSL_CTX *ctx;
	int cfg_line, cfg_col;	/* where its block starts; 0 for defaults */
	struct tls_domain *next;
};

int tls_domain_defaults_init(void);
int tls_domains_init(void);
void tls_domains_destroy(void);
struct tls_domain *tls_domain_find_server(const struct ip_addr *ip,
    unsigned short port);
struct tls_domain *tls_domain_find_client(const union sockaddr_union *dst);
struct tls_domain *tls_domain_find_client_name(const str *name);
struct tls_domain *tls_domain_by_index(int index);
struct tls_domain *tls_domain_list(void);

/* building domains (config time, attendant) */
struct tls_domain *tls_domain_default(int type);
struct tls_domain *tls_domain_add(int type, const char *key,
    struct tls_domain **dup, char *err, int errlen);
int tls_domain_parse_addr(const char *s, struct ip_addr *ip,
    unsigned short *port, char *err, int errlen);
void tls_domain_inherit(struct tls_domain *td);
int tls_domain_verify_mode(const struct tls_domain *td);
int tls_domain_load(struct tls_domain *td);

#endif

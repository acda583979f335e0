/*
 * tls_init.h: start-up and shutdown of the TLS subsystem (TLS=1 only).
 *   pre_init_tls()   before the config is parsed: OpenSSL memory hooks,
 *                    library init, counters, the two default domains
 *   init_tls()       after the config is checked, in the attendant before
 *                    fork: one SSL_CTX per domain, TLS transport registered
 *   tls_init(si)     per TLS listener: its server domain is usable
 *   destroy_tls()    at exit
 */
#ifndef TLS_TLS_INIT_H
#define TLS_TLS_INIT_H

#include <stddef.h>

struct socket_info;

int pre_init_tls(void);
int init_tls(void);
int tls_init(struct socket_info *si);
void destroy_tls(void);

int tls_mem_over_budget(void);
size_t tls_mem_used(void);

#endif

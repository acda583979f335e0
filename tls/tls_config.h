/*
 * tls_config.h: the global tls_* parameters (OpenSER 1.x names and
 * meaning, plus the later and modern ones).  Defined in tls_config.c; set
 * by cfg/cfg_tls.c while parsing; read-only after init_tls().
 */
#ifndef TLS_TLS_CONFIG_H
#define TLS_TLS_CONFIG_H

#include <stddef.h>

extern int tls_disable;			/* disable_tls: -1 unset, 0, 1 */
extern int tls_port_no;			/* default listen port, 5061 */
extern int tls_handshake_timeout;	/* seconds */
extern int tls_send_timeout;		/* seconds */
extern int tls_client_domain_avp;	/* AVP id, 0 = disabled */
extern int tls_crlf_pingpong;		/* answer CRLFCRLF with CRLF, 1 */
extern int tls_crlf_drop;		/* drop a lone CRLF, 0 */
extern int tls_max_msg_chunks;		/* reads per message before closing, 4 */
extern int tls_max_memory;		/* OpenSSL memory per process, MB */

#endif

/*
 * tls_server.h: the per-connection TLS state machine, run by the tcp
 * worker that owns the connection (net/transport.h ops).
 */
#ifndef TLS_TLS_SERVER_H
#define TLS_TLS_SERVER_H

#include "net/transport.h"

extern const struct stream_ops tls_stream_ops;

int tls_server_stats_register(void);

#endif

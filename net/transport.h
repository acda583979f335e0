/*
 * transport.h: the hook by which a secure stream transport (TLS) plugs
 * into the connection owner.  net/ never includes tls/: the TLS subsystem
 * registers its ops here at start-up and the owner calls them for every
 * connection of that protocol.  All ops run in the owning tcp worker.
 */
#ifndef NET_TRANSPORT_H
#define NET_TRANSPORT_H

#include "lib/ip_addr.h"

struct socket_info;

/* whether this binary can speak TLS at all (TLS=1) */
#ifdef USE_TLS
#define TRANSPORT_TLS_BUILT 1
#else
#define TRANSPORT_TLS_BUILT 0
#endif

enum tr_status {
	TR_OK = 0,	/* done / <*n> bytes moved */
	TR_AGAIN,	/* call again when the fd is ready for <*want> */
	TR_EOF,		/* peer closed cleanly */
	TR_ERROR,	/* fatal for the connection (already logged) */
};

/* what the owner knows about a connection when it sets up its layer */
struct tr_conn {
	unsigned int id;
	int fd;
	int server;			/* 1: accepted, 0: we connected */
	struct socket_info *local;
	union sockaddr_union remote;
	int cdom;			/* client side: TLS client domain index */
};

struct stream_ops {
	const char *name;
	int *handshake_timeout;		/* seconds */
	int *send_timeout;		/* seconds, instead of tcp_send_timeout */
	int *lifetime;			/* idle seconds, instead of
					   tcp_connection_lifetime */
	/* set up per-connection state in <*st>; 0 or -1 (logged) */
	int (*conn_init)(void **st, const struct tr_conn *tc);
	/* one handshake step; on TR_AGAIN <*want> is EPOLLIN or EPOLLOUT */
	enum tr_status (*handshake)(void *st, unsigned int *want);
	enum tr_status (*read)(void *st, char *buf, int len, int *n,
	    unsigned int *want);
	enum tr_status (*write)(void *st, const char *buf, int len, int *n,
	    unsigned int *want);
	/* 1 when the layer holds received data the socket no longer shows
	 * (epoll will not report it); NULL: never */
	int (*pending)(void *st);
	/* orderly shutdown attempt and release; the owner closes the fd */
	void (*conn_free)(void *st);
	/* the client domain index for a connection to <to>, given the one the
	 * sender asked for (0: by destination, else the default) */
	int (*client_domain)(const union sockaddr_union *to, int requested);
	/* client domain index named <name> (case-insensitive), 0 if none */
	int (*domain_by_name)(const str *name);
	int *client_domain_avp;		/* AVP id naming the client domain */
	int *crlf_pingpong;		/* answer CRLFCRLF with CRLF */
	int *max_msg_chunks;		/* reads per message, 0: unlimited */
};

int transport_register(enum sip_proto proto, const struct stream_ops *ops);
const struct stream_ops *transport_get(enum sip_proto proto);

#endif

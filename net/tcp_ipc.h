/*
 * tcp_ipc.h: the channels by which any process hands bytes to the tcp
 * worker that owns (or will open) a connection.  One datagram socketpair
 * per worker, made by the attendant before fork: every process writes to
 * a worker's channel, only that worker reads it.  A datagram is one whole
 * request, so several writers never interleave.  Sends never block: a full
 * channel is an error for the caller to log.
 */
#ifndef NET_TCP_IPC_H
#define NET_TCP_IPC_H

#include "lib/ip_addr.h"

struct socket_info;

enum tcp_ipc_type {
	TCP_IPC_SEND = 0,	/* send payload on conn_id, or to .to */
	TCP_IPC_CLOSE,		/* close conn_id */
};

/* the fixed part of a channel datagram; the payload follows */
struct tcp_ipc_hdr {
	enum tcp_ipc_type type;
	unsigned int conn_id;	/* 0: find or open a connection to .to */
	enum sip_proto proto;
	union sockaddr_union to;
	struct socket_info *local; /* preferred local socket, or NULL */
	int cdom;		/* TLS client domain, resolved by the sender */
	unsigned int len;
};

int tcp_ipc_init(int workers);
void tcp_ipc_child(int worker);
int tcp_ipc_fd(int worker);
int tcp_ipc_send(int worker, const struct tcp_ipc_hdr *h, const char *buf);
int tcp_ipc_workers(void);

#endif

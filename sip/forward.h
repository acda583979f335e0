/*
 * forward.h: stateless forwarding of requests and replies (RFC 3261 16.x
 * as far as a stateless proxy goes).  Called by the script's forward(),
 * forward_udp/_tcp(), send() and by core/receive.c for replies.
 */
#ifndef SIP_FORWARD_H
#define SIP_FORWARD_H

#include "lib/ip_addr.h"
#include "lib/str.h"
#include "parser/msg_parser.h"

/* A next hop given by the script.  proto PROTO_NONE and port 0 mean
 * "derive" (from the URI's transport param / scheme, and 5060/5061). */
struct fwd_dest {
	enum sip_proto proto;
	str host;
	unsigned short port;
};

int fwd_request(struct sip_msg *msg, const struct fwd_dest *dst);
int fwd_tls_client_domain(struct sip_msg *msg);
int fwd_dest_resolve(struct sip_msg *msg, const struct fwd_dest *given,
    const str *path, struct dest_info *dst);
int fwd_send_raw(struct sip_msg *msg, const struct fwd_dest *dst);
int fwd_reply(struct sip_msg *msg);

#endif

/*
 * net_send.c: one entry point for sending, whatever the transport.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/log.h"
#include "net/net_send.h"
#include "net/socket_info.h"
#include "net/tcp_owner.h"
#include "net/transport.h"
#include "net/udp.h"

/*
 * The local socket to send from: <hint> when it fits <proto> and the
 * address family of <to>, else the first socket that does, else NULL.
 */
struct socket_info *
net_pick_socket(enum sip_proto proto, const union sockaddr_union *to,
    struct socket_info *hint)
{
	if (hint != NULL && hint->proto == proto
	    && hint->address.af == to->s.sa_family)
		return hint;
	return sock_first(proto, to->s.sa_family);
}

/*
 * Send <len> bytes at <buf> to <dst>.  UDP goes out at once; TCP and TLS
 * are queued on the owning worker (see tcp_send()).  0 or -1 after
 * logging.
 */
int
net_send(const struct dest_info *dst, const char *buf, int len)
{
	struct socket_info *si;
	char p[SU_MAX_STR];

	switch (dst->proto) {
	case PROTO_UDP:
		si = net_pick_socket(PROTO_UDP, &dst->to, dst->send_sock);
		if (si == NULL) {
			if (su_to_str(&dst->to, p, sizeof(p)) < 0)
				(void)snprintf(p, sizeof(p), "?");
			LM_ERR("cannot send to udp:%s: no UDP listen socket of "
			    "that address family", p);
			return -1;
		}
		if (udp_send(si, &dst->to, buf, len) == -1) {
			if (su_to_str(&dst->to, p, sizeof(p)) < 0)
				(void)snprintf(p, sizeof(p), "?");
			LM_ERR_RL("sending %d bytes to udp:%s from %s failed: %s",
			    len, p, si->sock_str.s, strerror(errno));
			return -1;
		}
		return 0;
	case PROTO_TCP:
		return tcp_send(dst, buf, len);
	case PROTO_TLS:
		if (transport_get(PROTO_TLS) != NULL)
			return tcp_send(dst, buf, len);
		LM_ERR("cannot send over tls: TLS is not enabled (build with "
		    "TLS=1 and configure a listen = tls: socket)");
		return -1;
	case PROTO_NONE:
	case PROTO_SCTP:
		break;
	}
	LM_ERR("cannot send over %s: transport not supported",
	    proto_name(dst->proto));
	return -1;
}

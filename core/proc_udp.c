/*
 * proc_udp.c: a UDP receiver: one datagram at a time from its socket,
 * handed to receive_msg().
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "core/proc.h"
#include "core/receive.h"
#include "lib/log.h"
#include "net/socket_info.h"
#include "net/udp.h"
#include "parser/msg_parser.h"

/* Loop of a UDP receiver on <si> until asked to stop.  Never returns 0. */
void
proc_udp_loop(int rank, struct socket_info *si)
{
	static char buf[SIP_MSG_MAX_LEN + 1];
	struct receive_info ri;
	struct timeval tv = { 1, 0 };
	int n;

	/* wake up once a second to notice a stop request */
	(void)setsockopt(si->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (!proc_stop) {
		n = udp_recv(si, buf, sizeof(buf) - 1, &ri);
		if (n < 0) {
			if (errno != EINTR && errno != EAGAIN
			    && errno != EWOULDBLOCK && errno != ECONNREFUSED)
				LM_ERR_RL("udp %s: receive failed: %s",
				    si->sock_str.s, strerror(errno));
			continue;
		}
		if (n == 0)
			continue;
		buf[n] = '\0';
		/* keepalives and stray bytes are not worth a log line */
		if (n < 4 || (buf[0] == '\r' || buf[0] == '\n' || buf[0] == '\0'))
			continue;
		(void)receive_msg(buf, (unsigned int)n, &ri);
	}
}

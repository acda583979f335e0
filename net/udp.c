/*
 * udp.c: datagram receive and send on the listen sockets.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "net/socket_info.h"
#include "net/udp.h"

/*
 * Receive one datagram on <si> into <buf> (<size> bytes) and describe its
 * origin in <ri>.  Returns the length, 0 for an empty datagram, -1 with
 * errno set (EINTR and EAGAIN included).
 */
int
udp_recv(struct socket_info *si, char *buf, int size, struct receive_info *ri)
{
	socklen_t fl = sizeof(ri->src_su);
	ssize_t n;

	memset(ri, 0, sizeof(*ri));
	n = recvfrom(si->fd, buf, (size_t)size, 0, &ri->src_su.s, &fl);
	if (n < 0)
		return -1;
	su_to_ip(&ri->src_su, &ri->src_ip);
	ri->src_port = su_port(&ri->src_su);
	ri->dst_ip = si->address;
	ri->dst_port = si->port_no;
	ri->proto = PROTO_UDP;
	ri->bind_address = si;
	return (int)n;
}

/* Send <len> bytes from <si> to <to>.  0, or -1 with errno set. */
int
udp_send(struct socket_info *si, const union sockaddr_union *to,
    const char *buf, int len)
{
	ssize_t n;
	int tries;

	for (tries = 0; tries < 3; tries++) {
		n = sendto(si->fd, buf, (size_t)len, MSG_DONTWAIT, &to->s,
		    su_len(to));
		if (n == len)
			return 0;
		if (n < 0 && errno != EINTR)
			return -1;
	}
	return -1;
}

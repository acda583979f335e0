/*
 * udp.h: datagram receive and send on listen sockets.
 */
#ifndef NET_UDP_H
#define NET_UDP_H

#include "lib/ip_addr.h"

struct socket_info;

int udp_recv(struct socket_info *si, char *buf, int size,
    struct receive_info *ri);
int udp_send(struct socket_info *si, const union sockaddr_union *to,
    const char *buf, int len);

#endif

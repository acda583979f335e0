/*
 * net_send.h: send a message to a destination over whatever transport it
 * names.  Any process; never blocks.
 */
#ifndef NET_NET_SEND_H
#define NET_NET_SEND_H

#include "lib/ip_addr.h"

int net_send(const struct dest_info *dst, const char *buf, int len);
struct socket_info *net_pick_socket(enum sip_proto proto,
    const union sockaddr_union *to, struct socket_info *hint);

#endif

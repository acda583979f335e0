/*
 * resolve.h: host names and literals to socket addresses.
 */
#ifndef NET_RESOLVE_H
#define NET_RESOLVE_H

#include "lib/ip_addr.h"
#include "lib/str.h"

int resolve_host(const str *host, unsigned short port, union sockaddr_union *su);

#endif

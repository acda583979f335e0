/*
 * ip_addr.h: addresses, ports and protocols as plain data (no I/O).
 * struct receive_info and struct dest_info describe where a message came
 * from and where it goes; they only point at a struct socket_info (net/).
 */
#ifndef LIB_IP_ADDR_H
#define LIB_IP_ADDR_H

#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>

#include "lib/str.h"

enum sip_proto {
	PROTO_NONE = 0,
	PROTO_UDP,
	PROTO_TCP,
	PROTO_TLS,
	PROTO_SCTP,
};

#define IP_ADDR_MAX_STR 46 /* INET6_ADDRSTRLEN */
/* "[v6]:port" or "v4:port" plus NUL */
#define SU_MAX_STR	(IP_ADDR_MAX_STR + 8)

struct ip_addr {
	unsigned int af;	/* AF_INET or AF_INET6 */
	unsigned int len;	/* 4 or 16 */
	union {
		unsigned char addr[16];
		uint32_t addr32[4];
	} u;
};

union sockaddr_union {
	struct sockaddr s;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct sockaddr_storage ss;
};

struct socket_info;

/* Where a message came from: filled by the receiving transport. */
struct receive_info {
	struct ip_addr src_ip;
	struct ip_addr dst_ip;
	unsigned short src_port;
	unsigned short dst_port;
	enum sip_proto proto;
	unsigned int conn_id;		/* stream connection id, 0 for UDP */
	union sockaddr_union src_su;	/* src_ip:src_port as a sockaddr */
	struct socket_info *bind_address; /* the listen socket */
};

/* Where a message goes: filled by routing, consumed by net_send(). */
struct dest_info {
	enum sip_proto proto;
	unsigned int conn_id;		/* prefer this connection if alive */
	union sockaddr_union to;
	struct socket_info *send_sock;	/* NULL: pick one */
	int tls_cdom;			/* TLS client domain index, 0: by
					   destination, else the default */
};

const char *proto_name(enum sip_proto p);		/* "udp" ... */
const char *proto_name_upper(enum sip_proto p);	/* "UDP" ... */
int proto_parse(const str *s, enum sip_proto *p); /* case-insensitive */
unsigned short proto_default_port(enum sip_proto p);

int ip_addr_parse(const str *s, struct ip_addr *ip);	/* v4, v6, [v6] */
int ip_addr_eq(const struct ip_addr *a, const struct ip_addr *b);
int ip_addr_is_any(const struct ip_addr *ip);
int ip_addr_match_net(const struct ip_addr *ip, const struct ip_addr *net,
    unsigned int bits);
int ip_addr_to_str(const struct ip_addr *ip, char *buf, int size);

void su_from_ip(union sockaddr_union *su, const struct ip_addr *ip,
    unsigned short port);
void su_to_ip(const union sockaddr_union *su, struct ip_addr *ip);
unsigned short su_port(const union sockaddr_union *su);
void su_set_port(union sockaddr_union *su, unsigned short port);
socklen_t su_len(const union sockaddr_union *su);
int su_eq(const union sockaddr_union *a, const union sockaddr_union *b);
int su_to_str(const union sockaddr_union *su, char *buf, int size);

#endif

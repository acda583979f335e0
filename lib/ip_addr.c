/*
 * ip_addr.c: conversions and comparisons of addresses.  No logging.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <strings.h>

#include "lib/ip_addr.h"

static const struct {
	const char *lower, *upper;
	unsigned short port;
} protos[] = {
	[PROTO_NONE] = { "none", "NONE", 5060 },
	[PROTO_UDP] = { "udp", "UDP", 5060 },
	[PROTO_TCP] = { "tcp", "TCP", 5060 },
	[PROTO_TLS] = { "tls", "TLS", 5061 },
	[PROTO_SCTP] = { "sctp", "SCTP", 5060 },
};

/* Lower-case name of <p>. */
const char *
proto_name(enum sip_proto p)
{
	return (unsigned)p <= PROTO_SCTP ? protos[p].lower : "?";
}

/* Upper-case name of <p>, as in a Via. */
const char *
proto_name_upper(enum sip_proto p)
{
	return (unsigned)p <= PROTO_SCTP ? protos[p].upper : "?";
}

/* Parse "udp"/"tcp"/"tls"/"sctp" in any case.  0 or -1. */
int
proto_parse(const str *s, enum sip_proto *p)
{
	int i;

	for (i = PROTO_UDP; i <= PROTO_SCTP; i++)
		if (str_caseeq_cstr(s, protos[i].lower)) {
			*p = (enum sip_proto)i;
			return 0;
		}
	return -1;
}

/* 5060, or 5061 for TLS. */
unsigned short
proto_default_port(enum sip_proto p)
{
	return (unsigned)p <= PROTO_SCTP ? protos[p].port : 5060;
}

/*
 * Parse a literal IPv4 or IPv6 address, the latter optionally in
 * brackets.  Returns 0 and fills <ip>, or -1.
 */
int
ip_addr_parse(const str *s, struct ip_addr *ip)
{
	char buf[IP_ADDR_MAX_STR + 1];
	str in = *s;

	if (in.len >= 2 && in.s[0] == '[' && in.s[in.len - 1] == ']') {
		in.s++;
		in.len -= 2;
	}
	if (in.len <= 0 || in.len > IP_ADDR_MAX_STR)
		return -1;
	memcpy(buf, in.s, in.len);
	buf[in.len] = '\0';
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, buf, ip->u.addr) == 1) {
		ip->af = AF_INET;
		ip->len = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, ip->u.addr) == 1) {
		ip->af = AF_INET6;
		ip->len = 16;
		return 0;
	}
	return -1;
}

/* 1 when both are the same family and address. */
int
ip_addr_eq(const struct ip_addr *a, const struct ip_addr *b)
{
	return a->af == b->af && a->len == b->len
	    && memcmp(a->u.addr, b->u.addr, a->len) == 0;
}

/* 1 for 0.0.0.0 and ::. */
int
ip_addr_is_any(const struct ip_addr *ip)
{
	unsigned int i;

	for (i = 0; i < ip->len; i++)
		if (ip->u.addr[i] != 0)
			return 0;
	return 1;
}

/* 1 when the first <bits> bits of <ip> and <net> agree (same family). */
int
ip_addr_match_net(const struct ip_addr *ip, const struct ip_addr *net,
    unsigned int bits)
{
	unsigned int i, full;
	unsigned char mask;

	if (ip->af != net->af || bits > ip->len * 8)
		return 0;
	full = bits / 8;
	if (memcmp(ip->u.addr, net->u.addr, full) != 0)
		return 0;
	if (bits % 8 == 0)
		return 1;
	i = full;
	mask = (unsigned char)(0xff << (8 - bits % 8));
	return (ip->u.addr[i] & mask) == (net->u.addr[i] & mask);
}

/* Text form of <ip> (IPv6 without brackets) into <buf>.  Length or -1. */
int
ip_addr_to_str(const struct ip_addr *ip, char *buf, int size)
{
	if (inet_ntop((int)ip->af, ip->u.addr, buf, (socklen_t)size) == NULL)
		return -1;
	return (int)strlen(buf);
}

/* Build a sockaddr for <ip>:<port>. */
void
su_from_ip(union sockaddr_union *su, const struct ip_addr *ip,
    unsigned short port)
{
	memset(su, 0, sizeof(*su));
	if (ip->af == AF_INET6) {
		su->sin6.sin6_family = AF_INET6;
		memcpy(&su->sin6.sin6_addr, ip->u.addr, 16);
		su->sin6.sin6_port = htons(port);
	} else {
		su->sin.sin_family = AF_INET;
		memcpy(&su->sin.sin_addr, ip->u.addr, 4);
		su->sin.sin_port = htons(port);
	}
}

/* The address part of <su>. */
void
su_to_ip(const union sockaddr_union *su, struct ip_addr *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (su->s.sa_family == AF_INET6) {
		ip->af = AF_INET6;
		ip->len = 16;
		memcpy(ip->u.addr, &su->sin6.sin6_addr, 16);
	} else {
		ip->af = AF_INET;
		ip->len = 4;
		memcpy(ip->u.addr, &su->sin.sin_addr, 4);
	}
}

/* Port of <su> in host order. */
unsigned short
su_port(const union sockaddr_union *su)
{
	return ntohs(su->s.sa_family == AF_INET6 ? su->sin6.sin6_port
						 : su->sin.sin_port);
}

/* Set the port of <su> (host order). */
void
su_set_port(union sockaddr_union *su, unsigned short port)
{
	if (su->s.sa_family == AF_INET6)
		su->sin6.sin6_port = htons(port);
	else
		su->sin.sin_port = htons(port);
}

/* sizeof the concrete sockaddr in <su>. */
socklen_t
su_len(const union sockaddr_union *su)
{
	return su->s.sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
					   : sizeof(struct sockaddr_in);
}

/* 1 when family, address and port agree. */
int
su_eq(const union sockaddr_union *a, const union sockaddr_union *b)
{
	struct ip_addr ia, ib;

	if (a->s.sa_family != b->s.sa_family || su_port(a) != su_port(b))
		return 0;
	su_to_ip(a, &ia);
	su_to_ip(b, &ib);
	return ip_addr_eq(&ia, &ib);
}

/* "1.2.3.4:5060" or "[::1]:5060" into <buf>.  Length or -1. */
int
su_to_str(const union sockaddr_union *su, char *buf, int size)
{
	char ip[IP_ADDR_MAX_STR];
	struct ip_addr a;
	int n;

	su_to_ip(su, &a);
	if (ip_addr_to_str(&a, ip, sizeof(ip)) < 0)
		return -1;
	n = snprintf(buf, (size_t)size, a.af == AF_INET6 ? "[%s]:%u" : "%s:%u",
	    ip, su_port(su));
	return n < size ? n : -1;
}

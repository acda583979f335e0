/*
 * socket_info.c: listen sockets and aliases.  Built in the attendant from
 * the config, resolved and bound before fork; read-only afterwards.
 * Errors go to the caller's <err> buffer: the caller knows the context.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "net/net_cfg.h"
#include "net/resolve.h"
#include "net/socket_info.h"

struct sock_alias {
	enum sip_proto proto;	/* PROTO_NONE: any */
	char *host;
	unsigned short port;	/* 0: any */
	struct sock_alias *next;
};

struct socket_info *sock_list;
unsigned short sock_default_port = 5060;
int sock_tls_default_port = 5061;

static struct sock_alias *alias_list;

/* pending listen lines, resolved by sock_fix_all() */
struct sock_req {
	enum sip_proto proto;
	char *host;
	unsigned short port;
	struct sock_req *next;
};
static struct sock_req *req_list, **req_tail = &req_list;

/*
 * Record "listen = [proto:]host[:port]".  <port> 0 means the default port
 * of the protocol; PROTO_NONE means UDP and TCP.  Config time; 0 or -1.
 */
int
sock_listen_add(enum sip_proto proto, const char *host, unsigned short port,
    char *err, int errlen)
{
	struct sock_req *r;

	if (proto == PROTO_SCTP) {
		(void)snprintf(err, (size_t)errlen,
		    "listen: sctp is not supported; use udp, tcp or tls");
		return -1;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL
	    || (r->host = strdup(host)) == NULL) {
		free(r);
		(void)snprintf(err, (size_t)errlen, "listen: out of memory");
		return -1;
	}
	r->proto = proto;
	r->port = port;
	*req_tail = r;
	req_tail = &r->next;
	return 0;
}

/* Record "alias = [proto:]host[:port]".  Config time; 0 or -1. */
int
sock_alias_add(enum sip_proto proto, const char *host, unsigned short port)
{
	struct sock_alias *a;
	size_t n;

	if ((a = calloc(1, sizeof(*a))) == NULL
	    || (a->host = strdup(host)) == NULL) {
		free(a);
		return -1;
	}
	n = strlen(a->host);
	if (n > 2 && a->host[0] == '[' && a->host[n - 1] == ']') {
		memmove(a->host, a->host + 1, n - 2);
		a->host[n - 2] = '\0';
	}
	a->proto = proto;
	a->port = port;
	a->next = alias_list;
	alias_list = a;
	return 0;
}

/* The address of <host> (a literal or a name), for the alias list. */
static int
host_ip(const char *host, struct ip_addr *ip)
{
	union sockaddr_union su;
	str h = { (char *)(uintptr_t)host, (int)strlen(host) };

	if (resolve_host(&h, 0, &su) == -1)
		return -1;
	su_to_ip(&su, ip);
	return 0;
}

static char *
dup_port(unsigned int n)
{
	char buf[16];

	(void)snprintf(buf, sizeof(buf), "%u", n);
	return strdup(buf);
}

static int
sock_new(enum sip_proto proto, const char *name, const struct ip_addr *ip,
    unsigned short port, char *err, int errlen)
{
	struct socket_info *si, **tail;
	char a[IP_ADDR_MAX_STR + 2], txt[IP_ADDR_MAX_STR];

	if (sock_find(proto, ip, port) != NULL)
		return 0;	/* listed twice: one socket is enough */
	if ((si = calloc(1, sizeof(*si))) == NULL)
		goto oom;
	si->fd = -1;
	si->proto = proto;
	si->address = *ip;
	si->port_no = port;
	si->is_any = ip_addr_is_any(ip);
	(void)ip_addr_to_str(ip, txt, sizeof(txt));
	(void)snprintf(a, sizeof(a), ip->af == AF_INET6 ? "[%s]" : "%s", txt);
	si->address_str.s = strdup(a);
	si->name.s = strdup(name);
	si->port_no_str.s = dup_port(port);
	si->sock_str.s = malloc(strlen(a) + 16);
	if (si->address_str.s == NULL || si->name.s == NULL
	    || si->port_no_str.s == NULL || si->sock_str.s == NULL)
		goto oom;
	(void)sprintf(si->sock_str.s, "%s:%s:%u", proto_name(proto), a, port);
	si->address_str.len = (int)strlen(si->address_str.s);
	si->name.len = (int)strlen(si->name.s);
	si->port_no_str.len = (int)strlen(si->port_no_str.s);
	si->sock_str.len = (int)strlen(si->sock_str.s);
	su_from_ip(&si->su, ip, port);
	for (tail = &sock_list; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = si;
	return 0;
oom:
	(void)snprintf(err, (size_t)errlen, "listen %s: out of memory", name);
	return -1;
}

static int
add_protos(enum sip_proto proto, const char *name, const struct ip_addr *ip,
    unsigned short port, char *err, int errlen)
{
	if (proto == PROTO_NONE) {
		if (sock_new(PROTO_UDP, name, ip, port ? port : sock_default_port,
			err, errlen) == -1)
			return -1;
		if (tcp_disable)
			return 0;
		return sock_new(PROTO_TCP, name, ip,
		    port ? port : sock_default_port, err, errlen);
	}
	if (proto == PROTO_TCP && tcp_disable) {
		(void)snprintf(err, (size_t)errlen,
		    "listen tcp:%s: TCP is disabled (disable_tcp = yes); "
		    "remove the line or enable TCP", name);
		return -1;
	}
	if (port == 0)
		port = proto == PROTO_TLS ? (unsigned short)sock_tls_default_port
					  : sock_default_port;
	return sock_new(proto, name, ip, port, err, errlen);
}

static int
add_interfaces(char *err, int errlen)
{
	struct ifaddrs *ifa, *i;
	union sockaddr_union su;
	struct ip_addr ip;
	char txt[IP_ADDR_MAX_STR];

	if (getifaddrs(&ifa) == -1) {
		(void)snprintf(err, (size_t)errlen,
		    "no listen address configured and cannot list the "
		    "interfaces: %s; add a listen = line", strerror(errno));
		return -1;
	}
	for (i = ifa; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL || (i->ifa_addr->sa_family != AF_INET
		    && i->ifa_addr->sa_family != AF_INET6))
			continue;
		memset(&su, 0, sizeof(su));
		memcpy(&su, i->ifa_addr, i->ifa_addr->sa_family == AF_INET
		    ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
		if (su.s.sa_family == AF_INET6
		    && IN6_IS_ADDR_LINKLOCAL(&su.sin6.sin6_addr))
			continue;
		su_to_ip(&su, &ip);
		(void)ip_addr_to_str(&ip, txt, sizeof(txt));
		if (add_protos(PROTO_NONE, txt, &ip, 0, err, errlen) == -1) {
			freeifaddrs(ifa);
			return -1;
		}
	}
	freeifaddrs(ifa);
	return 0;
}

/*
 * Resolve every listen line into sockets (a hostname takes its first
 * address; no listen line at all means every interface address).
 * Attendant, after the config is parsed.  0, or -1 with <err> set.
 */
int
sock_fix_all(char *err, int errlen)
{
	struct sock_req *r;
	struct ip_addr ip;

	if (req_list == NULL)
		return add_interfaces(err, errlen);
	for (r = req_list; r != NULL; r = r->next) {
		if (host_ip(r->host, &ip) == -1) {
			(void)snprintf(err, (size_t)errlen,
			    "listen %s: cannot resolve the address; use an IP "
			    "address or a name in /etc/hosts", r->host);
			return -1;
		}
		if (add_protos(r->proto, r->host, &ip, r->port, err, errlen)
		    == -1)
			return -1;
	}
	return 0;
}

static int
open_one(struct socket_info *si, char *err, int errlen)
{
	int type = si->proto == PROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;
	int on = 1;

	si->fd = socket(si->su.s.sa_family, type | SOCK_CLOEXEC, 0);
	if (si->fd == -1)
		goto fail;
	if (setsockopt(si->fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1)
		goto fail;
	if (si->su.s.sa_family == AF_INET6 && setsockopt(si->fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof(on)) == -1)
		goto fail;
	if (bind(si->fd, &si->su.s, su_len(&si->su)) == -1)
		goto fail;
	if (type == SOCK_STREAM) {
		if (fcntl(si->fd, F_SETFL, O_NONBLOCK) == -1
		    || listen(si->fd, 1024) == -1)
			goto fail;
	}
	return 0;
fail:
	(void)snprintf(err, (size_t)errlen, "cannot open listen socket %s: %s",
	    si->sock_str.s, strerror(errno));
	if (si->fd != -1)
		(void)close(si->fd);
	si->fd = -1;
	return -1;
}

/* Bind (and listen on) every socket.  Attendant; 0 or -1 with <err>. */
int
sock_open_all(char *err, int errlen)
{
	struct socket_info *si;

	for (si = sock_list; si != NULL; si = si->next)
		if (open_one(si, err, errlen) == -1)
			return -1;
	return 0;
}

/* Close every listen socket (at exit, or in a child that needs none). */
void
sock_close_all(void)
{
	struct socket_info *si;

	for (si = sock_list; si != NULL; si = si->next)
		if (si->fd != -1) {
			(void)close(si->fd);
			si->fd = -1;
		}
}

/* The socket bound to <proto>:<ip>:<port>, or NULL. */
struct socket_info *
sock_find(enum sip_proto proto, const struct ip_addr *ip, unsigned short port)
{
	struct socket_info *si;

	for (si = sock_list; si != NULL; si = si->next)
		if (si->proto == proto && si->port_no == port
		    && ip_addr_eq(&si->address, ip))
			return si;
	return NULL;
}

/* The first socket of <proto> and address family <af> (0: any), or NULL. */
struct socket_info *
sock_first(enum sip_proto proto, unsigned int af)
{
	struct socket_info *si;

	for (si = sock_list; si != NULL; si = si->next)
		if (si->proto == proto && (af == 0 || si->address.af == af))
			return si;
	return NULL;
}

static int
port_matches(unsigned short want, unsigned short have, enum sip_proto proto)
{
	if (want == 0)
		want = proto == PROTO_TLS ? (unsigned short)sock_tls_default_port
					  : sock_default_port;
	return want == have;
}

/*
 * 1 when <host>:<port> over <proto> is this proxy: a listen address or an
 * alias.  <port> 0 means the default port; <proto> PROTO_NONE any protocol.
 */
int
sock_check_self(const str *host, unsigned short port, enum sip_proto proto)
{
	struct socket_info *si;
	struct sock_alias *a;
	struct ip_addr ip;
	int is_ip = ip_addr_parse(host, &ip) == 0;
	str h = *host;

	if (h.len > 2 && h.s[0] == '[') {
		h.s++;
		h.len -= 2;
	}
	for (si = sock_list; si != NULL; si = si->next) {
		if (proto != PROTO_NONE && si->proto != proto)
			continue;
		if (!port_matches(port, si->port_no, si->proto))
			continue;
		if (is_ip ? ip_addr_eq(&ip, &si->address)
			  : str_caseeq_cstr(&h, si->name.s))
			return 1;
	}
	for (a = alias_list; a != NULL; a = a->next) {
		if (a->proto != PROTO_NONE && proto != PROTO_NONE
		    && a->proto != proto)
			continue;
		if (a->port != 0 && !port_matches(port, a->port, proto))
			continue;
		if (str_caseeq_cstr(&h, a->host))
			return 1;
	}
	return 0;
}

/* 1 when <ip> (and <port> unless 0) is one of our listen addresses. */
int
sock_check_self_ip(const struct ip_addr *ip, unsigned short port,
    enum sip_proto proto)
{
	struct socket_info *si;

	for (si = sock_list; si != NULL; si = si->next)
		if ((proto == PROTO_NONE || si->proto == proto)
		    && (port == 0 || si->port_no == port)
		    && ip_addr_eq(ip, &si->address))
			return 1;
	return 0;
}

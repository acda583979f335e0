/*
 * socket_info.h: the listen sockets and aliases ("myself").
 *
 * The config adds listen addresses and aliases with sock_listen_add() and
 * sock_alias_add(); the attendant resolves and binds them (sock_open_all())
 * before forking.  Lists are built once, in the attendant, and only read
 * afterwards (config memory, inherited by every process).
 */
#ifndef NET_SOCKET_INFO_H
#define NET_SOCKET_INFO_H

#include "lib/ip_addr.h"
#include "lib/str.h"

/* config memory; one per listen socket */
struct socket_info {
	int fd;			/* UDP socket or TCP listen socket, -1 if none */
	enum sip_proto proto;
	struct ip_addr address;
	str address_str;	/* "127.0.0.1" or "[::1]" (brackets for v6) */
	unsigned short port_no;
	str port_no_str;
	str name;		/* as written in listen= */
	str sock_str;		/* "udp:127.0.0.1:5060" */
	union sockaddr_union su;
	int is_any;		/* bound to 0.0.0.0 / :: */
	str adv_address;	/* advertised_address, or empty */
	str adv_port_str;
	unsigned short adv_port;
	struct socket_info *next;
};

extern struct socket_info *sock_list;	/* every listen socket, in order */
extern unsigned short sock_default_port; /* "port" */
extern int sock_tls_default_port;	/* tls_port_no, 5061 */

int sock_listen_add(enum sip_proto proto, const char *host, unsigned short port,
    char *err, int errlen);
int sock_alias_add(enum sip_proto proto, const char *host, unsigned short port);
int sock_fix_all(char *err, int errlen);	/* resolve, default listens */
int sock_open_all(char *err, int errlen);	/* bind and listen */
void sock_close_all(void);

struct socket_info *sock_find(enum sip_proto proto, const struct ip_addr *ip,
    unsigned short port);
struct socket_info *sock_first(enum sip_proto proto, unsigned int af);
int sock_check_self(const str *host, unsigned short port, enum sip_proto proto);
int sock_check_self_ip(const struct ip_addr *ip, unsigned short port,
    enum sip_proto proto);

#endif

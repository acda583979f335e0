/*
 * resolve.c: A/AAAA resolution through the system resolver.  Literal
 * addresses never touch DNS.  (SRV and NAPTR, RFC 3263, are not done yet:
 * a name resolves to its first address with the port given or 5060/5061.)
 */
#include <netdb.h>
#include <string.h>

#include "net/resolve.h"

/*
 * Fill <su> with the address of <host> (IPv4, [IPv6] or a name) and
 * <port>.  0, or -1 when the name does not resolve.
 */
int
resolve_host(const str *host, unsigned short port, union sockaddr_union *su)
{
	struct addrinfo hints, *res;
	struct ip_addr ip;
	char name[256];

	if (ip_addr_parse(host, &ip) == 0) {
		su_from_ip(su, &ip, port);
		return 0;
	}
	if (host->len <= 0 || host->len >= (int)sizeof(name))
		return -1;
	memcpy(name, host->s, (size_t)host->len);
	name[host->len] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	if (getaddrinfo(name, NULL, &hints, &res) != 0 || res == NULL)
		return -1;
	memset(su, 0, sizeof(*su));
	memcpy(su, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	su_set_port(su, port);
	return 0;
}

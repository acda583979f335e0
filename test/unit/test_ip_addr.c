/*
 * Unit tests for lib/ip_addr.c.
 */
#include <string.h>

#include "lib/ip_addr.h"
#include "test/lib/tap.h"

int
main(void)
{
	char v4[] = "10.1.2.3", v6[] = "[2001:db8::1]", bad[] = "300.1.1.1";
	char net[] = "10.1.0.0", buf[SU_MAX_STR];
	struct ip_addr a, b, n;
	union sockaddr_union su;
	str s;

	plan(10);
	s = STR_BUF(v4);
	ok(ip_addr_parse(&s, &a) == 0 && a.af == AF_INET, "IPv4 parses");
	s = STR_BUF(v6);
	ok(ip_addr_parse(&s, &b) == 0 && b.af == AF_INET6, "[IPv6] parses");
	s = STR_BUF(bad);
	ok(ip_addr_parse(&s, &n) == -1, "300.1.1.1 rejected");
	s = STR_BUF(net);
	ok(ip_addr_parse(&s, &n) == 0, "net parses");
	ok(ip_addr_match_net(&a, &n, 16) == 1, "10.1.2.3 in 10.1/16");
	ok(ip_addr_match_net(&a, &n, 24) == 0, "10.1.2.3 not in 10.1.0/24");
	su_from_ip(&su, &b, 5061);
	ok(su_port(&su) == 5061, "port round trip");
	ok(su_to_str(&su, buf, sizeof(buf)) > 0
	    && strcmp(buf, "[2001:db8::1]:5061") == 0, "v6 sockaddr text");
	s.s = (char *)(uintptr_t)"TLS";
	s.len = 3;
	{
		enum sip_proto p;

		ok(proto_parse(&s, &p) == 0 && p == PROTO_TLS, "TLS proto");
	}
	ok(proto_default_port(PROTO_TLS) == 5061, "TLS default port");
	return done_testing();
}

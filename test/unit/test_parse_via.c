/*
 * Unit tests for parser/parse_via.c.  Output is TAP.
 */
#include "mem/pkg.h"
#include "parser/parse_via.h"
#include "test/lib/tap.h"

static void
test_tls_via(void)
{
	char buf[] = "SIP/2.0/TLS proxy.example.com:5061;branch=z9hG4bK7";
	str in = STR_BUF(buf);
	struct via_body vb;

	ok(parse_via(&in, &vb) == 0, "TLS via parses");
	ok(vb.proto == PROTO_TLS, "transport is TLS");
	is_str(&vb.transport, "TLS", "transport as written");
	is_str(&vb.host, "proxy.example.com", "host");
	is_int(vb.port, 5061, "port");
	ok(vb.branch != NULL, "branch found");
	if (vb.branch != NULL)
		is_str(&vb.branch->value, "z9hG4bK7", "branch value");
	else
		ok(0, "branch value");
	is_int(vb.bsize, (int)sizeof(buf) - 1, "bsize covers the body");
	ok(vb.next == NULL, "one body");
	via_body_free(&vb);
}

static void
test_params(void)
{
	char buf[] = "SIP/2.0/UDP 10.0.0.1;rport;received=10.0.0.2;"
	    "maddr=224.0.0.1;ttl=16;alias;i=5;foo=\"bar baz\";branch=z9hG4bKx";
	str in = STR_BUF(buf);
	struct via_body vb;
	struct via_param *vp;
	int n = 0;

	ok(parse_via(&in, &vb) == 0, "params parse");
	ok(vb.rport != NULL && vb.rport->value.len == 0, "rport without value");
	ok(vb.received != NULL, "received");
	if (vb.received != NULL)
		is_str(&vb.received->value, "10.0.0.2", "received value");
	else
		ok(0, "received value");
	ok(vb.maddr != NULL && vb.ttl != NULL && vb.alias != NULL,
	    "maddr, ttl, alias");
	for (vp = vb.param_lst; vp != NULL; vp = vp->next)
		n++;
	is_int(n, 8, "eight params in the list");
	ok(vb.param_lst != NULL && vb.param_lst->type == VIA_PARAM_RPORT,
	    "first param typed rport");
	/* start/size let a caller cut ";received=10.0.0.2" out exactly */
	vp = vb.received;
	ok(vp != NULL && vp->start[0] == ';' && vp->size == 18,
	    "param start/size span ';received=10.0.0.2'");
	is_str(&vb.params, "rport;received=10.0.0.2;maddr=224.0.0.1;ttl=16;"
	    "alias;i=5;foo=\"bar baz\";branch=z9hG4bKx", "params str");
	via_body_free(&vb);
}

static void
test_two_bodies(void)
{
	char buf[] = "SIP/2.0/UDP a.example.com;branch=z9hG4bK1 , "
	    "SIP/2.0/TCP [2001:db8::1]:5070;branch=z9hG4bK2;rport=5071";
	str in = STR_BUF(buf);
	struct via_body vb;

	ok(parse_via(&in, &vb) == 0, "two bodies parse");
	is_int(vb.bsize, 41, "first bsize stops before ' ,'");
	ok(vb.next != NULL, "second body chained");
	if (vb.next != NULL) {
		is_str(&vb.next->host, "[2001:db8::1]", "IPv6 host kept "
		    "with brackets");
		is_int(vb.next->port, 5070, "IPv6 port");
		ok(vb.next->proto == PROTO_TCP, "second is TCP");
		ok(vb.next->start == buf + 44, "second start");
		ok(vb.next->rport != NULL, "second rport");
	} else {
		ok(0, "IPv6 host");
		ok(0, "IPv6 port");
		ok(0, "second TCP");
		ok(0, "second start");
		ok(0, "second rport");
	}
	via_body_free(&vb);
}

static void
test_lws(void)
{
	char buf[] = "SIP  / 2.0  / TCP     spindle.example.com   ;\r\n"
	    "  branch  =   z9hG4bK9ikj8  ,\r\n SIP  /    2.0   / UDP  "
	    "192.168.255.111   ; branch=\r\n z9hG4bK30239";
	str in = STR_BUF(buf);
	struct via_body vb;

	ok(parse_via(&in, &vb) == 0, "folded LWS everywhere parses");
	is_str(&vb.host, "spindle.example.com", "host after LWS");
	ok(vb.branch != NULL && vb.next != NULL && vb.next->branch != NULL,
	    "both branches");
	if (vb.next != NULL && vb.next->branch != NULL)
		is_str(&vb.next->branch->value, "z9hG4bK30239",
		    "branch value after a fold");
	else
		ok(0, "branch after fold");
	via_body_free(&vb);
}

static void
test_rejects(void)
{
	static const char *bad[] = {
		"SIP/2.0/UDP a.example.com:65536;branch=z9hG4bK1",
		"SIP/2.0/UDP a.example.com:0",
		"SIP/2.0/UDP a.example.com:50x0",
		"SIP/2.0/UDP 192.0.2.15;;,;,,",
		"SIP/2.0/UDP a.example.com,",
		"SIP/2.0 a.example.com",
		"SIP/2.0/UDP",
		"SIP/2.0/UDP a..example.com",
		"SIP/2.0/UDP [::1",
		"SIP/2.0/UDP a.example.com;branch=",
		"SIP/2.0/UDP a.example.com;rport=x",
		"",
	};
	char buf[128];
	struct via_body vb;
	str in;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		in.len = (int)strlen(bad[i]);
		memcpy(buf, bad[i], (size_t)in.len);
		in.s = buf;
		ok(parse_via(&in, &vb) == -1 && vb.error, bad[i]);
	}
}

int
main(void)
{
	struct mem_stats st;

	plan(43);
	test_tls_via();
	test_params();
	test_two_bodies();
	test_lws();
	test_rejects();
	pkg_stats_get(&st);
	is_int(st.fragments, 0, "no pkg memory left behind");
	return done_testing();
}

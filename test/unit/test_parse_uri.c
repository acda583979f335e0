/*
 * Unit tests for parser/parse_uri.c.  Output is TAP.
 */
#include "parser/parse_uri.h"
#include "test/lib/tap.h"

static int
test_parse(const char *s, struct sip_uri *u, char *buf, size_t size)
{
	size_t n = strlen(s);

	if (n > size)
		return -2;
	memcpy(buf, s, n);	/* no NUL: the parser must stop at len */
	return parse_uri(buf, (int)n, u);
}

static void
test_full(void)
{
	char buf[] = "sips:alice:secret@atlanta.example.com:5061;transport=tcp;"
	    "lr;maddr=239.255.255.1;user=phone;ttl=15;method=INVITE;r2=on;"
	    "x=y?subject=project&priority=urgent";
	struct sip_uri u;
	str v;

	ok(parse_uri(buf, (int)sizeof(buf) - 1, &u) == 0, "full sips URI");
	ok(u.type == URI_SIPS, "type sips");
	is_str(&u.user, "alice", "user");
	is_str(&u.passwd, "secret", "password");
	is_str(&u.host, "atlanta.example.com", "host");
	is_str(&u.port, "5061", "port str");
	is_int(u.port_no, 5061, "port number");
	ok(u.proto == PROTO_TCP, "proto from transport=");
	is_str(&u.transport, "transport=tcp", "transport as written");
	is_str(&u.transport_val, "tcp", "transport value");
	is_str(&u.lr, "lr", "lr without value");
	is_int(u.lr_val.len, 0, "lr value empty");
	is_str(&u.maddr_val, "239.255.255.1", "maddr");
	is_str(&u.user_param_val, "phone", "user=");
	is_str(&u.ttl_val, "15", "ttl");
	is_str(&u.method_val, "INVITE", "method");
	is_str(&u.r2_val, "on", "r2");
	is_str(&u.headers, "subject=project&priority=urgent", "headers");
	ok(uri_param_find(&u, "X", &v) == 0, "uri_param_find any case");
	is_str(&v, "y", "found value");
	ok(uri_param_find(&u, "nope", &v) == -1, "missing param");
	is_int(u.host_is_ip, 0, "hostname is not an ip");
}

static void
test_hosts(void)
{
	char buf[128];
	struct sip_uri u;

	ok(test_parse("sip:[2001:db8::10]:5070", &u, buf, sizeof(buf)) == 0,
	    "IPv6 reference");
	is_str(&u.host, "[2001:db8::10]", "IPv6 keeps brackets");
	ok(u.host_is_ip && u.port_no == 5070, "IPv6 is ip, port");
	ok(test_parse("sip:10.0.0.1", &u, buf, sizeof(buf)) == 0
	    && u.host_is_ip, "IPv4");
	ok(test_parse("SIP:Bob@Example.COM.", &u, buf, sizeof(buf)) == 0,
	    "scheme any case, trailing dot");
	ok(test_parse("sip:%61lice@example.com", &u, buf, sizeof(buf)) == 0,
	    "escaped user");
	ok(test_parse("sip:user;par=u%40example.net@example.com", &u, buf,
	    sizeof(buf)) == 0, "semicolon in user (semiuri)");
	is_str(&u.user, "user;par=u%40example.net", "user keeps ;par");
	ok(test_parse("sip:lr@example.com;lr=on", &u, buf, sizeof(buf)) == 0,
	    "lr with value");
	is_str(&u.lr_val, "on", "lr value");
	ok(test_parse("tel:+1-201-555-0123;phone-context=example.com", &u,
	    buf, sizeof(buf)) == 0 && u.type == URI_TEL, "tel URI");
	is_str(&u.user, "+1-201-555-0123", "tel number");
	ok(test_parse("sip:example.com:65535", &u, buf, sizeof(buf)) == 0,
	    "port 65535");
	/* fuzz: uri_param_find did NULL + 0 on a URI without parameters */
	ok(uri_param_find(&u, "lr", &(str){ NULL, 0 }) == -1,
	    "param lookup without params");
}

static void
test_rejects(void)
{
	static const char *bad[] = {
		"", "sip:", "sip:@example.com", "sip:user@", "sip:host:65536",
		"sip:host:", "sip:host:5o60", "sip:host:0",
		"http://example.com",
		"<sip:user@example.com>", "sip:user@exa mple.com",
		"sip:user@example.com;", "sip:user@example.com;lr=",
		"sip:us%zzer@example.com", "sip:user@-example.com",
		"sip:user@example.com?", "sip:user@256.1.1.1", "sip:[::1",
		"sip:[1.2.3.4]", "sip:user\"x@example.com", "tel:",
		"sip:user@example..com", "sip:user@1example.com.2",
	};
	char buf[128];
	struct sip_uri u;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(test_parse(bad[i], &u, buf, sizeof(buf)) == -1, bad[i]);
	ok(parse_uri(NULL, 0, &u) == -1 && u.type == URI_ERROR, "NULL");
}

/* the 416-or-400 decision for a Request-URI parse_uri() refused */
static void
test_absolute(void)
{
	static const struct {
		const char *uri, *scheme;
	} t[] = {
		{ "nobodyKnowsThisScheme:totallyopaquecontent",
		    "nobodyKnowsThisScheme" },
		{ "soap.beep://192.0.2.103:3002", "soap.beep" },
		{ "http://example.com/a?b=c", "http" },
		{ "sip:user@exa mple.com", NULL },
		{ "<sip:user@example.com>", NULL },
		{ "1abc:x", NULL },
		{ "abc:", NULL },
		{ "abc", NULL },
		{ "x-y+z.w:%41", "x-y+z.w" },
		{ "a:%zz", NULL },
	};
	char buf[128];
	str sch;
	size_t i;
	int r;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		(void)snprintf(buf, sizeof(buf), "%s", t[i].uri);
		r = parse_uri_is_absolute(buf, (int)strlen(buf), &sch);
		if (t[i].scheme == NULL)
			ok(r == 0, t[i].uri);
		else
			ok(r == 1 && sch.len == (int)strlen(t[i].scheme)
			    && memcmp(sch.s, t[i].scheme, (size_t)sch.len) == 0,
			    t[i].uri);
	}
}

int
main(void)
{
	plan(70);
	test_full();
	test_hosts();
	test_rejects();
	test_absolute();
	return done_testing();
}

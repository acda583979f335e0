/*
 * Unit tests for tls/tls_domain.c and tls/tls_config.c (TLS=1 builds
 * only): the parameter table, tls_method parsing, the verify mode table
 * (reference 3.3), domains built through the config parser, inheritance,
 * lookups by ip:port (IPv4 and IPv6) and by name, and contexts built from
 * certificates made at test time with the openssl command (no key
 * material is committed).  Output is TAP.
 */
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg/cfg.h"
#include "lib/log.h"
#include "mem/pkg.h"
#include "net/socket_info.h"
#include "test/lib/tap.h"
#include "tls/tls_config.h"
#include "tls/tls_domain.h"

static char dir[] = "/tmp/test_tls_domainXXXXXX";

static void
test_table(void)
{
	const struct tls_param *p;
	int i, n, sorted = 1, found = 1;

	p = tls_param_table(&n);
	for (i = 1; i < n; i++)
		if (strcmp(p[i - 1].name, p[i].name) >= 0)
			sorted = 0;
	for (i = 0; i < n; i++)
		if (tls_param_find(p[i].name) != &p[i])
			found = 0;
	ok(sorted, "TLS parameter table is sorted");
	ok(found, "every TLS parameter is found by name");
	ok(tls_param_find("tls_verify") == NULL, "1.0 names are not rows");
	ok(tls_param_find("tls_verify_client")->where == TLS_PARAM_SRV,
	    "tls_verify_client: server blocks only");
	ok(tls_param_find("tls_verify_server")->where == TLS_PARAM_CLI,
	    "tls_verify_server: client blocks only");
	ok(tls_param_find("tls_send_timeout")->where == TLS_PARAM_GLOBAL,
	    "tls_send_timeout: global only");
}

/* "lo-hi" as parsed, or "error" */
static int
method_is(const char *s, int lo, int hi, int insecure)
{
	int min, max, ins;
	char err[300];

	if (tls_method_parse(s, &min, &max, &ins, err, (int)sizeof(err)) == -1)
		return lo == -1;
	return min == lo && max == hi && ins == insecure;
}

static void
test_method(void)
{
	int min, max, ins;
	char err[300];

	ok(method_is("SSLv23", TLS1_2_VERSION, TLS1_3_VERSION, 0),
	    "SSLv23 is TLS 1.2..1.3");
	ok(method_is("sslv23", TLS1_2_VERSION, TLS1_3_VERSION, 0),
	    "any case");
	ok(method_is("TLSv1_2", TLS1_2_VERSION, TLS1_2_VERSION, 0),
	    "TLSv1_2 is exactly TLS 1.2");
	ok(method_is("TLSv1_3", TLS1_3_VERSION, TLS1_3_VERSION, 0),
	    "TLSv1_3");
	ok(method_is("TLSv1.2", TLS1_2_VERSION, TLS1_2_VERSION, 0),
	    "TLSv1.2 spelling");
	ok(method_is("TLSv1_2-TLSv1_3", TLS1_2_VERSION, TLS1_3_VERSION, 0),
	    "range");
	ok(method_is("TLSv1_2-", TLS1_2_VERSION, TLS1_3_VERSION, 0),
	    "open upper end");
	ok(method_is("-TLSv1_1", TLS1_VERSION, TLS1_1_VERSION, 1),
	    "open lower end is insecure");
	ok(method_is("TLSv1", TLS1_VERSION, TLS1_VERSION, 1),
	    "TLSv1 accepted, flagged insecure");
	ok(method_is("TLSv1_1", TLS1_1_VERSION, TLS1_1_VERSION, 1),
	    "TLSv1_1 accepted, flagged insecure");
	ok(method_is("TLSv1_3-TLSv1_2", -1, 0, 0), "inverted range refused");
	ok(method_is("TLSv4", -1, 0, 0), "unknown name refused");
	ok(method_is("", -1, 0, 0), "empty refused");
	ok(tls_method_parse("SSLv3", &min, &max, &ins, err, (int)sizeof(err))
		== -1
	    && strstr(err, "SSLv3") != NULL && strstr(err, "SSLv23") != NULL,
	    "SSLv3 refused, naming what to use instead");
	ok(tls_method_parse("SSLv2", &min, &max, &ins, err, (int)sizeof(err))
		== -1 && strstr(err, "TLSv1_2") != NULL, "SSLv2 refused");
	ok(tls_method_parse("SSLv3-TLSv1_3", &min, &max, &ins, err,
	    (int)sizeof(err)) == -1, "SSLv3 refused inside a range");
}

static int
mode_of(int type, int verify, int require)
{
	struct tls_domain td;

	memset(&td, 0, sizeof(td));
	td.type = type;
	td.verify_cert = verify;
	td.require_cert = require;
	return tls_domain_verify_mode(&td);
}

static void
test_verify_mode(void)
{
	is_int(mode_of(TLS_DOMAIN_SRV, 0, 0), SSL_VERIFY_NONE,
	    "server verify 0: NONE");
	is_int(mode_of(TLS_DOMAIN_SRV, 0, 1), SSL_VERIFY_NONE,
	    "server verify 0 require 1: NONE (require ignored)");
	is_int(mode_of(TLS_DOMAIN_SRV, 1, 0), SSL_VERIFY_PEER,
	    "server verify 1 require 0: PEER");
	is_int(mode_of(TLS_DOMAIN_SRV, 1, 1),
	    SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
	    "server verify 1 require 1: PEER|FAIL_IF_NO_PEER_CERT");
	is_int(mode_of(TLS_DOMAIN_CLI, 1, 1), SSL_VERIFY_PEER,
	    "client verify 1: PEER");
	is_int(mode_of(TLS_DOMAIN_CLI, 0, 1), SSL_VERIFY_NONE,
	    "client verify 0: NONE");
}

static const char cfg_text[] =
    "tls_method = TLSv1_3\n"
    "tls_certificate = \"/g/cert.pem\"\n"
    "tls_private_key = \"/g/key.pem\"\n"
    "tls_ca_list = \"/g/ca.pem\"\n"
    "tls_verify_client = no\n"
    "tls_verify_server = no\n"
    "tls_verify_depth = 3\n"
    "tls_port_no = 6061\n"
    "tls_server_domain[10.0.0.1:5061] {\n"
    "	tls_certificate = \"/a/cert.pem\"\n"
    "	tls_private_key = \"/a/key.pem\"\n"
    "	tls_method = SSLv23\n"
    "	tls_ca_list = \"\"\n"
    "}\n"
    "tls_server_domain[[2001:db8::1]:5061] { tls_verify_client = 1 }\n"
    "tls_client_domain[10.0.0.1:5061] { tls_verify_server = 1 }\n"
    "tls_client_domain[\"Example.NET\"] { tls_verify_depth = 1 }\n";

static int
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	(void)fputs(text, f);
	return fclose(f);
}

static struct tls_domain *
by_index_name(const char *name)
{
	struct tls_domain *td;

	for (td = tls_domain_list(); td != NULL; td = td->next)
		if (strcmp(td->name, name) == 0)
			return td;
	return NULL;
}

static int
streq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static void
test_parse_inherit(void)
{
	struct tls_domain *srv4, *srv6, *cli4, *name, *dsrv, *dcli, *td;
	char path[300];
	int i, uniq = 1;

	(void)snprintf(path, sizeof(path), "%s/tls.cfg", dir);
	ok(tls_domain_defaults_init() == 0 && write_file(path, cfg_text) == 0,
	    "defaults and config file");
	is_int(cfg_parse_file(path), 0, "TLS config parses without errors");
	is_int(sock_tls_default_port, 6061, "tls_port_no");
	dsrv = tls_domain_default(TLS_DOMAIN_SRV);
	dcli = tls_domain_default(TLS_DOMAIN_CLI);
	srv4 = by_index_name("10.0.0.1:5061");
	srv6 = by_index_name("[2001:db8::1]:5061");
	name = by_index_name("Example.NET");
	cli4 = srv4 != NULL && srv4->next != NULL ? srv4->next->next : NULL;
	ok(dsrv != NULL && dsrv->index == 1 && dcli != NULL
	    && dcli->index == 2, "defaults are 1 and 2");
	ok(srv4 && srv6 && cli4 && name && (cli4->type & TLS_DOMAIN_CLI)
	    && !(cli4->type & TLS_DOMAIN_NAME) && (name->type & TLS_DOMAIN_NAME),
	    "four virtual domains of the right kinds");
	if (!srv4 || !srv6 || !cli4 || !name || !dsrv || !dcli)
		return;
	for (td = tls_domain_list(), i = 1; td != NULL; td = td->next, i++)
		if (td->index != i || tls_domain_by_index(i) != td)
			uniq = 0;
	ok(uniq && i == 7, "indexes 1..6, found by tls_domain_by_index");
	ok(dsrv->min_version == TLS1_3_VERSION && dcli->min_version
	    == TLS1_3_VERSION, "global tls_method sets both defaults");
	ok(dsrv->verify_cert == 0 && dcli->verify_cert == 0,
	    "tls_verify_client/server set their default domain");
	ok(srv6->min_version == 0 && srv6->certificate == NULL
	    && srv6->verify_depth == -1 && srv4->verify_cert == -1
	    && streq(srv4->ca_list, ""),
	    "before init a block holds only what it set");
	for (td = tls_domain_list(); td != NULL; td = td->next)
		tls_domain_inherit(td);
	ok(srv4->min_version == TLS1_2_VERSION
	    && srv4->max_version == TLS1_3_VERSION, "own tls_method kept");
	ok(streq(srv4->certificate, "/a/cert.pem")
	    && streq(srv4->ca_list, ""), "own files kept; \"\" overrides");
	ok(srv4->verify_cert == 0 && srv4->require_cert == 1
	    && srv4->verify_depth == 3, "unset values inherited from globals");
	ok(srv6->min_version == TLS1_3_VERSION && srv6->verify_cert == 1
	    && streq(srv6->certificate, "/g/cert.pem")
	    && streq(srv6->ca_list, "/g/ca.pem"),
	    "IPv6 server domain inherits global method and files");
	ok(cli4->verify_cert == 1 && streq(cli4->private_key, "/g/key.pem"),
	    "client domain: own tls_verify_server, global key");
	ok(name->verify_cert == 0 && name->verify_depth == 1
	    && name->require_cert == 0, "name domain inherits verify_server");
	cfg_destroy();
}

static void
test_lookups(void)
{
	struct tls_domain *dsrv = tls_domain_default(TLS_DOMAIN_SRV);
	struct tls_domain *dcli = tls_domain_default(TLS_DOMAIN_CLI);
	union sockaddr_union su;
	struct ip_addr ip;
	char n1[] = "example.net", n2[] = "EXAMPLE.net", n3[] = "example";
	str s1 = { n1, 11 }, s2 = { n2, 11 }, s3 = { n3, 7 };
	str a4 = { (char *)(size_t)"10.0.0.1", 8 };
	str a6 = { (char *)(size_t)"2001:db8:0::1", 13 };

	ok(ip_addr_parse(&a4, &ip) == 0, "parse 10.0.0.1");
	ok(tls_domain_find_server(&ip, 5061) == by_index_name("10.0.0.1:5061"),
	    "server lookup by IPv4 ip:port");
	ok(tls_domain_find_server(&ip, 5062) == dsrv,
	    "other port: default server domain");
	su_from_ip(&su, &ip, 5061);
	ok(tls_domain_find_client(&su) != NULL
	    && tls_domain_find_client(&su)->type == TLS_DOMAIN_CLI
	    && tls_domain_find_client(&su)->port == 5061,
	    "client lookup by destination ip:port");
	su_from_ip(&su, &ip, 5070);
	ok(tls_domain_find_client(&su) == dcli, "else the default client");
	ok(ip_addr_parse(&a6, &ip) == 0, "parse 2001:db8:0::1");
	ok(tls_domain_find_server(&ip, 5061)
	    == by_index_name("[2001:db8::1]:5061"),
	    "server lookup by IPv6 ip:port (any spelling)");
	su_from_ip(&su, &ip, 5061);
	ok(tls_domain_find_client(&su) == dcli,
	    "no IPv6 client domain: default client");
	ok(tls_domain_find_client_name(&s1) == by_index_name("Example.NET")
	    && tls_domain_find_client_name(&s2) == by_index_name("Example.NET"),
	    "name lookup is case-insensitive");
	ok(tls_domain_find_client_name(&s3) == NULL, "unknown name: NULL");
	ok(tls_domain_by_index(99) == NULL, "unknown index: NULL");
}

static void
test_add_errors(void)
{
	struct tls_domain *dup;
	char err[300];

	ok(tls_domain_add(TLS_DOMAIN_SRV, "sip.example.com:5061", &dup, err,
	    (int)sizeof(err)) == NULL && strstr(err, "hostname") != NULL,
	    "hostname refused");
	ok(tls_domain_add(TLS_DOMAIN_SRV, "10.0.0.1", &dup, err,
	    (int)sizeof(err)) == NULL && strstr(err, "port") != NULL,
	    "missing port refused");
	ok(tls_domain_add(TLS_DOMAIN_SRV, "::1:5061", &dup, err,
	    (int)sizeof(err)) == NULL && strstr(err, "brackets") != NULL,
	    "IPv6 without brackets refused");
	ok(tls_domain_add(TLS_DOMAIN_SRV, "10.0.0.1:5061", &dup, err,
	    (int)sizeof(err)) == NULL && dup == by_index_name("10.0.0.1:5061"),
	    "duplicate server domain names the first");
	ok(tls_domain_add(TLS_DOMAIN_CLI | TLS_DOMAIN_NAME, "EXAMPLE.net", &dup,
	    err, (int)sizeof(err)) == NULL && dup != NULL,
	    "duplicate name, any case");
}

/* ---- contexts from certificates made now ---------------------------- */

static int
run(const char *cmd)
{
	return system(cmd) == 0 ? 0 : -1;
}

#define REQ	"openssl req -x509 -nodes -days 1 >/dev/null 2>&1 "
#define EC	"-newkey ec -pkeyopt ec_paramgen_curve:P-256 "

static int
make_certs(void)
{
	char cmd[1024];

	(void)snprintf(cmd, sizeof(cmd),
	    "cd %s && " REQ EC "-subj /CN=test -keyout ok.key -out ok.pem"
	    " && " REQ "-newkey rsa:1024 -subj /CN=weak -keyout weak.key "
	    "-out weak.pem && " REQ EC "-subj /CN=other -keyout other.key "
	    "-out other.pem && openssl pkey -in ok.key -aes256 -passout "
	    "pass:x -out enc.key && chmod 600 enc.key && cp ok.key open.key "
	    "&& chmod 644 open.key", dir);
	return run(cmd);
}

/* a fresh domain using files of <dir> (NULL: none) */
static struct tls_domain *
domain(int type, const char *cert, const char *key, const char *ca,
    int verify)
{
	static int port = 7000;
	struct tls_domain *td, *dup;
	char path[300], err[300], key_s[40];

	(void)snprintf(key_s, sizeof(key_s), "127.0.0.2:%d", ++port);
	if ((td = tls_domain_add(type, key_s, &dup, err, (int)sizeof(err)))
	    == NULL)
		return NULL;
	/* "" = none: do not inherit the global files of the parse test */
	(void)snprintf(path, sizeof(path), "%s/%s", dir, cert);
	td->certificate = strdup(cert != NULL ? path : "");
	(void)snprintf(path, sizeof(path), "%s/%s", dir, key);
	td->private_key = strdup(key != NULL ? path : "");
	(void)snprintf(path, sizeof(path), "%s/%s", dir, ca);
	td->ca_list = strdup(ca != NULL ? path : "");
	td->verify_cert = verify;
	tls_domain_inherit(td);
	return td;
}

static void
test_contexts(void)
{
	struct tls_domain *td;

	if (make_certs() == -1) {
		ok(0, "openssl made the test certificates");
		return;
	}
	ok(1, "openssl made the test certificates");
	/* no terminal: an encrypted key must fail, not hang on a prompt */
	if (freopen("/dev/null", "r", stdin) == NULL)
		perror("/dev/null");
	td = domain(TLS_DOMAIN_SRV, "ok.pem", "ok.key", "ok.pem", 1);
	td->require_cert = 0;
	ok(td != NULL && tls_domain_load(td) == 0 && td->ctx != NULL,
	    "server context from a good certificate and key");
	if (td != NULL && td->ctx != NULL) {
		is_int(SSL_CTX_get_verify_mode(td->ctx), SSL_VERIFY_PEER,
		    "verify mode applied");
		is_int(SSL_CTX_get_min_proto_version(td->ctx), TLS1_3_VERSION,
		    "inherited min version applied");
		ok(SSL_CTX_get_client_CA_list(td->ctx) != NULL
		    && sk_X509_NAME_num(SSL_CTX_get_client_CA_list(td->ctx)) == 1,
		    "CA names sent to clients");
		ok((SSL_CTX_get_options(td->ctx) & SSL_OP_NO_RENEGOTIATION)
		    && (SSL_CTX_get_mode(td->ctx) & SSL_MODE_RELEASE_BUFFERS),
		    "options and modes");
	}
	td = domain(TLS_DOMAIN_CLI, NULL, NULL, NULL, 0);
	ok(td != NULL && tls_domain_load(td) == 0, "client without cert");
	td = domain(TLS_DOMAIN_CLI, NULL, NULL, NULL, 1);
	ok(td != NULL && tls_domain_load(td) == -1 && td->ctx == NULL,
	    "verification without a CA refused");
	td = domain(TLS_DOMAIN_SRV, "weak.pem", "weak.key", NULL, 0);
	ok(td != NULL && tls_domain_load(td) == -1, "RSA 1024 refused");
	td = domain(TLS_DOMAIN_SRV, "ok.pem", "other.key", NULL, 0);
	ok(td != NULL && tls_domain_load(td) == -1, "mismatched key refused");
	td = domain(TLS_DOMAIN_SRV, "ok.pem", "open.key", NULL, 0);
	ok(td != NULL && tls_domain_load(td) == -1,
	    "world-readable key refused");
	td = domain(TLS_DOMAIN_SRV, "ok.pem", "enc.key", NULL, 0);
	ok(td != NULL && tls_domain_load(td) == -1,
	    "encrypted key without a terminal refused");
	td = domain(TLS_DOMAIN_SRV, "missing.pem", "ok.key", NULL, 0);
	ok(td != NULL && tls_domain_load(td) == -1, "missing file refused");
	td = domain(TLS_DOMAIN_SRV, "ok.pem", "ok.key", NULL, 0);
	td->ciphers_list = strdup("NO-SUCH-CIPHER");
	ok(tls_domain_load(td) == -1, "bad cipher list refused");
}

static void
test_init(void)
{
	char err[200];
	int n = 0;
	struct socket_info *si;

	ok(tls_domain_defaults_init() == 0, "fresh defaults");
	tls_config_reset();
	ok(tls_domains_init() == 0 && tls_disable == 1,
	    "no TLS listener and disable_tls unset: TLS off");
	tls_config_reset();
	ok(sock_listen_add(PROTO_TLS, "127.0.0.1", 15399, err,
	    (int)sizeof(err)) == 0 && sock_fix_all(err, (int)sizeof(err)) == 0,
	    "a TLS listener");
	ok(tls_domains_init() == -1 && tls_disable == 0,
	    "TLS listener turns TLS on; no certificate is an error");
	tls_disable = 1;
	ok(tls_domains_init() == 0, "disable_tls = 1");
	for (si = sock_list; si != NULL; si = si->next)
		n += si->proto == PROTO_TLS;
	is_int(n, 0, "disable_tls = 1 drops the TLS listeners");
}

int
main(void)
{
	char cmd[400];

	plan(79);
	(void)pkg_init(1 << 20);
	log_stderr = 1;
	log_level = L_CRIT;	/* the failures below are expected */
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_table();
	test_method();
	test_verify_mode();
	test_parse_inherit();
	test_lookups();
	test_add_errors();
	test_contexts();
	test_init();
	tls_domains_destroy();
	tls_config_reset();
	(void)snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (run(cmd) == -1)
		perror(cmd);
	return done_testing();
}

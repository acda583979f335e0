/*
 * Unit tests for cfg/cfg_core.c (the core parameter table) and the sorted
 * tables the config language relies on (scanner keywords, core actions,
 * which are searched with bsearch()).  Also parses a small config from a
 * file and checks where the values land.  Output is TAP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg/cfg.h"
#include "cfg/cfg_core.h"
#include "cfg/cfg_ctx.h"
#include "lib/log.h"
#include "mem/pkg.h"
#include "net/net_cfg.h"
#include "net/socket_info.h"
#include "script/route_struct.h"
#include "sip/sip_cfg.h"
#include "test/lib/tap.h"

static void
test_tables_sorted(void)
{
	const struct cfg_param *p;
	const struct act_core *c;
	int i, n, sorted = 1;

	p = cfg_core_table(&n);
	for (i = 1; i < n; i++)
		if (strcmp(p[i - 1].name, p[i].name) >= 0)
			sorted = 0;
	ok(sorted, "core parameter table is sorted");
	c = act_core_table(&n);
	for (sorted = 1, i = 1; i < n; i++)
		if (strcmp(c[i - 1].name, c[i].name) >= 0)
			sorted = 0;
	ok(sorted, "core action table is sorted");
	ok(cfg_lex_keywords_sorted(), "scanner keyword table is sorted");
}

static void
test_lookups(void)
{
	const struct cfg_param *p;
	int i, n, found = 1;

	p = cfg_core_table(&n);
	for (i = 0; i < n; i++)
		if (cfg_core_find(p[i].name) != &p[i])
			found = 0;
	ok(found, "every parameter is found by name");
	ok(cfg_core_find("childrn") == NULL, "unknown name is not found");
	ok(cfg_core_find("debug")->var == cfg_core_find("log_level")->var,
	    "debug and log_level are one variable");
	ok(cfg_core_find("user")->var == cfg_core_find("uid")->var,
	    "user and uid are one variable");
	ok(act_core_find("seturi") != NULL && act_core_find("setuser") != NULL,
	    "neighbouring actions are both found");
	ok(act_core_find("t_relay") == NULL, "module commands are not core");
}

static const char cfg_text[] =
    "debug = 4\n"
    "fork = no\n"
    "children = 3\n"
    "tcp_children = 5;\n"
    "disable_tcp = yes\n"
    "tcp_send_timeout = 7\n"
    "check_via = on\n"
    "server_header = \"Server: unit\"\n"
    "user = nobody\n"
    "gid = 100\n"
    "port = 15200\n"
    "route { if (uri =~ \"^sip:\") { drop; } }\n"
    "route[3] { return(2); }\n";

static void
test_parse(void)
{
	char path[] = "/tmp/test_cfg_coreXXXXXX";
	FILE *f;
	int fd;

	fd = mkstemp(path);
	ok(fd != -1 && (f = fdopen(fd, "w")) != NULL, "temporary config");
	if (fd == -1)
		return;
	(void)fputs(cfg_text, f);
	(void)fclose(f);
	is_int(cfg_parse_file(path), 0, "config parses without errors");
	is_int(log_level, L_DBG, "debug sets log_level");
	ok(cfg_dont_fork == 1, "fork = no sets cfg_dont_fork");
	is_int(cfg_children, 3, "children");
	is_int(cfg_tcp_children, 5, "tcp_children with a trailing ';'");
	is_int(tcp_disable, 1, "disable_tcp = yes");
	is_int(tcp_send_timeout, 7, "tcp_send_timeout");
	is_int(sip_check_via, 1, "check_via = on");
	ok(sip_server_header != NULL
	    && strcmp(sip_server_header, "Server: unit") == 0, "server_header");
	ok(cfg_user != NULL && strcmp(cfg_user, "nobody") == 0, "user");
	ok(cfg_group != NULL && strcmp(cfg_group, "100") == 0,
	    "numeric gid kept as a string");
	is_int(sock_default_port, 15200, "port");
	ok(route_has(ROUTE_REQUEST, 0) && route_has(ROUTE_REQUEST, 3)
	    && !route_has(ROUTE_REQUEST, 1), "route_has");
	is_int(cfg_check(), 0, "config checks without errors");
	cfg_destroy();
	ok(cfg_user == NULL && !route_has(ROUTE_REQUEST, 0),
	    "cfg_destroy frees strings and routes");
	(void)unlink(path);
	log_level = L_NOTICE;
}

static void
test_missing_file(void)
{
	is_int(cfg_parse_file("/nonexistent/openser.cfg"), 1,
	    "a missing file is one error");
	cfg_destroy();
}

int
main(void)
{
	plan(26);
	(void)pkg_init(1 << 20);
	test_tables_sorted();
	test_lookups();
	test_parse();
	test_missing_file();
	return done_testing();
}

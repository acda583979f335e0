/*
 * fuzz_pipeline.c: libFuzzer target for the whole path of a received
 * message: parse, the route script with sl, tm, rr, maxfwd, textops,
 * avpops, usrloc and registrar actions, lumps, and the built message
 * (relayed request or reply).  At start the harness writes a config
 * (below) and sets up as the daemon does (cfg_parse_file, sock_fix_all,
 * cfg_check: module loading from this build's modules, fixups, module
 * init; then child init); each input is one UDP datagram for
 * receive_msg(), and the timer jobs (tm, usrloc) run after it.
 *
 * Nothing leaves the harness: it is linked with --wrap (Makefile) so that
 * getaddrinfo() resolves numeric addresses only (no DNS), sendto()
 * reports success without sending, and connect() is refused; the
 * listener is never bound.  Relayed requests and replies are still built
 * and handed to the send path in full.
 * Corpus: test/corpus/pipeline, test/corpus/valid, test/corpus/rfc4475.
 */
#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cfg/cfg.h"
#include "core/receive.h"
#include "core/timer.h"
#include "lib/log.h"
#include "lib/stats.h"
#include "mem/pkg.h"
#include "mem/shm.h"
#include "net/socket_info.h"
#include "script/sr_module.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- the sandbox: see the top comment ------------------------------- */

int __real_getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res);
int __wrap_getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res);
ssize_t __wrap_sendto(int fd, const void *buf, size_t len, int flags,
    const struct sockaddr *to, socklen_t tolen);
int __wrap_connect(int fd, const struct sockaddr *to, socklen_t tolen);

static volatile unsigned int sink;

int
__wrap_getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	struct addrinfo h;

	memset(&h, 0, sizeof(h));
	if (hints != NULL)
		h = *hints;
	h.ai_flags |= AI_NUMERICHOST;
	return __real_getaddrinfo(node, service, &h, res);
}

ssize_t
__wrap_sendto(int fd, const void *buf, size_t len, int flags,
    const struct sockaddr *to, socklen_t tolen)
{
	const unsigned char *b = buf;
	size_t i;

	for (i = 0; i < len; i++)	/* every byte built must be readable */
		sink += b[i];
	return (ssize_t)len;
}

int
__wrap_connect(int fd, const struct sockaddr *to, socklen_t tolen)
{
	errno = ECONNREFUSED;
	return -1;
}

/* ---- the config ----------------------------------------------------- */

static const char cfg_text[] =
    "fork = no\n"
    "disable_tcp = yes\n"
    "listen = udp:127.0.0.1:5060\n"
    "alias = \"proxy.example\"\n"
    "mpath = \"" MODULE_DIR_DEFAULT "\"\n"
    "loadmodule \"sl.so\"\n"
    "loadmodule \"tm.so\"\n"
    "loadmodule \"rr.so\"\n"
    "loadmodule \"maxfwd.so\"\n"
    "loadmodule \"textops.so\"\n"
    "loadmodule \"avpops.so\"\n"
    "loadmodule \"usrloc.so\"\n"
    "loadmodule \"registrar.so\"\n"
    "modparam(\"tm\", \"fr_timer\", 1)\n"
    "modparam(\"tm\", \"fr_inv_timer\", 1)\n"
    "modparam(\"tm\", \"wt_timer\", 1)\n"
    "modparam(\"tm\", \"retr_timer1\", 10)\n"
    "modparam(\"tm\", \"retr_timer2\", 40)\n"
    "modparam(\"registrar\", \"max_contacts\", 4)\n"
    "modparam(\"usrloc\", \"timer_interval\", 1)\n"
    "route {\n"
    "	if (!mf_process_maxfwd_header(\"10\")) {\n"
    "		sl_send_reply(\"483\", \"Too Many Hops\");\n"
    "		exit;\n"
    "	}\n"
    "	if (loose_route()) {\n"
    "		append_hf(\"X-Loose: $ru\\r\\n\");\n"
    "		if (!t_relay()) { sl_reply_error(); }\n"
    "		exit;\n"
    "	}\n"
    "	if (is_present_hf(\"X-Drop\")) { drop; }\n"
    "	remove_hf(\"X-Remove\");\n"
    "	if (search(\"^User-Agent:.*fuzz\")) {\n"
    "		subst(\"/^(Subject:)(.*)$/\\1 [fuzzed]\\2/i\");\n"
    "		replace_all(\"[0-9]{3,}\", \"N\");\n"
    "	}\n"
    "	avp_write(\"$ru\", \"$avp(s:orig)\");\n"
    "	if (avp_check(\"$avp(s:orig)\", \"re/$hdr(Subject)/i\")) {\n"
    "		append_hf(\"X-Subject-Matches: 1\\r\\n\");\n"
    "	}\n"
    "	insert_hf(\"X-First: 1\\r\\n\");\n"
    "	if (method == \"INVITE\") {\n"
    "		record_route();\n"
    "		append_hf(\"X-Orig: $avp(s:orig)\\r\\n\");\n"
    "	}\n"
    "	if (uri == myself) {\n"
    "		if (method == \"REGISTER\") { save(\"location\"); exit; }\n"
    "		if (method == \"OPTIONS\" && $rU == null) {\n"
    "			append_to_reply(\"X-Reply: $fu\\r\\n\");\n"
    "			sl_send_reply(\"200\", \"OK\");\n"
    "			exit;\n"
    "		}\n"
    "		if (uri =~ \"^sip:busy@\") { t_reply(\"486\", \"Busy Here\"); exit; }\n"
    "		if (!lookup(\"location\")) {\n"
    "			sl_send_reply(\"404\", \"Not Found\");\n"
    "			exit;\n"
    "		}\n"
    "	}\n"
    "	if (uri =~ \"^sip:udp@\") { t_relay_to_udp(\"127.0.0.1\", \"5099\"); exit; }\n"
    "	if (!t_relay()) { sl_reply_error(); }\n"
    "}\n";

static void die(const char *what) __attribute__((noreturn));

static void
die(const char *what)
{
	(void)fprintf(stderr, "fuzz_pipeline: %s\n", what);
	abort();
}

static void
init_once(void)
{
	static char path[] = "/tmp/openser-fuzz-pipeline.XXXXXX";
	static int ready;
	char err[256];
	FILE *f;
	int fd;

	if (ready)
		return;
	log_stderr = 1;
	log_level = getenv("FUZZ_VERBOSE") != NULL ? L_DBG : L_ALERT - 1;
	if ((fd = mkstemp(path)) == -1 || (f = fdopen(fd, "w")) == NULL)
		die("cannot write the config");
	(void)fputs(cfg_text, f);
	(void)fclose(f);
	if (pkg_init(256u << 20) == -1 || shm_init(256u << 20) == -1
	    || receive_init() == -1)
		die("memory");
	if (cfg_parse_file(path) != 0 || sock_fix_all(err, sizeof(err)) == -1
	    || cfg_check() != 0)
		die("the config does not load (FUZZ_VERBOSE=1 says why)");
	(void)unlink(path);
	if (stats_init() == -1 || mod_child_init_all(1) == -1)
		die("statistics or module child init");
	ready = 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct receive_info ri;
	struct socket_info *si;
	char *buf;

	init_once();
	si = sock_first(PROTO_UDP, AF_INET);
	memset(&ri, 0, sizeof(ri));
	ri.proto = PROTO_UDP;
	ri.bind_address = si;
	ri.dst_ip = si->address;
	ri.dst_port = si->port_no;
	ri.src_su.sin.sin_family = AF_INET;
	ri.src_su.sin.sin_addr.s_addr = htonl(0x7f000002u);
	ri.src_su.sin.sin_port = htons(5070);
	su_to_ip(&ri.src_su, &ri.src_ip);
	ri.src_port = 5070;
	/* a datagram buffer of exactly its size, as the UDP receiver has */
	if ((buf = malloc(size + 1)) == NULL)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	(void)receive_msg(buf, (unsigned int)size, &ri);
	free(buf);
	timer_run_due(timer_now_ms());
	return 0;
}

/*
 * fuzz_tls.c: libFuzzer target for the TLS read path (tls/tls_server.c)
 * under the real connection owner (net/tcp_owner.c).  At start the
 * harness makes an EC certificate with the openssl command, loads a
 * config with one TLS listener and that certificate (cfg_parse_file,
 * init_tls: the daemon's own set-up), and each input gets a fresh
 * connection: an AF_UNIX socketpair whose one end the owner adopts as an
 * accepted TLS connection, the other end played by the harness.
 *
 * The first input byte picks the mode:
 *   0  a real handshake from an OpenSSL client, then the rest of the
 *      input as plaintext the client sends in records (sizes from the
 *      second byte): the SIP stream after decryption
 *   1  a real handshake, then the rest as raw bytes on the wire: forged
 *      post-handshake records
 *   2  no client: the rest is the client's bytes from the first one
 *      (ClientHello and everything after it)
 * The handler script of owner_harness.h (the input's tail quarter)
 * decides the replies, which go back through tls_write().
 * Corpus: test/corpus/tls.
 */
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cfg/cfg.h"
#include "lib/log.h"
#include "lib/stats.h"
#include "mem/pkg.h"
#include "mem/shm.h"
#include "net/socket_info.h"
#include "net/tcp_conn.h"
#include "net/tcp_ipc.h"
#include "net/tcp_owner.h"
#include "test/fuzz/owner_harness.h"
#include "tls/tls_init.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct socket_info *tls_sock;
static SSL_CTX *client_ctx;

static void die(const char *what) __attribute__((noreturn));

static void
die(const char *what)
{
	(void)fprintf(stderr, "fuzz_tls: %s\n", what);
	abort();
}

static void
init_once(void)
{
	static char dir[] = "/tmp/openser-fuzz-tls.XXXXXX";
	static int ready;
	char cmd[1024], path[300], err[256];
	FILE *f;

	if (ready)
		return;
	log_stderr = 1;
	log_level = getenv("FUZZ_VERBOSE") != NULL ? L_DBG : L_ALERT - 1;
	/* as in the daemon: a write to a closed peer is an error, not a kill */
	(void)signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(dir) == NULL)
		die("mkdtemp");
	(void)snprintf(cmd, sizeof(cmd), "cd %s && openssl req -x509 -nodes "
	    "-days 2 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj "
	    "/CN=fuzz -keyout key.pem -out cert.pem >/dev/null 2>&1", dir);
	if (system(cmd) != 0)
		die("the openssl command could not make a certificate");
	(void)snprintf(path, sizeof(path), "%s/openser.cfg", dir);
	if ((f = fopen(path, "w")) == NULL)
		die("cannot write the config");
	(void)fprintf(f, "listen = tls:127.0.0.1:5061\n"
	    "tls_certificate = \"%s/cert.pem\"\n"
	    "tls_private_key = \"%s/key.pem\"\n"
	    "tls_ca_list = \"%s/cert.pem\"\n"
	    "tls_verify_client = 0\n"
	    "route { drop; }\n", dir, dir, dir);
	(void)fclose(f);
	if (pkg_init(64u << 20) == -1 || shm_init(32u << 20) == -1
	    || pre_init_tls() == -1)
		die("memory or OpenSSL set-up");
	if (cfg_parse_file(path) != 0 || sock_fix_all(err, sizeof(err)) == -1
	    || cfg_check() != 0)
		die("the config does not load");
	if (stats_init() == -1 || init_tls() == -1
	    || tcp_index_init(64, 1) == -1 || tcp_ipc_init(1) == -1
	    || (epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		die("TLS, index or epoll set-up");
	if ((tls_sock = sock_first(PROTO_TLS, AF_INET)) == NULL)
		die("no TLS listener");
	/* the contexts are built: leave no key behind in /tmp */
	(void)snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		die("cannot remove the scratch directory");
	if ((client_ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		die("client context");
	SSL_CTX_set_verify(client_ctx, SSL_VERIFY_NONE, NULL);
	ready = 1;
}

/* Handshake <cli> against the owner; 0 when both ends finished. */
static int
handshake(SSL *cli)
{
	int i, r, e;

	for (i = 0; i < 32; i++) {
		r = SSL_do_handshake(cli);
		event_loop();
		if (r == 1)
			return 0;
		e = SSL_get_error(cli, r);
		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
			return -1;
	}
	return -1;
}

/* Read (and drop) what the proxy sent, so its writes do not stall. */
static void
client_drain(SSL *cli, int fd)
{
	char b[4096];
	int i;

	for (i = 0; i < 16; i++) {
		if (cli != NULL ? SSL_read(cli, b, sizeof(b)) <= 0
		    : recv(fd, b, sizeof(b), MSG_DONTWAIT) <= 0)
			break;
	}
	ERR_clear_error();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	union sockaddr_union remote;
	const uint8_t *p, *end;
	SSL *cli = NULL;
	unsigned int id;
	int sv[2], mode, piece, k, steps;

	if (size < 2)
		return 0;
	init_once();
	if (tcp_owner_init(0, epfd, on_msg) == -1)
		abort();
	mode = data[0] % 3;
	piece = data[1] + 1;
	p = data + 2;
	end = data + size;
	script = end - (end - p) / 4;
	script_end = end;
	end = script;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0,
	    sv) == -1)
		abort();
	memset(&remote, 0, sizeof(remote));
	remote.sin.sin_family = AF_INET;
	remote.sin.sin_addr.s_addr = htonl(0x7f000001u);
	remote.sin.sin_port = htons(40000);
	id = tcp_index_add(PROTO_TLS, &remote, tls_sock, 0, TCP_CONN_OPEN, 0);
	if (id == 0 || tcp_owner_adopt(sv[0], id) == -1)
		abort();
	if (mode != 2) {
		if ((cli = SSL_new(client_ctx)) == NULL
		    || SSL_set_fd(cli, sv[1]) != 1)
			abort();
		SSL_set_connect_state(cli);
		if (handshake(cli) == -1)
			goto out;
	}
	for (steps = 0; p < end && steps < 512; steps++, p += k) {
		k = end - p < piece ? (int)(end - p) : piece;
		if (mode == 0)
			(void)SSL_write(cli, p, k);
		else
			(void)send(sv[1], p, (size_t)k, MSG_NOSIGNAL);
		ERR_clear_error();
		event_loop();
		client_drain(mode == 0 ? cli : NULL, sv[1]);
	}
	event_loop();
out:
	ERR_clear_error();
	SSL_free(cli);
	(void)close(sv[1]);
	event_loop();
	tcp_owner_shutdown();
	return 0;
}

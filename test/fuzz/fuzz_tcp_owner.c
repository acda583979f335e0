/*
 * fuzz_tcp_owner.c: stateful libFuzzer target for the connection
 * read/write path of a tcp worker (net/tcp_owner.c), with no seam: the
 * real owner code runs over AF_UNIX stream socketpairs whose other ends
 * the harness plays, with the real epoll loop of a worker (epoll_wait,
 * tcp_owner_io, tcp_owner_reap).
 *
 * The input is a program for two peers.  Each step is one opcode byte:
 *   0-3  peer <n&1> writes the next <len> bytes (<len> from the next
 *        byte, 1..256); the stream may hold several messages, or parts
 *   4    peer 0 closes its end (later writes to it fail: EPIPE)
 *   5    peer 1 closes its end
 *   6    peer <next&1> shuts down its writing side (EOF after the data)
 *   7    both peers drain what the proxy sent them
 *   8    run the deadline timer far in the future (idle closes)
 *   else run the worker's event loop once
 * and the event loop runs once more at the end.  The message handler is what
 * receive_msg() would be; what it does is decided by the next input byte
 * (the "handler script"): reply once or twice through tcp_send() (as sl
 * and tm do, possibly while the peer is gone so the write fails and the
 * owner closes the connection from inside the handler), send on the
 * other peer's connection (a relayed request), or nothing -- and it reads
 * the whole message before and
 * after, as tm does when it builds the request it relays.  So a message
 * buffer freed under a running handler is a heap-use-after-free here.
 * Corpus: test/corpus/tcp_owner (make new seeds with mkseed_tcp_owner.py).
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/log.h"
#include "mem/pkg.h"
#include "mem/shm.h"
#include "net/tcp_conn.h"
#include "net/tcp_ipc.h"
#include "net/tcp_owner.h"
#include "test/fuzz/owner_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PEERS 2

static int peer_fd[PEERS];

static void
init_once(void)
{
	static int ready;

	if (ready)
		return;
	/* quiet; FUZZ_VERBOSE=1 in the environment shows the owner's log */
	log_stderr = 1;
	log_level = getenv("FUZZ_VERBOSE") != NULL ? L_DBG : L_ALERT - 1;
	if (pkg_init(64u << 20) == -1 || shm_init(16u << 20) == -1
	    || tcp_index_init(64, 1) == -1 || tcp_ipc_init(1) == -1
	    || (epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		abort();
	ready = 1;
}

static void
drain(int fd)
{
	char b[4096];
	int i;

	for (i = 0; i < 64 && fd != -1; i++)
		if (recv(fd, b, sizeof(b), MSG_DONTWAIT) <= 0)
			return;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	struct sockaddr_in *sin;
	union sockaddr_union remote;
	int sv[2], i, op, len, steps;
	unsigned int id;

	init_once();
	if (tcp_owner_init(0, epfd, on_msg) == -1)
		abort();
	/* the handler script is the input's tail half: it does not shift
	 * when the fuzzer edits the stream bytes */
	script = data + size / 2;
	script_end = end;
	end = script;
	for (i = 0; i < PEERS; i++) {
		peer_fd[i] = -1;
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
			abort();
		memset(&remote, 0, sizeof(remote));
		sin = &remote.sin;
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(0x7f000001u);
		sin->sin_port = htons((uint16_t)(5060 + i));
		id = tcp_index_add(PROTO_TCP, &remote, NULL, 0, TCP_CONN_OPEN, 0);
		if (id == 0 || tcp_owner_adopt(sv[0], id) == -1)
			abort();
		peer_fd[i] = sv[1];
	}
	for (steps = 0; p < end && steps < 256; steps++) {
		op = *p++;
		switch (op) {
		case 0: case 1: case 2: case 3:
			len = p < end ? *p++ + 1 : 0;
			if (len > end - p)
				len = (int)(end - p);
			if (peer_fd[op & 1] != -1 && len > 0)
				(void)send(peer_fd[op & 1], p, (size_t)len,
				    MSG_NOSIGNAL | MSG_DONTWAIT);
			p += len;
			break;
		case 4: case 5:
			if (peer_fd[op - 4] != -1) {
				(void)close(peer_fd[op - 4]);
				peer_fd[op - 4] = -1;
			}
			break;
		case 6:
			i = p < end ? *p++ & 1 : 0;
			if (peer_fd[i] != -1)
				(void)shutdown(peer_fd[i], SHUT_WR);
			break;
		case 7:
			for (i = 0; i < PEERS; i++)
				drain(peer_fd[i]);
			break;
		case 8:
			tcp_owner_timer(tcp_now() + 100000);
			tcp_owner_reap();
			break;
		default:
			event_loop();
			break;
		}
	}
	event_loop();
	tcp_owner_shutdown();
	for (i = 0; i < PEERS; i++)
		if (peer_fd[i] != -1)
			(void)close(peer_fd[i]);
	return 0;
}

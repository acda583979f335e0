/*
 * Unit tests for net/tcp_owner.c over socketpairs (plain TCP ops):
 * - a message handler that closes its connection can still read the
 *   message it was handed, and the next message of the same buffer is
 *   not delivered (issue 10, item 1: the read buffer was freed at once)
 * - read buffers start small and grow; past tcp_read_buffer_budget the
 *   connection holding the biggest partial message is closed, not the
 *   one reading, and a complete message still gets through
 * - everything is freed at shutdown (pkg back to where it was)
 */
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mem/pkg.h"
#include "mem/shm.h"
#include "net/net_cfg.h"
#include "net/tcp_conn.h"
#include "net/tcp_owner.h"
#include "test/lib/tap.h"

static const char MSG1[] = "OPTIONS sip:a@b SIP/2.0\r\n"
			   "Via: SIP/2.0/TCP h;branch=z9hG4bK1\r\n"
			   "Content-Length: 4\r\n\r\nbody";
static const char MSG2[] = "INVITE sip:a@b SIP/2.0\r\n"
			   "Via: SIP/2.0/TCP h;branch=z9hG4bK2\r\n"
			   "Content-Length: 4\r\n\r\nBODY";

static int ep;
static int calls, intact, close_in_handler;

static void
on_msg(struct tcp_conn *c, char *buf, int len, enum tcp_frame_result kind)
{
	calls++;
	if (close_in_handler)
		tcp_owner_close_after_flush(c);	/* nothing queued: closes now */
	/* still the handler's message, after the close (ASan checks) */
	intact = len == (int)strlen(MSG1) && memcmp(buf, MSG1, (size_t)len) == 0;
}

/* A connection from 127.0.0.<n> on a socketpair; returns the peer end. */
static int
adopt(int n)
{
	union sockaddr_union su;
	struct ip_addr ip;
	char a[32];
	str s;
	int sv[2];
	unsigned int id;

	(void)snprintf(a, sizeof(a), "127.0.0.%d", n);
	s.s = a;
	s.len = (int)strlen(a);
	if (ip_addr_parse(&s, &ip) == -1
	    || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		return -1;
	su_from_ip(&su, &ip, 5060);
	id = tcp_index_add(PROTO_TCP, &su, NULL, 0, TCP_CONN_OPEN, 0);
	if (id == 0 || tcp_owner_adopt(sv[0], id) == -1)
		return -1;
	return sv[1];
}

/* Run the owner's side until nothing is ready (bounded). */
static void
pump(void)
{
	struct epoll_event ev[16];
	int i, n, rounds;

	for (rounds = 0; rounds < 50; rounds++) {
		n = epoll_wait(ep, ev, 16, rounds == 0 ? 200 : 20);
		if (n <= 0)
			break;
		for (i = 0; i < n; i++)
			tcp_owner_io(ev[i].data.ptr, ev[i].events);
		tcp_owner_reap();
	}
}

/* Did the owner close its end of <peer>?  (EOF without blocking) */
static int
closed(int peer)
{
	char b[64];

	return recv(peer, b, sizeof(b), MSG_DONTWAIT) == 0;
}

static void
test_close_in_handler(void)
{
	char both[512];
	int peer;

	peer = adopt(1);
	ok(peer >= 0, "connection adopted");
	(void)snprintf(both, sizeof(both), "%s%s", MSG1, MSG2);
	ok(write(peer, both, strlen(both)) == (ssize_t)strlen(both),
	    "two messages in one write");
	calls = intact = 0;
	close_in_handler = 1;
	pump();
	close_in_handler = 0;
	is_int(calls, 1, "the handler that closed got one message, not two");
	ok(intact, "its message was readable after the close");
	ok(closed(peer), "the connection is closed");
	(void)close(peer);
}

static void
test_budget(void)
{
	char part[3000];
	int a, b, c, d;

	memset(part, 'x', sizeof(part));
	memcpy(part, "OPTIONS sip:a@b SIP/2.0\r\nX: ", 28);
	a = adopt(2);
	b = adopt(3);
	ok(a >= 0 && b >= 0, "two more connections");
	/* 3000 bytes: 2 KB, then 4 KB of buffer each */
	ok(write(a, part, sizeof(part)) == (ssize_t)sizeof(part)
	    && write(b, part, 1000) == 1000, "partial messages sent");
	pump();
	ok(!closed(a) && !closed(b), "within the budget both stay");
	/* a holds 4 KB, b 2 KB; the budget is 7 KB: a third buffer (2 KB)
	 * does not fit, so the biggest partial message (a) goes */
	c = adopt(4);
	ok(c >= 0 && write(c, part, 100) == 100, "a third partial message");
	pump();
	ok(closed(a), "the biggest partial message was closed");
	ok(!closed(b) && !closed(c), "the others stay");
	d = adopt(5);
	calls = intact = 0;
	ok(d >= 0 && write(d, MSG1, strlen(MSG1)) == (ssize_t)strlen(MSG1),
	    "a complete message from another peer");
	pump();
	is_int(calls, 1, "it is delivered");
	ok(intact, "intact");
	(void)close(a);
	(void)close(b);
	(void)close(c);
	(void)close(d);
	pump();
}

int
main(void)
{
	struct mem_stats before, after;

	plan(16);
	if (shm_init(8 << 20) == -1 || tcp_index_init(64, 1) == -1)
		return 1;
	tcp_read_buffer_budget = 7;	/* KB */
	ep = epoll_create1(0);
	pkg_stats_get(&before);
	ok(tcp_owner_init(0, ep, on_msg) == 0, "owner set up");
	test_close_in_handler();
	test_budget();
	tcp_owner_shutdown();
	pkg_stats_get(&after);
	is_int((int)after.used, (int)before.used,
	    "pkg back to where it was after shutdown");
	(void)close(ep);
	return done_testing();
}

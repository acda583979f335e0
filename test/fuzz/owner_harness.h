/*
 * owner_harness.h: what fuzz_tcp_owner.c and fuzz_tls.c share: a message
 * handler standing in for receive_msg() whose actions are read from the
 * input ("handler script"), and one round of a tcp worker's event loop.
 * Static functions: include it in one fuzzer source only.
 */
#ifndef TEST_FUZZ_OWNER_HARNESS_H
#define TEST_FUZZ_OWNER_HARNESS_H

#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>

#include "net/tcp_owner.h"

static int epfd = -1;
static const uint8_t *script, *script_end;	/* handler decisions */
static volatile unsigned int sink;

static int
next_byte(void)
{
	return script < script_end ? *script++ : -1;
}

/* Read every byte of the message, as a route script would. */
static void
touch(const char *buf, int len)
{
	unsigned int h = 0;
	int i;

	for (i = 0; i < len; i++)
		h = h * 31u + (unsigned char)buf[i];
	sink += h;
}

static void
reply(struct tcp_conn *c, const char *buf, int len)
{
	struct receive_info ri;
	struct dest_info dst;

	tcp_owner_fill_ri(c, &ri);
	memset(&dst, 0, sizeof(dst));
	dst.proto = ri.proto;
	dst.conn_id = ri.conn_id;
	dst.to = ri.src_su;
	(void)tcp_send(&dst, buf, len > 64 ? 64 : len);
}

/* Send to the other peer's connection, as a request relayed over TCP. */
static void
reply_other(struct tcp_conn *c, const char *buf, int len)
{
	struct receive_info ri;
	struct dest_info dst;

	tcp_owner_fill_ri(c, &ri);
	memset(&dst, 0, sizeof(dst));
	dst.proto = ri.proto;
	dst.to = ri.src_su;
	dst.to.sin.sin_port = htons((uint16_t)(ntohs(ri.src_su.sin.sin_port)
	    ^ 1u));
	(void)tcp_send(&dst, buf, len > 64 ? 64 : len);
}

static void
on_msg(struct tcp_conn *c, char *buf, int len, enum tcp_frame_result kind)
{
	int d = next_byte();

	touch(buf, len);
	if (kind != TCP_FRAME_MSG || d < 0)
		return;
	switch (d % 4) {
	case 0:			/* stateless reply */
		reply(c, buf, len);
		break;
	case 1:			/* provisional + final, as tm */
		reply(c, buf, len);
		touch(buf, len);
		reply(c, buf, len);
		break;
	case 2:			/* forward on the other connection */
		reply_other(c, buf, len);
		break;
	default:
		break;
	}
	touch(buf, len);	/* e.g. tm building the relayed request */
}

static void
event_loop(void)
{
	struct epoll_event ev[8];
	int n, i, rounds;

	for (rounds = 0; rounds < 8; rounds++) {
		if ((n = epoll_wait(epfd, ev, 8, 0)) <= 0)
			return;
		for (i = 0; i < n; i++)
			tcp_owner_io(ev[i].data.ptr, ev[i].events);
		tcp_owner_reap();
	}
}

#endif

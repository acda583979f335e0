/*
 * proc_tcp_worker.c: a tcp worker.  It owns the connections tcp main hands
 * it and those it opens: one epoll loop over its fd channel from tcp main,
 * its send channel from every process, and its connections.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "core/pass_fd.h"
#include "core/proc.h"
#include "core/receive.h"
#include "lib/log.h"
#include "net/tcp_ipc.h"
#include "net/tcp_owner.h"

#define EV_MAX 64

static char tag_fdchan, tag_ipc;	/* epoll markers for the channels */

static void
on_tcp_msg(struct tcp_conn *c, char *buf, int len, enum tcp_frame_result kind)
{
	struct receive_info ri;

	tcp_owner_fill_ri(c, &ri);
	switch (kind) {
	case TCP_FRAME_MSG:
		(void)receive_msg(buf, (unsigned int)len, &ri);
		return;
	case TCP_FRAME_NO_CL:
		receive_bad_stream_msg(buf, (unsigned int)len, &ri,
		    "no Content-Length on a stream (RFC 3261 18.3)");
		return;
	case TCP_FRAME_BAD_CL:
		receive_bad_stream_msg(buf, (unsigned int)len, &ri,
		    "bad Content-Length");
		return;
	case TCP_FRAME_MORE:
	case TCP_FRAME_PING:
	case TCP_FRAME_TOO_BIG:
		break;
	}
}

static int
watch(int ep, int fd, void *tag)
{
	struct epoll_event e = { .events = EPOLLIN, .data.ptr = tag };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
}

static int
adopt_one(int chan)
{
	unsigned int id;
	int fd;

	if (pass_fd_recv(chan, &fd, &id, sizeof(id)) == -1) {
		if (fd != -1)
			(void)close(fd);
		return errno == ECONNRESET ? -1 : 0;
	}
	if (fd == -1) {
		LM_ERR("tcp main sent connection %u without its descriptor", id);
		return 0;
	}
	(void)tcp_owner_adopt(fd, id);
	return 0;
}

/* Loop of tcp worker number <worker> until asked to stop. */
void
proc_tcp_worker_loop(int rank, int worker)
{
	struct epoll_event ev[EV_MAX];
	int ep, n, i, chan = tcp_fd_chan[worker][1];
	long last = 0, now;

	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1
	    || tcp_owner_init(worker, ep, on_tcp_msg) == -1
	    || watch(ep, chan, &tag_fdchan) == -1
	    || watch(ep, tcp_ipc_fd(worker), &tag_ipc) == -1) {
		LM_CRIT("tcp worker %d: cannot set up its event loop: %s",
		    worker, strerror(errno));
		return;
	}
	while (!proc_stop) {
		n = epoll_wait(ep, ev, EV_MAX, 1000);
		for (i = 0; i < n; i++) {
			if (ev[i].data.ptr == &tag_fdchan) {
				if (adopt_one(chan) == -1) {
					LM_INFO("tcp main went away; stopping");
					proc_stop = 1;
				}
			} else if (ev[i].data.ptr == &tag_ipc) {
				tcp_owner_ipc(tcp_ipc_fd(worker));
			} else {
				tcp_owner_io(ev[i].data.ptr, ev[i].events);
			}
		}
		tcp_owner_reap();
		if ((now = tcp_now()) != last) {
			last = now;
			tcp_owner_timer(now);
			tcp_owner_reap();
		}
	}
	tcp_owner_shutdown();
	(void)close(ep);
}

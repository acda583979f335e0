/*
 * tcp_ipc.c: per-worker datagram channels (see tcp_ipc.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "net/tcp_ipc.h"

#define TCP_IPC_BUF (4 << 20)	/* socket buffer: room for a burst */

static int (*chan)[2];		/* [w][0] read by worker w, [w][1] written */
static int nworkers;

/*
 * Create one channel per worker.  Attendant, before fork; config memory.
 * 0, or -1 with errno set.
 */
int
tcp_ipc_init(int workers)
{
	int i, sz = TCP_IPC_BUF;

	if ((chan = calloc((size_t)workers, sizeof(*chan))) == NULL)
		return -1;
	for (i = 0; i < workers; i++) {
		if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, chan[i])
		    == -1)
			return -1;
		(void)setsockopt(chan[i][0], SOL_SOCKET, SO_RCVBUF, &sz,
		    sizeof(sz)); /* best effort: the default still works */
		(void)setsockopt(chan[i][1], SOL_SOCKET, SO_SNDBUF, &sz,
		    sizeof(sz));
	}
	nworkers = workers;
	return 0;
}

/*
 * In a child after fork: worker <worker> keeps its read end; every
 * process keeps all write ends.  <worker> -1 for non-workers.
 */
void
tcp_ipc_child(int worker)
{
	int i;

	for (i = 0; i < nworkers; i++)
		if (i != worker && chan[i][0] != -1) {
			(void)close(chan[i][0]);
			chan[i][0] = -1;
		}
}

/* The read end of <worker>'s channel. */
int
tcp_ipc_fd(int worker)
{
	return chan[worker][0];
}

/* Number of channels (= tcp workers). */
int
tcp_ipc_workers(void)
{
	return nworkers;
}

/*
 * Hand <h> and its <h->len> payload bytes to <worker>.  Never blocks.
 * 0, or -1 with errno set (EAGAIN: the channel is full).
 */
int
tcp_ipc_send(int worker, const struct tcp_ipc_hdr *h, const char *buf)
{
	struct iovec iov[2];
	struct msghdr m = { 0 };
	ssize_t n;

	iov[0].iov_base = (void *)(uintptr_t)h;
	iov[0].iov_len = sizeof(*h);
	iov[1].iov_base = (void *)(uintptr_t)buf;
	iov[1].iov_len = h->len;
	m.msg_iov = iov;
	m.msg_iovlen = h->len > 0 ? 2 : 1;
	do {
		n = sendmsg(chan[worker][1], &m, MSG_DONTWAIT | MSG_NOSIGNAL);
	} while (n == -1 && errno == EINTR);
	return n == (ssize_t)(sizeof(*h) + h->len) ? 0 : -1;
}

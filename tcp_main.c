/*
 * tcp_main.c: the TCP supervisor.  It accepts connections on every TCP
 * listen socket, registers each in the shared index under the least loaded
 * tcp worker and hands that worker the descriptor; from then on the worker
 * owns it.  tcp_max_connections is enforced here for inbound connections.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/pass_fd.h"
#include "core/proc.h"
#include "lib/log.h"
#include "net/net_cfg.h"
#include "net/socket_info.h"
#include "net/tcp_conn.h"

#define EV_MAX 32

static void
refuse(int fd, struct socket_info *si, const union sockaddr_union *su)
{
	static long last;
	char p[SU_MAX_STR];
	long now = tcp_now();

	if (now != last) {	/* at most one line a second under a flood */
		last = now;
		if (su_to_str(su, p, sizeof(p)) < 0)
			p[0] = '\0';
		LM_WARN("%s: tcp_max_connections (%d) reached; refusing the "
		    "connection from %s (raise tcp_max_connections)",
		    si->sock_str.s, tcp_max_connections, p);
	}
	(void)close(fd);
}

/* Accept one connection on <si>: 0, or -1 when there was none. */
static int
accept_one(struct socket_info *si)
{
	union sockaddr_union su;
	socklen_t l = sizeof(su);
	unsigned int id;
	int fd, w;

	fd = accept4(si->fd, &su.s, &l, SOCK_CLOEXEC);
	if (fd == -1) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			LM_ERR("%s: accept failed: %s", si->sock_str.s,
			    strerror(errno));
		return -1;
	}
	w = tcp_index_least_loaded();
	id = tcp_index_add(si->proto, &su, si, w, TCP_CONN_OPEN, 0);
	if (id == 0) {
		refuse(fd, si, &su);
		return 0;
	}
	tcp_index_count_event(1, 0, 0, 0);
	if (pass_fd_send(tcp_fd_chan[w][0], fd, &id, sizeof(id)) == -1) {
		LM_ERR("%s: cannot hand connection %u to tcp worker %d: %s",
		    si->sock_str.s, id, w, strerror(errno));
		tcp_index_remove(id);
	}
	(void)close(fd);
	return 0;
}

/* Loop of tcp main until asked to stop. */
void
tcp_main_loop(int rank)
{
	struct epoll_event ev[EV_MAX], e;
	struct socket_info *si;
	int ep, n, i, k;

	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		LM_CRIT("tcp main: epoll_create1: %s", strerror(errno));
		return;
	}
	for (si = sock_list; si != NULL; si = si->next) {
		if ((si->proto != PROTO_TCP && si->proto != PROTO_TLS)
		    || si->fd == -1)
			continue;
		e.events = EPOLLIN;
		e.data.ptr = si;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, si->fd, &e) == -1) {
			LM_CRIT("tcp main: cannot watch %s: %s", si->sock_str.s,
			    strerror(errno));
			return;
		}
	}
	while (!proc_stop) {
		n = epoll_wait(ep, ev, EV_MAX, 1000);
		for (i = 0; i < n; i++)
			for (k = 0; k < 64; k++)	/* drain the backlog */
				if (accept_one(ev[i].data.ptr) == -1)
					break;
	}
	(void)close(ep);
}

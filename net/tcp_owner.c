/*
 * tcp_owner.c: connections owned by this tcp worker (see tcp_owner.h).
 * State is private to the worker; the shm index only says who owns what.
 * Nothing here blocks: reads, writes and connects are non-blocking, with
 * deadlines checked once a second by tcp_owner_timer().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/log.h"
#include "mem/pkg.h"
#include "net/net_cfg.h"
#include "net/socket_info.h"
#include "net/tcp_ipc.h"
#include "net/tcp_owner.h"
#include "net/transport.h"

/*
 * Read buffers grow with the message they hold: RBUF_MIN to start,
 * doubled when full, up to the message limit.  An idle connection holds
 * none.  What all of a worker's buffers hold is bounded by
 * tcp_read_buffer_budget: past it the biggest (then oldest) partial
 * message is closed, so that a few hundred peers that start a message
 * and never finish it cannot take the worker's pkg memory from everyone
 * else.
 */
#define RBUF_MIN  2048
#define OWN_HASH  1024

/* pkg; one queued write */
struct wq_chunk {
	struct wq_chunk *next;
	int len, off;
	char data[];
};

/* pkg; private to the owning worker */
struct tcp_conn {
	unsigned int id;
	int fd;
	enum sip_proto proto;
	enum tcp_conn_state state;
	union sockaddr_union remote;
	struct socket_info *local;
	char *rbuf;
	int rlen, rsize;
	struct wq_chunk *wq, *wq_tail;
	int wq_bytes;
	long idle_deadline;	/* tcp_connection_lifetime */
	long io_deadline;	/* connect or send timeout, 0 if none */
	unsigned int events;	/* registered epoll mask */
	int closing;		/* closed, waiting for tcp_owner_reap() */
	int close_after_flush;
	const char *action;	/* what was in progress, for logs */
	const struct stream_ops *ops;	/* secure layer (TLS), or NULL */
	void *st;		/* its per-connection state */
	int handshaking;
	int cdom;		/* TLS client domain (outbound TLS) */
	long wq_full_logged;	/* last "queue full" line, at most 1/s */
	unsigned int wq_dropped;	/* messages dropped since that line */
	unsigned int pongs_waiting;	/* pongs queued since it last drained */
	int chunks;		/* reads into the message being assembled */
	long partial_since;	/* when the buffered partial message began */
	int inbound;		/* accepted (counted per source address) */
	int unfinished;		/* counted in tcp_index_unfinished() */
	struct tcp_conn *hnext;	/* by id */
	struct tcp_conn *all_next, *all_prev;
	struct tcp_conn *dead_next;
};

int tcp_owner_self = -1;

static int epfd = -1;
static tcp_msg_f on_msg;
static struct tcp_conn *by_id[OWN_HASH];
static struct tcp_conn *all;	/* every live connection, for the timer */
static struct tcp_conn *dead;	/* closed, freed by tcp_owner_reap() */
static char *ipc_buf;
static long rbuf_total;		/* bytes of read buffers of this worker */
static long rbuf_budget;	/* tcp_read_buffer_budget in bytes */
static long evict_logged;	/* last eviction line, at most 1/s */
static unsigned int evict_unlogged;	/* evictions since that line */
static long srclim_logged;	/* same for the per-source limit */
static unsigned int srclim_unlogged;

static void conn_close(struct tcp_conn *c, const char *why);
static int send_timeout(const struct tcp_conn *c);
static int lifetime(const struct tcp_conn *c);
static int layer_start(struct tcp_conn *c, int server);
static void layer_handshake(struct tcp_conn *c);
static int unfinished_set(struct tcp_conn *c, int on);

static const char *
peer(const struct tcp_conn *c, char *buf, int size)
{
	if (su_to_str(&c->remote, buf, size) < 0)
		(void)snprintf(buf, (size_t)size, "?");
	return buf;
}

/*
 * Become the owner side of worker <worker>: connections get registered in
 * <epoll_fd>, complete messages go to <cb>.  Worker process, once.
 */
int
tcp_owner_init(int worker, int epoll_fd, tcp_msg_f cb)
{
	struct mem_stats m;

	tcp_owner_self = worker;
	epfd = epoll_fd;
	on_msg = cb;
	pkg_stats_get(&m);
	rbuf_budget = tcp_read_buffer_budget > 0
	    ? (long)tcp_read_buffer_budget * 1024 : (long)(m.size / 2);
	if (worker == 0 && rbuf_budget < (long)tcp_max_msg_len + 64)
		LM_WARN("tcp_read_buffer_budget (%ld KB) is below one message "
		    "of tcp_max_msg_len (%d bytes): larger messages will be "
		    "refused; raise it (or -M)", rbuf_budget / 1024,
		    tcp_max_msg_len);
	ipc_buf = pkg_malloc(sizeof(struct tcp_ipc_hdr) + (size_t)tcp_max_msg_len
	    + 1024);
	return ipc_buf != NULL ? 0 : -1;
}

static struct tcp_conn *
local_by_id(unsigned int id)
{
	struct tcp_conn *c;

	for (c = by_id[id % OWN_HASH]; c != NULL; c = c->hnext)
		if (c->id == id && !c->closing)
			return c;
	return NULL;
}

/* Idle lifetime in seconds: the secure layer's own, else TCP's. */
static int
lifetime(const struct tcp_conn *c)
{
	return c->ops != NULL ? *c->ops->lifetime : tcp_connection_lifetime;
}

/* Write deadline in seconds: the secure layer's own, else TCP's. */
static int
send_timeout(const struct tcp_conn *c)
{
	return c->ops != NULL ? *c->ops->send_timeout : tcp_send_timeout;
}

static int
set_events(struct tcp_conn *c, unsigned int ev)
{
	struct epoll_event e = { .events = ev, .data.ptr = c };

	if (c->events == ev)
		return 0;
	if (epoll_ctl(epfd, c->events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD,
	    c->fd, &e) == -1)
		return -1;
	c->events = ev;
	return 0;
}

/*
 * SIP messages are small and answered at once: without TCP_NODELAY a
 * reply (or a TLS record after the session tickets) waits for the peer's
 * delayed ACK, about 40 ms per exchange (found by bench/: handshake rate).
 */
static void
set_nodelay(int fd)
{
	int on = 1;

	/* best effort: a socket without it still works, only slower */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
}

static struct tcp_conn *
conn_new(int fd, unsigned int id, enum sip_proto proto,
    const union sockaddr_union *remote, struct socket_info *local,
    enum tcp_conn_state state)
{
	struct tcp_conn *c;

	if ((c = pkg_zalloc(sizeof(*c))) == NULL)
		return NULL;
	set_nodelay(fd);
	c->fd = fd;
	c->id = id;
	c->proto = proto;
	c->remote = *remote;
	c->local = local;
	c->state = state;
	c->ops = transport_get(proto);
	c->idle_deadline = tcp_now() + lifetime(c);
	c->hnext = by_id[id % OWN_HASH];
	by_id[id % OWN_HASH] = c;
	c->all_next = all;
	if (all != NULL)
		all->all_prev = c;
	all = c;
	return c;
}

/*
 * Take over accepted connection <fd>, registered by tcp main as <id>.
 * Worker; 0, or -1 after closing the fd and forgetting the id.
 */
int
tcp_owner_adopt(int fd, unsigned int id)
{
	struct tcp_conn_info ci;
	struct tcp_conn *c;

	if (tcp_index_by_id(id, &ci) == -1) {
		LM_ERR("tcp connection %u: unknown to the index, closing", id);
		(void)close(fd);
		return -1;
	}
	if (fcntl(fd, F_SETFL, O_NONBLOCK) == -1
	    || (c = conn_new(fd, id, ci.proto, &ci.remote, ci.local,
		TCP_CONN_OPEN)) == NULL) {
		LM_ERR("tcp connection %u: cannot adopt it (out of pkg memory "
		    "or bad fd), closing", id);
		(void)close(fd);
		tcp_index_remove(id);
		return -1;
	}
	c->action = "reading";
	c->inbound = 1;
	if (c->ops != NULL && (layer_start(c, 1) == -1
	    || unfinished_set(c, 1) == -1))
		return -1;
	if (set_events(c, EPOLLIN) == -1) {
		conn_close(c, "cannot watch it");
		return -1;
	}
	return 0;
}

static void
wq_free(struct tcp_conn *c)
{
	struct wq_chunk *w, *n;

	for (w = c->wq; w != NULL; w = n) {
		n = w->next;
		pkg_free(w);
	}
	c->wq = c->wq_tail = NULL;
	c->wq_bytes = 0;
}

/*
 * Close <c> now: the secure layer (its close_notify must go out before
 * the fd is closed and its number reused), the socket, the index entry
 * and the write queue go at once; the connection and its read buffer are
 * freed by tcp_owner_reap() at the end of the loop iteration.  This may
 * run from inside the route script of a message that still lives in the
 * read buffer (a reply that meets a reset, a send timeout, a close asked
 * for by the script): the message must stay readable until frame_all()
 * returns, and nothing below the event loop may free what it reads.
 */
static void
conn_close(struct tcp_conn *c, const char *why)
{
	struct tcp_conn **pp;
	char p[SU_MAX_STR];

	if (c->closing)
		return;
	if (why != NULL)
		LM_INFO("tcp connection %u (peer %s): closing: %s", c->id,
		    peer(c, p, sizeof(p)), why);
	c->closing = 1;
	if (c->unfinished) {
		c->unfinished = 0;
		(void)tcp_index_unfinished(&c->remote, -1);
	}
	if (c->st != NULL) {
		c->ops->conn_free(c->st);
		c->st = NULL;
	}
	if (c->events != 0)
		(void)epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
	(void)close(c->fd);
	tcp_index_remove(c->id);
	for (pp = &by_id[c->id % OWN_HASH]; *pp != c; pp = &(*pp)->hnext)
		;
	*pp = c->hnext;
	if (c->all_prev != NULL)
		c->all_prev->all_next = c->all_next;
	else
		all = c->all_next;
	if (c->all_next != NULL)
		c->all_next->all_prev = c->all_prev;
	wq_free(c);
	rbuf_total -= c->rsize;	/* the buffer itself goes at reap */
	c->rsize = c->rlen = 0;
	c->dead_next = dead;
	dead = c;
}

/*
 * Free connections closed during this loop iteration.  Worker, from the
 * event loop only: never while a message of a connection is handled.
 */
void
tcp_owner_reap(void)
{
	struct tcp_conn *c;

	while ((c = dead) != NULL) {
		dead = c->dead_next;
		pkg_free(c->rbuf);
		pkg_free(c);
	}
}

/*
 * Move bytes through the connection's layer: plain send()/recv() for TCP,
 * the registered ops for TLS.  <*n> is set on TR_OK; on TR_AGAIN the
 * events to wait for are added to the connection's watch list.
 */
static enum tr_status
conn_write(struct tcp_conn *c, const char *buf, int len, int *n)
{
	unsigned int want = EPOLLOUT;
	enum tr_status r;
	ssize_t k;

	if (c->closing)
		return TR_ERROR;	/* its fd and secure layer are gone */
	if (c->ops != NULL) {
		r = c->ops->write(c->st, buf, len, n, &want);
		if (r == TR_AGAIN)
			(void)set_events(c, EPOLLIN | want);
		return r;
	}
	k = send(c->fd, buf, (size_t)len, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (k >= 0) {
		*n = (int)k;
		return TR_OK;
	}
	if (errno == EAGAIN || errno == EINTR)
		return TR_AGAIN;
	return TR_ERROR;
}

static enum tr_status
conn_recv(struct tcp_conn *c, char *buf, int len, int *n)
{
	unsigned int want = EPOLLIN;
	enum tr_status r;
	ssize_t k;

	if (c->closing)
		return TR_ERROR;
	if (c->ops != NULL) {
		r = c->ops->read(c->st, buf, len, n, &want);
		if (r == TR_AGAIN && want != EPOLLIN)
			(void)set_events(c, EPOLLIN | want);
		return r;
	}
	k = recv(c->fd, buf, (size_t)len, MSG_DONTWAIT);
	if (k > 0) {
		*n = (int)k;
		return TR_OK;
	}
	if (k == 0)
		return TR_EOF;
	if (errno == EAGAIN || errno == EINTR)
		return TR_AGAIN;
	return TR_ERROR;
}

static void conn_read(struct tcp_conn *c);
static int wq_flush(struct tcp_conn *c);

/* Start the secure layer of <c> (after accept or connect).  0 or -1. */
static int
layer_start(struct tcp_conn *c, int server)
{
	struct tr_conn tc;

	memset(&tc, 0, sizeof(tc));
	tc.id = c->id;
	tc.fd = c->fd;
	tc.server = server;
	tc.local = c->local;
	tc.remote = c->remote;
	tc.cdom = c->cdom;
	if (c->ops->conn_init(&c->st, &tc) == -1) {
		conn_close(c, "cannot set up TLS for it");
		return -1;
	}
	c->handshaking = 1;
	c->action = "TLS handshaking";
	c->io_deadline = tcp_now() + *c->ops->handshake_timeout;
	return 0;
}

/* One handshake step; when it completes, flush and read what waits. */
static void
layer_handshake(struct tcp_conn *c)
{
	unsigned int want = EPOLLIN;

	switch (c->ops->handshake(c->st, &want)) {
	case TR_OK:
		c->handshaking = 0;
		c->action = "reading";
		(void)unfinished_set(c, 0);	/* turning off never closes */
		c->io_deadline = c->wq != NULL ? tcp_now() + send_timeout(c) : 0;
		if (set_events(c, EPOLLIN | (c->wq != NULL ? EPOLLOUT : 0u)) == -1
		    || (c->wq != NULL && wq_flush(c) == -1))
			return;
		conn_read(c);	/* the peer's first bytes may be buffered */
		return;
	case TR_AGAIN:
		(void)set_events(c, want);
		return;
	case TR_EOF:
	case TR_ERROR:
		tcp_index_count_event(0, 0, 1, 0);
		conn_close(c, "TLS handshake failed");
		return;
	}
}

/* Write as much of the queue as the socket takes.  0 or -1 (closed). */
static int
wq_flush(struct tcp_conn *c)
{
	struct wq_chunk *w;
	int n;

	while ((w = c->wq) != NULL) {
		switch (conn_write(c, w->data + w->off, w->len - w->off, &n)) {
		case TR_OK:
			break;
		case TR_AGAIN:
			return c->ops != NULL ? 0
			    : set_events(c, EPOLLIN | EPOLLOUT);
		case TR_EOF:
		case TR_ERROR:
			tcp_index_count_event(0, 0, 1, 0);
			conn_close(c, errno != 0 ? strerror(errno) : "write failed");
			return -1;
		}
		w->off += n;
		c->wq_bytes -= n;
		c->io_deadline = tcp_now() + send_timeout(c);
		if (w->off < w->len)
			break;
		c->wq = w->next;
		if (c->wq == NULL)
			c->wq_tail = NULL;
		pkg_free(w);
	}
	if (c->wq == NULL) {
		c->io_deadline = 0;
		c->pongs_waiting = 0;
		if (c->close_after_flush) {
			conn_close(c, NULL);
			return -1;
		}
	}
	return set_events(c, c->close_after_flush ? 0u
	    : EPOLLIN | (c->wq != NULL ? (unsigned)EPOLLOUT : 0u)) == -1
	    ? -1 : 0;
}

/* Queue <len> bytes on <c> and try to write them.  0 or -1. */
static int
conn_queue(struct tcp_conn *c, const char *buf, int len)
{
	struct wq_chunk *w;
	char p[SU_MAX_STR];

	if (c->closing)
		return -1;
	if (c->wq_bytes + len > TCP_WQ_MAX) {
		c->wq_dropped++;
		if (c->wq_full_logged != tcp_now()) {	/* no log flood */
			c->wq_full_logged = tcp_now();
			LM_ERR("tcp connection %u (peer %s): write queue full "
			    "(%d bytes pending, the peer does not read); "
			    "dropped %u message(s)", c->id,
			    peer(c, p, sizeof(p)), c->wq_bytes, c->wq_dropped);
			c->wq_dropped = 0;
		}
		return -1;
	}
	if ((w = pkg_malloc(sizeof(*w) + (size_t)len)) == NULL) {
		PKG_MEM_ERROR("queueing a tcp write");
		return -1;
	}
	memcpy(w->data, buf, (size_t)len);
	w->len = len;
	w->off = 0;
	w->next = NULL;
	if (c->wq_tail != NULL)
		c->wq_tail->next = w;
	else
		c->wq = w;
	c->wq_tail = w;
	c->wq_bytes += len;
	c->idle_deadline = tcp_now() + lifetime(c);
	if (c->state == TCP_CONN_CONNECTING || c->handshaking)
		return 0;
	if (c->io_deadline == 0)
		c->io_deadline = tcp_now() + send_timeout(c);
	return wq_flush(c) == -1 && c->closing ? -1 : 0;
}

/* Open a connection to <to> over <proto> and queue <buf>.  0 or -1. */
static int
conn_open(enum sip_proto proto, const union sockaddr_union *to,
    struct socket_info *local, int cdom, const char *buf, int len)
{
	struct tcp_conn *c;
	union sockaddr_union src;
	unsigned int id;
	int fd;
	char p[SU_MAX_STR];

	if (local == NULL || local->proto != proto
	    || local->address.af != to->s.sa_family)
		local = sock_first(proto, to->s.sa_family);
	if (su_to_str(to, p, sizeof(p)) < 0)
		(void)snprintf(p, sizeof(p), "?");
	if (local == NULL) {
		LM_ERR("cannot connect to %s:%s: no %s listen socket of that "
		    "address family", proto_name(proto), p, proto_name(proto));
		return -1;
	}
	id = tcp_index_add(proto, to, local, tcp_owner_self,
	    TCP_CONN_CONNECTING, cdom);
	if (id == 0) {
		LM_ERR("cannot connect to %s:%s: tcp_max_connections (%d) "
		    "reached", proto_name(proto), p, tcp_max_connections);
		return -1;
	}
	fd = socket(to->s.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		goto fail;
	if (!local->is_any) {
		src = local->su;
		su_set_port(&src, 0);
		if (bind(fd, &src.s, su_len(&src)) == -1)
			goto fail;
	}
	if (connect(fd, &to->s, su_len(to)) == -1 && errno != EINPROGRESS)
		goto fail;
	if ((c = conn_new(fd, id, proto, to, local, TCP_CONN_CONNECTING))
	    == NULL) {
		(void)close(fd);
		tcp_index_remove(id);
		PKG_MEM_ERROR("opening a tcp connection");
		return -1;
	}
	c->action = "connecting";
	c->cdom = cdom;
	c->io_deadline = tcp_now() + tcp_connect_timeout;
	if (set_events(c, EPOLLOUT) == -1) {
		conn_close(c, "cannot watch it");
		return -1;
	}
	return conn_queue(c, buf, len);
fail:
	LM_ERR("cannot connect to %s:%s: %s", proto_name(proto), p,
	    strerror(errno));
	tcp_index_count_event(0, 0, 1, 0);
	if (fd != -1)
		(void)close(fd);
	tcp_index_remove(id);
	return -1;
}

static void
connect_done(struct tcp_conn *c)
{
	int err = 0;
	socklen_t l = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l) == -1)
		err = errno;
	if (err != 0) {
		tcp_index_count_event(0, 0, 1, 0);
		conn_close(c, strerror(err));
		return;
	}
	tcp_index_count_event(0, 1, 0, 0);
	c->state = TCP_CONN_OPEN;
	c->action = "reading";
	tcp_index_set_state(c->id, TCP_CONN_OPEN);
	if (c->ops != NULL) {
		if (layer_start(c, 0) == 0)
			layer_handshake(c);
		return;
	}
	c->io_deadline = c->wq != NULL ? tcp_now() + send_timeout(c) : 0;
	(void)wq_flush(c);
}

/* Describe <c> as the origin of a message read from it. */
void
tcp_owner_fill_ri(const struct tcp_conn *c, struct receive_info *ri)
{
	union sockaddr_union me;
	socklen_t l = sizeof(me);

	memset(ri, 0, sizeof(*ri));
	ri->src_su = c->remote;
	su_to_ip(&c->remote, &ri->src_ip);
	ri->src_port = su_port(&c->remote);
	ri->proto = c->proto;
	ri->conn_id = c->id;
	ri->bind_address = c->local;
	if (c->local != NULL && !c->local->is_any) {
		ri->dst_ip = c->local->address;	/* no syscall per message */
		ri->dst_port = c->local->port_no;
	} else if (getsockname(c->fd, &me.s, &l) == 0) {
		su_to_ip(&me, &ri->dst_ip);
		ri->dst_port = c->local != NULL ? c->local->port_no : su_port(&me);
	}
}

/* Close <c> once everything queued has been written. */
void
tcp_owner_close_after_flush(struct tcp_conn *c)
{
	c->close_after_flush = 1;
	if (c->wq == NULL)
		conn_close(c, NULL);
	else
		(void)set_events(c, EPOLLOUT);
}

/* Drop the read buffer of <c> (nothing buffered: idle connection). */
static void
rbuf_release(struct tcp_conn *c)
{
	pkg_free(c->rbuf);
	c->rbuf = NULL;
	rbuf_total -= c->rsize;
	c->rsize = 0;
}

/*
 * The connection to close so that read buffers fit the budget: the one
 * whose partial message holds the biggest buffer, the oldest of equals;
 * never <self> (it is reading now), never one without a partial message.
 */
static struct tcp_conn *
evict_pick(const struct tcp_conn *self)
{
	struct tcp_conn *c, *best = NULL;

	for (c = all; c != NULL; c = c->all_next) {
		if (c == self || c->closing || c->rlen == 0 || c->rsize == 0)
			continue;
		if (best == NULL || c->rsize > best->rsize
		    || (c->rsize == best->rsize
			&& c->partial_since < best->partial_since))
			best = c;
	}
	return best;
}

static void
evict(struct tcp_conn *v)
{
	char p[SU_MAX_STR];

	tcp_index_count_drop(1, 0);
	evict_unlogged++;
	if (evict_logged != tcp_now()) {	/* at most one line a second */
		evict_logged = tcp_now();
		LM_WARN("tcp connection %u (peer %s): closing: its unfinished "
		    "message holds a %d-byte read buffer and this worker's "
		    "read buffers reached tcp_read_buffer_budget (%ld KB); "
		    "%u connection(s) closed for it since the last line; "
		    "raise the budget (and -M) if these are real clients",
		    v->id, peer(v, p, sizeof(p)), v->rsize, rbuf_budget / 1024,
		    evict_unlogged);
		evict_unlogged = 0;
	}
	conn_close(v, NULL);
}

/*
 * Make room to read into: RBUF_MIN for a new buffer, double a full one
 * (up to the message limit).  Within the worker's budget, after closing
 * the biggest partial messages of other connections if need be.  0, or
 * -1 when the message is too large or memory cannot be had.
 */
static int
rbuf_room(struct tcp_conn *c)
{
	int max = tcp_max_msg_len + 64, n;
	struct tcp_conn *v;
	char *b;
	int i;

	if (c->rsize > c->rlen)
		return 0;
	if (c->rsize >= max)
		return -1;
	n = c->rsize == 0 ? RBUF_MIN : c->rsize * 2;
	if (n > max)
		n = max;
	for (i = 0; i < 100000 && rbuf_total - c->rsize + n > rbuf_budget
	    && (v = evict_pick(c)) != NULL; i++)
		evict(v);
	if (rbuf_total - c->rsize + n > rbuf_budget && c->rlen > 0)
		return -1;	/* the biggest partial message is this one */
	if ((b = pkg_realloc(c->rbuf, (size_t)n)) == NULL)
		return -1;
	rbuf_total += n - c->rsize;
	c->rbuf = b;
	c->rsize = n;
	return 0;
}

/*
 * Count <c> as unfinished work of its source address (a handshake or a
 * partial message), or stop counting it.  Accepted connections only.
 * -1 (and <c> closed) when the source is over tcp_max_unfinished_per_ip.
 */
static int
unfinished_set(struct tcp_conn *c, int on)
{
	char p[SU_MAX_STR];
	int n;

	if (!c->inbound || c->unfinished == on)
		return 0;
	c->unfinished = on;
	n = tcp_index_unfinished(&c->remote, on ? 1 : -1);
	if (!on || tcp_max_unfinished_per_ip <= 0
	    || n <= tcp_max_unfinished_per_ip)
		return 0;
	tcp_index_count_drop(0, 1);
	srclim_unlogged++;
	if (srclim_logged != tcp_now()) {
		srclim_logged = tcp_now();
		LM_WARN("tcp connection %u (peer %s): closing: its source has "
		    "%d unfinished handshakes or messages, over "
		    "tcp_max_unfinished_per_ip (%d); %u connection(s) closed "
		    "for it since the last line", c->id,
		    peer(c, p, sizeof(p)), n, tcp_max_unfinished_per_ip,
		    srclim_unlogged);
		srclim_unlogged = 0;
	}
	conn_close(c, NULL);
	return -1;
}

/*
 * Answer a CRLFCRLF keepalive with CRLF.  A peer that keeps pinging while
 * it does not read the answers (TCP_PONGS_MAX of them wait in a queue that
 * has not drained, or the queue refuses one) is closed with one line:
 * answering every ping would only fill this worker's memory and the log
 * (10 MB of CRLFs once made 1.6 million "out of pkg memory" lines).
 * 0, or -1 when the connection is closed.
 */
#define TCP_PONGS_MAX 64

static int
conn_pong(struct tcp_conn *c)
{
	char p[SU_MAX_STR];

	c->pongs_waiting++;	/* wq_flush() zeroes it when all is written */
	if (c->pongs_waiting <= TCP_PONGS_MAX && conn_queue(c, "\r\n", 2) == 0)
		return 0;
	if (c->closing)
		return -1;
	LM_WARN("tcp connection %u (peer %s): keepalive pings keep coming "
	    "but the peer does not read the answers (%d bytes unsent); "
	    "closing", c->id, peer(c, p, sizeof(p)), c->wq_bytes);
	conn_close(c, NULL);
	return -1;
}

/* Hand every complete message in the buffer to on_msg.  0 or -1. */
static int
frame_all(struct tcp_conn *c)
{
	enum tcp_frame_result r;
	int skip, mlen, used = 0;
	char p[SU_MAX_STR];

	while (!c->closing && !c->close_after_flush && used < c->rlen) {
		r = tcp_frame(c->rbuf + used, c->rlen - used, tcp_max_msg_len,
		    &skip, &mlen);
		if (r == TCP_FRAME_MORE) {
			used += skip;
			break;
		}
		if (r == TCP_FRAME_PING) {
			used += skip;
			if ((c->ops == NULL || *c->ops->crlf_pingpong)
			    && conn_pong(c) == -1)
				return -1;
			continue;
		}
		if (r == TCP_FRAME_TOO_BIG) {
			LM_WARN("tcp connection %u (peer %s): message longer "
			    "than %d bytes; closing", c->id,
			    peer(c, p, sizeof(p)), tcp_max_msg_len);
			conn_close(c, NULL);
			return -1;
		}
		on_msg(c, c->rbuf + used + skip, mlen, r);
		used += skip + mlen;
		if (r != TCP_FRAME_MSG && !c->closing)
			tcp_owner_close_after_flush(c);
	}
	if (c->closing)
		return -1;
	if (used > 0) {
		memmove(c->rbuf, c->rbuf + used, (size_t)(c->rlen - used));
		c->rlen -= used;
	}
	if (c->rlen == 0 && c->rbuf != NULL)
		rbuf_release(c);	/* idle connections hold no buffer */
	return 0;
}

/*
 * A message that needs more than max_msg_chunks reads (a peer dribbling
 * bytes to tie the worker up) closes the connection.  1 when closed.
 */
static int
too_fragmented(struct tcp_conn *c)
{
	char p[SU_MAX_STR];
	int max = *c->ops->max_msg_chunks;

	if (max <= 0 || ++c->chunks <= max)
		return 0;
	LM_WARN("tcp connection %u (peer %s): a message arrived in more than "
	    "%d reads (tls_max_msg_chunks); closing", c->id,
	    peer(c, p, sizeof(p)), max);
	conn_close(c, NULL);
	return 1;
}

/*
 * Read what <c> has, a bounded amount per readiness event: a peer that
 * keeps its connection busy must not hold the worker while other
 * connections wait (100 connections with 4 requests outstanding each saw
 * 70 ms p99 when one event read up to 64 times).  epoll is level
 * triggered, so what is left is reported again next round; data the
 * secure layer already holds is read now, since epoll cannot see it.
 */
#define READS_PER_EVENT 4

static void
conn_read(struct tcp_conn *c)
{
	int rounds, n, before, room;

	for (rounds = 0; rounds < 64 && !c->closing; rounds++) {
		if (rounds >= READS_PER_EVENT && (c->ops == NULL
		    || c->ops->pending == NULL || !c->ops->pending(c->st)))
			return;
		if (rbuf_room(c) == -1) {
			if (frame_all(c) == -1)
				return;
			if (rbuf_room(c) == -1) {
				LM_WARN("tcp connection %u: closing: no room to "
				    "read more of a %d-byte unfinished message "
				    "(tcp_max_msg_len, tcp_read_buffer_budget "
				    "or pkg memory)", c->id, c->rlen);
				conn_close(c, NULL);
				return;
			}
		}
		room = c->rsize - c->rlen;
		switch (conn_recv(c, c->rbuf + c->rlen, room, &n)) {
		case TR_OK:
			break;
		case TR_AGAIN:
			if (c->rlen == 0 && c->rbuf != NULL)
				rbuf_release(c);	/* idle: hold no buffer */
			return;
		case TR_EOF:
			conn_close(c, NULL);	/* peer closed: normal */
			return;
		case TR_ERROR:
			tcp_index_count_event(0, 0, 1, 0);
			conn_close(c, errno != 0 ? strerror(errno) : "read failed");
			return;
		}
		if (c->rlen == 0)
			c->partial_since = tcp_now();
		c->rlen += n;
		c->idle_deadline = tcp_now() + lifetime(c);
		/* a read that filled the buffer says nothing of the peer */
		if (c->ops != NULL && n < room && too_fragmented(c))
			return;
		before = c->rlen;
		if (frame_all(c) == -1 || c->close_after_flush)
			return;
		if (c->rlen < before)	/* a message left: count afresh */
			c->chunks = c->rlen > 0 ? 1 : 0;
		if (unfinished_set(c, c->rlen > 0) == -1)
			return;
	}
}

/* Handle epoll <events> on <c>.  Worker. */
void
tcp_owner_io(struct tcp_conn *c, unsigned int events)
{
	if (c->closing)
		return;
	if (c->state == TCP_CONN_CONNECTING) {
		if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			connect_done(c);
		return;
	}
	if (c->handshaking) {
		layer_handshake(c);
		return;
	}
	if (events & EPOLLOUT)
		if (wq_flush(c) == -1)
			return;
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		if (!c->close_after_flush)
			conn_read(c);
}

static int
pick_worker(const union sockaddr_union *to)
{
	struct ip_addr ip;
	unsigned int h = su_port(to), i;

	su_to_ip(to, &ip);
	for (i = 0; i < ip.len; i++)
		h = h * 31u + ip.u.addr[i];
	return (int)(h % (unsigned int)tcp_ipc_workers());
}

static int
hand_over(int worker, const struct dest_info *dst, unsigned int id,
    const char *buf, int len)
{
	struct tcp_ipc_hdr h;
	char p[SU_MAX_STR];

	memset(&h, 0, sizeof(h));
	h.type = TCP_IPC_SEND;
	h.conn_id = id;
	h.proto = dst->proto;
	h.to = dst->to;
	h.local = dst->send_sock;
	h.cdom = dst->tls_cdom;
	h.len = (unsigned int)len;
	if (tcp_ipc_send(worker, &h, buf) == 0)
		return 0;
	if (su_to_str(&dst->to, p, sizeof(p)) < 0)
		(void)snprintf(p, sizeof(p), "?");
	LM_ERR_RL("cannot hand a %d-byte message for %s:%s to tcp worker %d: %s",
	    len, proto_name(dst->proto), p, worker, strerror(errno));
	return -1;
}

/*
 * Send <len> bytes to <dst> over TCP (or TLS): on connection dst->conn_id
 * if it is alive, else on any connection to dst->to, else on a new one.
 * Any process; never blocks.  0 when queued or handed over, -1 on error.
 */
int
tcp_send(const struct dest_info *dst, const char *buf, int len)
{
	const struct stream_ops *ops = transport_get(dst->proto);
	struct dest_info d = *dst;
	struct tcp_conn_info ci;
	struct tcp_conn *c;
	int found = -1, w;

	/* the domain decides which connections may be reused */
	if (ops != NULL && ops->client_domain != NULL)
		d.tls_cdom = ops->client_domain(&d.to, d.tls_cdom);
	if (d.conn_id != 0)
		found = tcp_index_by_id(d.conn_id, &ci);
	if (found == -1)
		found = tcp_index_by_addr(d.proto, &d.to, d.tls_cdom, &ci);
	if (found == 0) {
		if (ci.owner != tcp_owner_self)
			return hand_over(ci.owner, &d, ci.id, buf, len);
		if ((c = local_by_id(ci.id)) != NULL)
			return conn_queue(c, buf, len);
	}
	w = pick_worker(&d.to);
	if (w != tcp_owner_self)
		return hand_over(w, &d, 0, buf, len);
	return conn_open(d.proto, &d.to, d.send_sock, d.tls_cdom, buf, len);
}

/* Serve the requests waiting on this worker's channel <fd>.  Worker. */
void
tcp_owner_ipc(int fd)
{
	struct tcp_ipc_hdr *h = (struct tcp_ipc_hdr *)(void *)ipc_buf;
	struct dest_info dst;
	struct tcp_conn *c;
	ssize_t n;
	int i;

	for (i = 0; i < 64; i++) {
		n = recv(fd, ipc_buf, sizeof(*h) + (size_t)tcp_max_msg_len + 1024,
		    MSG_DONTWAIT);
		if (n < 0)
			return;
		if ((size_t)n < sizeof(*h) || (size_t)n != sizeof(*h) + h->len) {
			LM_CRIT("BUG: malformed request on tcp worker channel");
			continue;
		}
		if (h->type == TCP_IPC_CLOSE) {
			if ((c = local_by_id(h->conn_id)) != NULL)
				conn_close(c, "closed on request");
			continue;
		}
		if (h->conn_id != 0 && (c = local_by_id(h->conn_id)) != NULL) {
			(void)conn_queue(c, ipc_buf + sizeof(*h), (int)h->len);
			continue;
		}
		memset(&dst, 0, sizeof(dst));
		dst.proto = h->proto;
		dst.to = h->to;
		dst.send_sock = h->local;
		dst.tls_cdom = h->cdom;
		/* the connection asked for is gone: by address, or a new one */
		(void)tcp_send(&dst, ipc_buf + sizeof(*h), (int)h->len);
	}
}

/* Enforce deadlines: connect, send and idle lifetime.  Worker, 1/s. */
void
tcp_owner_timer(long now)
{
	struct tcp_conn *c, *next;

	for (c = all; c != NULL; c = next) {
		next = c->all_next;
		if (c->io_deadline != 0 && now >= c->io_deadline) {
			tcp_index_count_event(0, 0, 1, 0);
			conn_close(c, c->state == TCP_CONN_CONNECTING
			    ? "connect timeout (tcp_connect_timeout)"
			    : c->handshaking
			    ? "TLS handshake timeout (tls_handshake_timeout)"
			    : c->ops != NULL ? "send timeout (tls_send_timeout)"
			    : "send timeout (tcp_send_timeout)");
		} else if (now >= c->idle_deadline && c->wq == NULL) {
			struct tcp_conn_info ci;

			/* a registration may hold it open (tcp_index_keepalive) */
			if (tcp_index_by_id(c->id, &ci) == 0 && ci.keep_until > now)
				c->idle_deadline = ci.keep_until;
			else
				conn_close(c, NULL);
		}
	}
}

/* Close every connection (worker exit). */
void
tcp_owner_shutdown(void)
{
	while (all != NULL)
		conn_close(all, NULL);
	tcp_owner_reap();
	pkg_free(ipc_buf);
	ipc_buf = NULL;
}

/*
 * siplo: a SIP load generator for loopback benchmarks of openser (and of
 * any SIP proxy listening on 127.0.0.0/8 or ::1).
 *
 * Modes (see siplo_usage()):
 *   persistent  N connections (udp, tcp, tls), K transactions outstanding
 *               on each (closed loop) or a total target rate (open loop)
 *   handshake   connect, full TLS handshake, one request, close; C clients
 *   hold        N idle TLS connections, one request each, held open; the
 *               proxy's memory (PSS of --pid and its descendants) at 0 and N
 *   call        UAS and UAC of INVITE/180/200/ACK/BYE/200 through the proxy:
 *               the UAS registers callee AoRs over its own connections, the
 *               UAC calls them (K calls per connection or a total rate)
 *
 * Every loop is bounded by a count and by time; every measured run prints
 * one JSON line on stdout, diagnostics go to stderr.  The generator is
 * not part of openser: it links only libc, pthreads and OpenSSL 3.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define SIPLO_RBUF		16384
#define SIPLO_WBUF		65536
#define SIPLO_HIST_SUB		16
#define SIPLO_HIST_N		(64 * SIPLO_HIST_SUB)
#define SIPLO_MAX_THREADS	64
#define SIPLO_MAX_CONNS		200000
#define SIPLO_SETUP_LIMIT_S	30.0	/* bound on connection set-up */
#define SIPLO_DRAIN_S		2.0	/* bound on waiting for stragglers */

enum siplo_mode { MODE_PERSISTENT, MODE_HANDSHAKE, MODE_HOLD, MODE_CALL };
enum siplo_proto { PROTO_UDP, PROTO_TCP, PROTO_TLS };
enum siplo_state {
	ST_NEW = 0, ST_CONNECTING, ST_HANDSHAKE, ST_READY, ST_DEAD
};

struct siplo_conf {
	enum siplo_mode		mode;
	enum siplo_proto	proto;
	struct sockaddr_storage	addr;
	socklen_t		addrlen;
	char			host[64];
	int			port;
	int			conns;		/* -c */
	int			outstanding;	/* -k */
	double			rate;		/* -r, 0 = closed loop */
	int			do_register;	/* -m REGISTER */
	long			max_tx;		/* -n */
	double			duration;	/* -d */
	double			warmup;		/* -W */
	int			threads;	/* -w */
	int			resume;		/* --resume */
	int			hs_only;	/* --no-request */
	int			pid;		/* --pid */
	double			hold;		/* --hold */
	int			user_base;	/* --user-base */
	int			users;		/* --users */
	int			timeout_ms;	/* --timeout */
	int			tls13;		/* --tls 1.2|1.3 */
	int			callees;	/* call: --callees */
	int			uas_conns;	/* call: --uas-conns */
	const char		*ready_file;
	const char		*label;
};

enum siplo_call_state { CALL_FREE = 0, CALL_INVITING, CALL_BYE };

struct siplo_slot {
	uint64_t	seq;		/* 0: free */
	uint64_t	t_sent;		/* ns; call: INVITE, then BYE sent */
	int		state;		/* call: enum siplo_call_state */
	int		callee;		/* call: callee index */
};

struct siplo_worker;

struct siplo_conn {
	int			fd;
	int			idx;		/* global index */
	enum siplo_state	state;
	uint32_t		events;		/* current epoll interest */
	int			want_write;
	SSL			*ssl;
	SSL_SESSION		*sess;		/* handshake --resume */
	struct siplo_worker	*w;
	uint16_t		lport;
	uint64_t		seq;		/* last CSeq sent */
	uint64_t		t_start;	/* handshake: connect() time */
	int			inflight;
	int			answered;	/* hold: first reply seen */
	int			uas;		/* call: UAS end (registers, answers) */
	int			uas_no;		/* call: which UAS connection */
	int			reg_next;	/* call: callees registered so far */
	int			reg_inflight;
	size_t			rlen;
	size_t			woff;
	size_t			wlen;
	struct siplo_slot	*slots;
	char			*rbuf;
	char			*wbuf;
};

struct siplo_stats {
	uint64_t	sent;
	uint64_t	ok;		/* 2xx in the window */
	uint64_t	ok_all;
	uint64_t	fail;		/* >= 300 */
	uint64_t	timeouts;
	uint64_t	unanswered;	/* still pending at the end */
	uint64_t	skipped;	/* open loop: no free slot or buffer */
	uint64_t	conn_ok;
	uint64_t	conn_fail;
	uint64_t	conn_lost;
	uint64_t	resumed;
	uint64_t	lat_max;
	uint64_t	calls_done;	/* call: BYE answered 2xx */
	uint64_t	bye_fail;	/* call: BYE failed or timed out */
	uint64_t	ringing;	/* call: 180 seen by the UAC */
	uint64_t	reg_ok;		/* call: callees registered */
	uint64_t	reg_fail;
	uint64_t	uas_drop;	/* call: UAS reply not sent (buffer) */
	uint64_t	hist[SIPLO_HIST_N];
};

struct siplo_worker {
	int			id;
	int			ep;
	pthread_t		tid;
	struct siplo_conn	*conns;
	int			nconns;
	int			first_idx;
	int			slot_mask;
	long			quota;		/* transactions this worker may send */
	long			started;	/* handshake: connections started */
	atomic_long		n_answered;	/* hold: connections with a reply */
	atomic_long		n_open;		/* connections set up, not closed */
	int			rr;		/* round robin cursor */
	int			pending;	/* connections being set up */
	uint64_t		t0;		/* start of the load phase */
	uint64_t		t_win0;		/* start of the measured window */
	uint64_t		t_win1;		/* end of the measured window */
	struct siplo_stats	st;
};

static struct siplo_conf	siplo_cf;
static SSL_CTX			*siplo_ctx;
static atomic_int		siplo_stop;
static atomic_int		siplo_phase;	/* 0 set-up, 1 load, 2 hold */
static pthread_barrier_t	siplo_barrier;
static unsigned long		siplo_runid;

static uint64_t
siplo_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- latency histogram: 16 linear sub-buckets per power of two (us) */

static int
siplo_hist_idx(uint64_t us)
{
	int msb;

	if (us < SIPLO_HIST_SUB)
		return (int)us;
	msb = 63 - __builtin_clzll(us);
	return (msb - 3) * SIPLO_HIST_SUB
	    + (int)((us >> (msb - 4)) & (SIPLO_HIST_SUB - 1));
}

static double
siplo_hist_value(int idx)
{
	int msb, sub;
	double lo, width;

	if (idx < SIPLO_HIST_SUB)
		return idx;
	msb = idx / SIPLO_HIST_SUB + 3;
	sub = idx % SIPLO_HIST_SUB;
	lo = (double)((uint64_t)(SIPLO_HIST_SUB + sub) << (msb - 4));
	width = (double)((uint64_t)1 << (msb - 4));
	return lo + width / 2;
}

static void
siplo_hist_add(struct siplo_stats *st, uint64_t ns)
{
	uint64_t us = ns / 1000;

	st->hist[siplo_hist_idx(us)]++;
	if (us > st->lat_max)
		st->lat_max = us;
}

static double
siplo_hist_pct(const struct siplo_stats *st, double pct)
{
	uint64_t total = 0, want, acc = 0;
	int i;

	for (i = 0; i < SIPLO_HIST_N; i++)
		total += st->hist[i];
	if (total == 0)
		return 0;
	want = (uint64_t)(pct / 100.0 * (double)total);
	if (want == 0)
		want = 1;
	for (i = 0; i < SIPLO_HIST_N; i++) {
		acc += st->hist[i];
		if (acc >= want)
			return siplo_hist_value(i);
	}
	return (double)st->lat_max;
}

/* ---- /proc: process tree of --pid, its PSS and CPU time */

static int
siplo_proc_tree(int root, int *pids, int max)
{
	int n = 0, grew = 1, i, pid, ppid;
	DIR *d;
	struct dirent *e;
	char path[64], buf[512], *p;
	FILE *f;

	pids[n++] = root;
	while (grew) {
		grew = 0;
		if ((d = opendir("/proc")) == NULL)
			return n;
		while ((e = readdir(d)) != NULL && n < max) {
			if (!isdigit((unsigned char)e->d_name[0]))
				continue;
			pid = atoi(e->d_name);
			(void)snprintf(path, sizeof(path), "/proc/%d/stat", pid);
			if ((f = fopen(path, "r")) == NULL)
				continue;
			p = fgets(buf, sizeof(buf), f);
			fclose(f);
			if (p == NULL || (p = strrchr(buf, ')')) == NULL)
				continue;
			if (sscanf(p + 2, "%*c %d", &ppid) != 1)
				continue;
			for (i = 0; i < n && pids[i] != pid; i++)
				;
			if (i < n)
				continue;
			for (i = 0; i < n && pids[i] != ppid; i++)
				;
			if (i < n) {
				pids[n++] = pid;
				grew = 1;
			}
		}
		closedir(d);
	}
	return n;
}

/* total PSS in kB of the tree under <root>, -1 when it cannot be read */
static long
siplo_proc_pss(int root)
{
	int pids[1024], n, i;
	long total = 0, v;
	char path[64], line[256];
	FILE *f;

	n = siplo_proc_tree(root, pids, 1024);
	for (i = 0; i < n; i++) {
		(void)snprintf(path, sizeof(path), "/proc/%d/smaps_rollup",
		    pids[i]);
		if ((f = fopen(path, "r")) == NULL)
			return -1;
		while (fgets(line, sizeof(line), f) != NULL)
			if (sscanf(line, "Pss: %ld kB", &v) == 1)
				total += v;
		fclose(f);
	}
	return total;
}

/* user+system CPU seconds used by the tree under <root> */
static double
siplo_proc_cpu(int root)
{
	int pids[1024], n, i;
	unsigned long ut, stt;
	double total = 0;
	char path[64], buf[1024], *p;
	FILE *f;

	n = siplo_proc_tree(root, pids, 1024);
	for (i = 0; i < n; i++) {
		(void)snprintf(path, sizeof(path), "/proc/%d/stat", pids[i]);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		p = fgets(buf, sizeof(buf), f);
		fclose(f);
		if (p == NULL || (p = strrchr(buf, ')')) == NULL)
			continue;
		if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u"
		    " %lu %lu", &ut, &stt) == 2)
			total += (double)(ut + stt);
	}
	return total / (double)sysconf(_SC_CLK_TCK);
}

/* ---- connections */

static void
siplo_ep_set(struct siplo_conn *c, uint32_t ev)
{
	struct epoll_event e;

	if (c->events == ev)
		return;
	e.events = ev;
	e.data.ptr = c;
	if (epoll_ctl(c->w->ep, EPOLL_CTL_MOD, c->fd, &e) == -1)
		fprintf(stderr, "siplo: epoll_ctl conn %d: %s\n", c->idx,
		    strerror(errno));
	c->events = ev;
}

static void
siplo_conn_close(struct siplo_conn *c, int lost)
{
	struct siplo_worker *w = c->w;
	int i;

	if (c->fd < 0)
		return;
	if (c->ssl != NULL) {
		if (c->state == ST_READY) {
			ERR_clear_error();
			(void)SSL_shutdown(c->ssl);
		}
		if (siplo_cf.resume && c->sess == NULL)
			c->sess = SSL_get1_session(c->ssl);
		if (c->sess != NULL && !SSL_SESSION_is_resumable(c->sess)) {
			SSL_SESSION_free(c->sess);
			c->sess = NULL;
		}
		SSL_free(c->ssl);
		c->ssl = NULL;
		ERR_clear_error();
	}
	close(c->fd);
	c->fd = -1;
	if (c->state == ST_CONNECTING || c->state == ST_HANDSHAKE)
		w->pending--;
	if (c->answered && siplo_cf.mode == MODE_HOLD)
		atomic_fetch_sub(&w->n_answered, 1);
	if (c->state == ST_READY && siplo_cf.proto != PROTO_UDP)
		atomic_fetch_sub(&w->n_open, 1);
	c->answered = 0;
	if (lost) {
		w->st.conn_lost++;
		for (i = 0; i <= w->slot_mask; i++)
			if (c->slots[i].seq != 0) {
				c->slots[i].seq = 0;
				w->st.fail++;
			}
		c->inflight = 0;
	}
	c->state = ST_DEAD;
	c->rlen = c->wlen = c->woff = 0;
}

static int
siplo_conn_open(struct siplo_conn *c)
{
	int type = siplo_cf.proto == PROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;
	int one = 1;
	struct epoll_event e;
	struct sockaddr_storage la;
	socklen_t ll = sizeof(la);

	c->fd = socket(siplo_cf.addr.ss_family, type | SOCK_NONBLOCK
	    | SOCK_CLOEXEC, 0);
	if (c->fd == -1)
		goto fail;
	if (type == SOCK_STREAM)
		(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
	if (connect(c->fd, (struct sockaddr *)&siplo_cf.addr,
	    siplo_cf.addrlen) == -1 && errno != EINPROGRESS)
		goto fail;
	if (getsockname(c->fd, (struct sockaddr *)&la, &ll) == 0)
		c->lport = ntohs(la.ss_family == AF_INET
		    ? ((struct sockaddr_in *)&la)->sin_port
		    : ((struct sockaddr_in6 *)&la)->sin6_port);
	c->t_start = siplo_now();
	c->state = type == SOCK_DGRAM ? ST_READY : ST_CONNECTING;
	c->events = type == SOCK_DGRAM ? EPOLLIN : EPOLLOUT;
	c->rlen = c->wlen = c->woff = 0;
	c->want_write = 0;
	e.events = c->events;
	e.data.ptr = c;
	if (epoll_ctl(c->w->ep, EPOLL_CTL_ADD, c->fd, &e) == -1)
		goto fail;
	if (c->state == ST_CONNECTING)
		c->w->pending++;
	else
		c->w->st.conn_ok++;
	return 0;
fail:
	fprintf(stderr, "siplo: conn %d: connect to %s:%d: %s\n", c->idx,
	    siplo_cf.host, siplo_cf.port, strerror(errno));
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	c->state = ST_DEAD;
	c->w->st.conn_fail++;
	return -1;
}

static void
siplo_conn_failed(struct siplo_conn *c, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	char eb[160] = "";

	if (e != 0)
		ERR_error_string_n(e, eb, sizeof(eb));
	if (c->w->st.conn_fail < 5)
		fprintf(stderr, "siplo: conn %d: %s failed: %s\n", c->idx,
		    what, e != 0 ? eb : strerror(errno));
	c->w->st.conn_fail++;
	siplo_conn_close(c, 0);
}

static void
siplo_conn_ready(struct siplo_conn *c)
{
	struct siplo_worker *w = c->w;
	uint64_t now;

	w->pending--;
	w->st.conn_ok++;
	atomic_fetch_add(&w->n_open, 1);
	c->state = ST_READY;
	if (c->ssl != NULL && SSL_session_reused(c->ssl))
		w->st.resumed++;
	siplo_ep_set(c, EPOLLIN);
	if (siplo_cf.mode == MODE_HANDSHAKE && siplo_cf.hs_only) {
		/* --no-request: the handshake is the transaction */
		now = siplo_now();
		if (now >= w->t_win0 && now < w->t_win1) {
			w->st.ok++;
			siplo_hist_add(&w->st, now - c->t_start);
		}
		c->answered = 1;
		siplo_conn_close(c, 0);
	}
}

static void
siplo_conn_handshake(struct siplo_conn *c)
{
	int r, err;

	ERR_clear_error();
	r = SSL_do_handshake(c->ssl);
	if (r == 1) {
		siplo_conn_ready(c);
		return;
	}
	err = SSL_get_error(c->ssl, r);
	if (err == SSL_ERROR_WANT_READ)
		siplo_ep_set(c, EPOLLIN);
	else if (err == SSL_ERROR_WANT_WRITE)
		siplo_ep_set(c, EPOLLIN | EPOLLOUT);
	else
		siplo_conn_failed(c, "TLS handshake");
}

static void
siplo_conn_connected(struct siplo_conn *c)
{
	int err = 0;
	socklen_t l = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l) == -1
	    || err != 0) {
		errno = err;
		siplo_conn_failed(c, "connect");
		return;
	}
	if (siplo_cf.proto == PROTO_TCP) {
		siplo_conn_ready(c);
		return;
	}
	ERR_clear_error();
	if ((c->ssl = SSL_new(siplo_ctx)) == NULL
	    || SSL_set_fd(c->ssl, c->fd) != 1) {
		siplo_conn_failed(c, "SSL_new");
		return;
	}
	if (c->sess != NULL) {
		(void)SSL_set_session(c->ssl, c->sess);
		SSL_SESSION_free(c->sess);
		c->sess = NULL;
	}
	SSL_set_connect_state(c->ssl);
	c->state = ST_HANDSHAKE;
	siplo_conn_handshake(c);
}

/* ---- requests */

static int
siplo_build(struct siplo_conn *c, uint64_t seq, char *buf, size_t size)
{
	static const char *const tp[] = { "UDP", "TCP", "TLS" };
	static const char *const tq[] = { "udp", "tcp", "tls" };
	const char *m = siplo_cf.do_register ? "REGISTER" : "OPTIONS";
	long user;
	int n;

	user = siplo_cf.user_base + ((long)c->idx * siplo_cf.outstanding
	    + (long)(seq % (uint64_t)siplo_cf.outstanding))
	    % siplo_cf.users;
	n = snprintf(buf, size,
	    "%s sip:%s:%d SIP/2.0\r\n"
	    "Via: SIP/2.0/%s 127.0.0.1:%u;branch=z9hG4bK-%lx-%d-%" PRIu64
	    ";rport\r\n"
	    "Max-Forwards: 70\r\n"
	    "From: <sip:user%ld@%s>;tag=%d\r\n"
	    "To: <sip:user%ld@%s>\r\n"
	    "Call-ID: %lx-%d-%" PRIu64 "@siplo\r\n"
	    "CSeq: %" PRIu64 " %s\r\n"
	    "Contact: <sip:user%ld@127.0.0.1:%u;transport=%s>\r\n"
	    "%s"
	    "User-Agent: siplo\r\n"
	    "Content-Length: 0\r\n\r\n",
	    m, siplo_cf.host, siplo_cf.port,
	    tp[siplo_cf.proto], c->lport, siplo_runid, c->idx, seq,
	    user, siplo_cf.host, c->idx, user, siplo_cf.host,
	    siplo_runid, c->idx, seq, seq, m,
	    user, c->lport, tq[siplo_cf.proto],
	    siplo_cf.do_register ? "Expires: 3600\r\n" : "");
	return n > 0 && (size_t)n < size ? n : -1;
}

static int
siplo_flush(struct siplo_conn *c)
{
	ssize_t n;
	int r, err;

	while (c->woff < c->wlen) {
		if (c->ssl != NULL) {
			ERR_clear_error();
			r = SSL_write(c->ssl, c->wbuf + c->woff,
			    (int)(c->wlen - c->woff));
			if (r <= 0) {
				err = SSL_get_error(c->ssl, r);
				if (err == SSL_ERROR_WANT_WRITE
				    || err == SSL_ERROR_WANT_READ)
					break;
				return -1;
			}
			n = r;
		} else {
			n = send(c->fd, c->wbuf + c->woff, c->wlen - c->woff,
			    MSG_NOSIGNAL);
			if (n == -1) {
				if (errno == EAGAIN || errno == EINTR)
					break;
				return -1;
			}
		}
		c->woff += (size_t)n;
	}
	if (c->woff == c->wlen) {
		c->woff = c->wlen = 0;
		siplo_ep_set(c, EPOLLIN);
	} else {
		siplo_ep_set(c, EPOLLIN | EPOLLOUT);
	}
	return 0;
}

/* send (UDP) or queue for siplo_flush() one message; -1 if it cannot go */
static int
siplo_queue(struct siplo_conn *c, const char *msg, size_t len)
{
	if (siplo_cf.proto == PROTO_UDP)
		return send(c->fd, msg, len, 0) == (ssize_t)len ? 0 : -1;
	if (c->woff > 0 && SIPLO_WBUF - c->wlen < len) {
		memmove(c->wbuf, c->wbuf + c->woff, c->wlen - c->woff);
		c->wlen -= c->woff;
		c->woff = 0;
	}
	if (SIPLO_WBUF - c->wlen < len)
		return -1;
	memcpy(c->wbuf + c->wlen, msg, len);
	c->wlen += len;
	return 0;
}

static int siplo_call_start(struct siplo_conn *c, uint64_t now);

/* queue (or, for UDP, send) one request; -1 when it cannot go now */
static int
siplo_send(struct siplo_conn *c, uint64_t now)
{
	struct siplo_worker *w = c->w;
	struct siplo_slot *s;
	char msg[1024];
	uint64_t seq = c->seq + 1;
	int len;

	if (siplo_cf.mode == MODE_CALL)
		return siplo_call_start(c, now);
	s = &c->slots[seq & (uint64_t)w->slot_mask];
	if (c->state != ST_READY || s->seq != 0)
		return -1;
	if ((len = siplo_build(c, seq, msg, sizeof(msg))) < 0)
		return -1;
	if (siplo_queue(c, msg, (size_t)len) == -1)
		return -1;
	c->seq = seq;
	s->seq = seq;
	s->t_sent = now;
	c->inflight++;
	w->st.sent++;
	return 0;
}

/* a worker may send while in the load phase, within its quota and time */
static int
siplo_may_send(struct siplo_worker *w, uint64_t now)
{
	long done = siplo_cf.mode == MODE_HANDSHAKE ? w->started
	    : (long)w->st.sent;

	return atomic_load(&siplo_phase) == 1 && done < w->quota
	    && now < w->t_win1;
}

/* ---- call mode: a UAC and a UAS of INVITE/180/200/ACK/BYE/200
 *
 * Connections 0 .. uas_conns-1 are UAS ends: before the load phase they
 * REGISTER the callees "c<runid>x<j>" (callee j on UAS connection
 * j % uas_conns, Contact = that connection's own address), then answer
 * every INVITE with 180 and 200 and every BYE with 200, statelessly (the
 * To tag is a hash of the Call-ID, so 180 and 200 agree).  The other
 * connections are UAC ends: a call takes a slot, its Call-ID names the
 * connection, slot and sequence number; the 200 for the INVITE gives the
 * remote target (Contact) and the route set (Record-Route, reversed),
 * from which the ACK and the BYE are built (loose routing: R-URI = remote
 * target, Route = route set; a first route without ;lr is a strict
 * router and becomes the R-URI).  Everything goes over the connection to
 * the proxy.  The latency is INVITE sent -> 200 received.
 */

#define SIPLO_CALL_MSG	4096
#define SIPLO_MAX_ROUTES 16
#define SIPLO_REG_BATCH	32

static void siplo_event(struct siplo_conn *c, uint32_t ev, uint64_t now);

struct siplo_hdr {
	const char	*name;
	size_t		nlen;
	const char	*val;
	size_t		vlen;
	const char	*line;		/* the whole line with its CRLF */
	size_t		llen;
};

struct siplo_out {
	char		*p;
	size_t		len;
	size_t		size;
	int		err;
};

static void
siplo_put(struct siplo_out *o, const char *s, size_t n)
{
	if (o->err || o->size - o->len <= n) {
		o->err = 1;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void siplo_putf(struct siplo_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
siplo_putf(struct siplo_out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->err)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->p + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->size - o->len)
		o->err = 1;
	else
		o->len += (size_t)n;
}

/* next header line in [*pp, end); end is just after the last header's CRLF */
static int
siplo_next_hdr(const char **pp, const char *end, struct siplo_hdr *h)
{
	const char *p = *pp, *eol, *colon, *q;

	while (p < end) {
		eol = memmem(p, (size_t)(end - p), "\r\n", 2);
		if (eol == NULL)
			return 0;
		*pp = eol + 2;
		colon = memchr(p, ':', (size_t)(eol - p));
		if (colon == NULL) {
			p = eol + 2;
			continue;
		}
		for (q = colon; q > p && (q[-1] == ' ' || q[-1] == '\t'); q--)
			;
		h->name = p;
		h->nlen = (size_t)(q - p);
		for (q = colon + 1; q < eol && (*q == ' ' || *q == '\t'); q++)
			;
		h->val = q;
		for (q = eol; q > h->val && (q[-1] == ' ' || q[-1] == '\t'); q--)
			;
		h->vlen = (size_t)(q - h->val);
		h->line = p;
		h->llen = (size_t)(eol + 2 - p);
		return 1;
	}
	return 0;
}

static int
siplo_is_hdr(const struct siplo_hdr *h, const char *name, char compact)
{
	size_t n = strlen(name);

	if (h->nlen == n && strncasecmp(h->name, name, n) == 0)
		return 1;
	return compact != 0 && h->nlen == 1
	    && tolower((unsigned char)h->name[0]) == compact;
}

/* first header <name>; 0 if there is none */
static int
siplo_find_hdr(const char *b, const char *end, const char *name,
    char compact, struct siplo_hdr *h)
{
	const char *p = memmem(b, (size_t)(end - b), "\r\n", 2);

	if (p == NULL)
		return 0;
	p += 2;
	while (siplo_next_hdr(&p, end, h))
		if (siplo_is_hdr(h, name, compact))
			return 1;
	return 0;
}

static const char *
siplo_tp_upper(void)
{
	static const char *const tp[] = { "UDP", "TCP", "TLS" };

	return tp[siplo_cf.proto];
}

/* ";transport=tcp|tls" for a Contact, nothing for UDP */
static const char *
siplo_tp_param(void)
{
	static const char *const tq[] = { "", ";transport=tcp",
	    ";transport=tls" };

	return tq[siplo_cf.proto];
}

static uint32_t
siplo_fnv(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	while (n-- > 0)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* UAS: REGISTER the next callee of this connection */
static int
siplo_call_register(struct siplo_conn *c)
{
	char msg[1024];
	long j = (long)c->reg_next * siplo_cf.uas_conns + c->uas_no;
	int n;

	n = snprintf(msg, sizeof(msg),
	    "REGISTER sip:%s:%d SIP/2.0\r\n"
	    "Via: SIP/2.0/%s 127.0.0.1:%u;branch=z9hG4bK-r%lx-%d-%ld;rport\r\n"
	    "Max-Forwards: 70\r\n"
	    "From: <sip:c%lxx%ld@%s>;tag=r%d\r\n"
	    "To: <sip:c%lxx%ld@%s>\r\n"
	    "Call-ID: reg-%lx-%d-%ld@siplo\r\n"
	    "CSeq: 1 REGISTER\r\n"
	    "Contact: <sip:c%lxx%ld@127.0.0.1:%u%s>\r\n"
	    "Expires: 3600\r\n"
	    "User-Agent: siplo\r\n"
	    "Content-Length: 0\r\n\r\n",
	    siplo_cf.host, siplo_cf.port,
	    siplo_tp_upper(), c->lport, siplo_runid, c->idx, j,
	    siplo_runid, j, siplo_cf.host, c->idx,
	    siplo_runid, j, siplo_cf.host,
	    siplo_runid, c->idx, j,
	    siplo_runid, j, c->lport, siplo_tp_param());
	if (n <= 0 || (size_t)n >= sizeof(msg)
	    || siplo_queue(c, msg, (size_t)n) == -1)
		return -1;
	c->reg_next++;
	c->reg_inflight++;
	return 0;
}

/* callees served by UAS connection <c> */
static int
siplo_call_my_callees(const struct siplo_conn *c)
{
	return siplo_cf.callees / siplo_cf.uas_conns
	    + (c->uas_no < siplo_cf.callees % siplo_cf.uas_conns);
}

static void
siplo_call_reg_fill(struct siplo_conn *c)
{
	int mine = siplo_call_my_callees(c);

	while (c->state == ST_READY && c->reg_next < mine
	    && c->reg_inflight < SIPLO_REG_BATCH)
		if (siplo_call_register(c) == -1)
			break;
}

/* before the load phase: register every callee, bounded in time */
static void
siplo_call_register_all(struct siplo_worker *w)
{
	uint64_t t_end = siplo_now() + (uint64_t)(SIPLO_SETUP_LIMIT_S * 1e9);
	struct epoll_event ev[256];
	struct siplo_conn *c;
	int i, n, k, busy;

	while (!atomic_load(&siplo_stop) && siplo_now() < t_end) {
		busy = 0;
		for (i = 0; i < w->nconns; i++) {
			c = &w->conns[i];
			if (!c->uas || c->state != ST_READY)
				continue;
			siplo_call_reg_fill(c);
			if (c->reg_inflight > 0)
				busy = 1;
			if (siplo_cf.proto != PROTO_UDP && siplo_flush(c) == -1)
				siplo_conn_close(c, 1);
		}
		if (!busy)
			break;
		n = epoll_wait(w->ep, ev, 256, 50);
		for (k = 0; k < n; k++)
			siplo_event(ev[k].data.ptr, ev[k].events, siplo_now());
	}
	for (i = 0; i < w->nconns; i++)
		w->conns[i].reg_inflight = 0;	/* late replies are ignored */
}

/* UAC: a new call on a free slot of <c>; -1 when there is none */
static int
siplo_call_start(struct siplo_conn *c, uint64_t now)
{
	static atomic_long next_callee;
	struct siplo_worker *w = c->w;
	struct siplo_slot *s = NULL;
	uint64_t seq = c->seq + 1;
	char msg[1024];
	int i, slot = 0, n;
	long j;

	if (c->uas || c->state != ST_READY)
		return -1;
	for (i = 0; i <= w->slot_mask; i++) {
		slot = (int)((seq + (uint64_t)i) & (uint64_t)w->slot_mask);
		if (c->slots[slot].seq == 0) {
			s = &c->slots[slot];
			break;
		}
	}
	if (s == NULL)
		return -1;
	j = atomic_fetch_add(&next_callee, 1) % siplo_cf.callees;
	n = snprintf(msg, sizeof(msg),
	    "INVITE sip:c%lxx%ld@%s:%d SIP/2.0\r\n"
	    "Via: SIP/2.0/%s 127.0.0.1:%u;branch=z9hG4bK-%lx-%d-%d-%" PRIu64
	    "i;rport\r\n"
	    "Max-Forwards: 70\r\n"
	    "From: <sip:caller%d@%s>;tag=f%d-%d-%" PRIu64 "\r\n"
	    "To: <sip:c%lxx%ld@%s>\r\n"
	    "Call-ID: %lx-%d-%d-%" PRIu64 "@siplo\r\n"
	    "CSeq: 1 INVITE\r\n"
	    "Contact: <sip:caller%d@127.0.0.1:%u%s>\r\n"
	    "User-Agent: siplo\r\n"
	    "Content-Length: 0\r\n\r\n",
	    siplo_runid, j, siplo_cf.host, siplo_cf.port,
	    siplo_tp_upper(), c->lport, siplo_runid, c->idx, slot, seq,
	    c->idx, siplo_cf.host, c->idx, slot, seq,
	    siplo_runid, j, siplo_cf.host,
	    siplo_runid, c->idx, slot, seq,
	    c->idx, c->lport, siplo_tp_param());
	if (n <= 0 || (size_t)n >= sizeof(msg)
	    || siplo_queue(c, msg, (size_t)n) == -1)
		return -1;
	c->seq = seq;
	s->seq = seq;
	s->t_sent = now;
	s->state = CALL_INVITING;
	s->callee = (int)j;
	c->inflight++;
	w->st.sent++;
	return 0;
}

static void
siplo_call_free(struct siplo_conn *c, struct siplo_slot *s)
{
	s->seq = 0;
	s->state = CALL_FREE;
	c->inflight--;
}

/* the URI inside a name-addr or addr-spec value */
static void
siplo_uri(const char *v, size_t n, const char **u, size_t *ul)
{
	const char *lt = memchr(v, '<', n), *gt, *semi;

	if (lt != NULL && (gt = memchr(lt, '>', n - (size_t)(lt - v)))
	    != NULL) {
		*u = lt + 1;
		*ul = (size_t)(gt - lt - 1);
		return;
	}
	semi = memchr(v, ';', n);
	*u = v;
	*ul = semi != NULL ? (size_t)(semi - v) : n;
}

/* UAC: the 200 for INVITE: ACK and BYE along the route set */
static void
siplo_call_ack_bye(struct siplo_conn *c, const char *b, const char *hend,
    int slot, uint64_t seq)
{
	const char *rr[SIPLO_MAX_ROUTES], *p, *q, *e, *start, *tgt = NULL;
	const char *ruri;
	size_t rrl[SIPLO_MAX_ROUTES], tgtl = 0, ruril, tl;
	struct siplo_hdr h, from, to, cid;
	char msg[SIPLO_CALL_MSG];
	struct siplo_out o;
	int nrr = 0, i, inq, inb, loose, k;

	if (!siplo_find_hdr(b, hend, "From", 'f', &from)
	    || !siplo_find_hdr(b, hend, "To", 't', &to)
	    || !siplo_find_hdr(b, hend, "Call-ID", 'i', &cid))
		goto bad;
	p = (const char *)memmem(b, (size_t)(hend - b), "\r\n", 2) + 2;
	while (siplo_next_hdr(&p, hend, &h)) {
		if (siplo_is_hdr(&h, "Contact", 'm') && tgt == NULL)
			siplo_uri(h.val, h.vlen, &tgt, &tgtl);
		if (!siplo_is_hdr(&h, "Record-Route", 0))
			continue;
		/* one entry per comma outside <> and quotes */
		e = h.val + h.vlen;
		inq = inb = 0;
		for (q = start = h.val; ; q++) {
			if (q == e || (*q == ',' && !inq && !inb)) {
				while (start < q && (*start == ' '
				    || *start == '\t'))
					start++;
				if (start < q) {
					if (nrr == SIPLO_MAX_ROUTES)
						goto bad;
					rr[nrr] = start;
					rrl[nrr++] = (size_t)(q - start);
				}
				if (q == e)
					break;
				start = q + 1;
			} else if (*q == '"') {
				inq = !inq;
			} else if (!inq && *q == '<') {
				inb = 1;
			} else if (!inq && *q == '>') {
				inb = 0;
			}
		}
	}
	if (tgt == NULL || tgtl == 0)
		goto bad;
	/* route set = Record-Route reversed; loose if its first has ;lr */
	for (i = 0; i < nrr / 2; i++) {
		p = rr[i];
		rr[i] = rr[nrr - 1 - i];
		rr[nrr - 1 - i] = p;
		tl = rrl[i];
		rrl[i] = rrl[nrr - 1 - i];
		rrl[nrr - 1 - i] = tl;
	}
	loose = nrr == 0 || memmem(rr[0], rrl[0], ";lr", 3) != NULL;
	if (loose) {
		ruri = tgt;
		ruril = tgtl;
	} else {
		siplo_uri(rr[0], rrl[0], &ruri, &ruril);
	}
	for (k = 0; k < 2; k++) {
		o.p = msg;
		o.len = 0;
		o.size = sizeof(msg);
		o.err = 0;
		siplo_putf(&o, "%s %.*s SIP/2.0\r\n"
		    "Via: SIP/2.0/%s 127.0.0.1:%u;branch=z9hG4bK-%lx-%d-%d-%"
		    PRIu64 "%c;rport\r\n"
		    "Max-Forwards: 70\r\n", k == 0 ? "ACK" : "BYE",
		    (int)ruril, ruri, siplo_tp_upper(), c->lport, siplo_runid,
		    c->idx, slot, seq, k == 0 ? 'a' : 'b');
		for (i = loose ? 0 : 1; i < nrr; i++) {
			siplo_put(&o, "Route: ", 7);
			siplo_put(&o, rr[i], rrl[i]);
			siplo_put(&o, "\r\n", 2);
		}
		if (!loose)
			siplo_putf(&o, "Route: <%.*s>\r\n", (int)tgtl, tgt);
		siplo_put(&o, from.line, from.llen);
		siplo_put(&o, to.line, to.llen);
		siplo_put(&o, cid.line, cid.llen);
		siplo_putf(&o, "CSeq: %d %s\r\n"
		    "User-Agent: siplo\r\n"
		    "Content-Length: 0\r\n\r\n", k + 1, k == 0 ? "ACK" : "BYE");
		if (o.err || siplo_queue(c, msg, o.len) == -1)
			goto bad;
	}
	return;
bad:
	c->w->st.bye_fail++;
	if (c->w->st.bye_fail <= 3)
		fprintf(stderr, "siplo: conn %d: cannot send ACK/BYE for a "
		    "200 (no Contact, too many routes or buffer full)\n",
		    c->idx);
	siplo_call_free(c, &c->slots[slot]);
}

/* UAC: ACK for a final reply >= 300 to INVITE (same branch, no route) */
static void
siplo_call_ack_fail(struct siplo_conn *c, const char *b, const char *hend,
    const struct siplo_slot *s, int slot)
{
	struct siplo_hdr from, to, cid;
	char msg[SIPLO_CALL_MSG];
	struct siplo_out o = { msg, 0, sizeof(msg), 0 };

	if (!siplo_find_hdr(b, hend, "From", 'f', &from)
	    || !siplo_find_hdr(b, hend, "To", 't', &to)
	    || !siplo_find_hdr(b, hend, "Call-ID", 'i', &cid))
		return;
	siplo_putf(&o, "ACK sip:c%lxx%d@%s:%d SIP/2.0\r\n"
	    "Via: SIP/2.0/%s 127.0.0.1:%u;branch=z9hG4bK-%lx-%d-%d-%" PRIu64
	    "i;rport\r\n"
	    "Max-Forwards: 70\r\n", siplo_runid, s->callee, siplo_cf.host,
	    siplo_cf.port, siplo_tp_upper(), c->lport, siplo_runid, c->idx,
	    slot, s->seq);
	siplo_put(&o, from.line, from.llen);
	siplo_put(&o, to.line, to.llen);
	siplo_put(&o, cid.line, cid.llen);
	siplo_putf(&o, "CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n");
	if (!o.err)
		(void)siplo_queue(c, msg, o.len);
}

/* UAC: a reply */
static void
siplo_call_reply(struct siplo_conn *c, const char *b, const char *hend,
    int code, uint64_t now)
{
	struct siplo_worker *w = c->w;
	struct siplo_hdr cid, cseq;
	struct siplo_slot *s;
	unsigned long runid;
	int idx, slot, n;
	uint64_t seq;
	char tail;

	if (!siplo_find_hdr(b, hend, "Call-ID", 'i', &cid)
	    || !siplo_find_hdr(b, hend, "CSeq", 0, &cseq))
		return;
	if (sscanf(cid.val, "%lx-%d-%d-%" SCNu64 "%c", &runid, &idx, &slot,
	    &seq, &tail) != 5 || tail != '@' || runid != siplo_runid
	    || idx != c->idx || slot < 0 || slot > w->slot_mask)
		return;
	s = &c->slots[slot];
	if (s->seq != seq || seq == 0)
		return;		/* late (timed out) or for an older call */
	for (n = 0; n < (int)cseq.vlen && isdigit((unsigned char)cseq.val[n]);
	    n++)
		;
	while (n < (int)cseq.vlen && cseq.val[n] == ' ')
		n++;
	if (cseq.vlen - (size_t)n >= 6
	    && strncmp(cseq.val + n, "INVITE", 6) == 0) {
		if (code < 200) {
			if (code == 180)
				w->st.ringing++;
			return;
		}
		if (s->state != CALL_INVITING)
			return;		/* a retransmitted 200 */
		if (code >= 300) {
			w->st.fail++;
			if (w->st.fail <= 3)
				fprintf(stderr, "siplo: conn %d: INVITE: %.*s\n",
				    c->idx, (int)((const char *)memchr(b, '\r',
				    (size_t)(hend - b)) - b), b);
			siplo_call_ack_fail(c, b, hend, s, slot);
			siplo_call_free(c, s);
			return;
		}
		w->st.ok_all++;
		if (now >= w->t_win0 && now < w->t_win1) {
			w->st.ok++;
			siplo_hist_add(&w->st, now - s->t_sent);
		}
		s->state = CALL_BYE;
		s->t_sent = now;
		siplo_call_ack_bye(c, b, hend, slot, seq);
		return;
	}
	if (cseq.vlen - (size_t)n >= 3 && strncmp(cseq.val + n, "BYE", 3) == 0
	    && code >= 200 && s->state == CALL_BYE) {
		if (code < 300) {
			w->st.calls_done++;
		} else {
			w->st.bye_fail++;
			if (w->st.bye_fail <= 3)
				fprintf(stderr, "siplo: conn %d: BYE: %.*s\n",
				    c->idx, (int)((const char *)memchr(b, '\r',
				    (size_t)(hend - b)) - b), b);
		}
		siplo_call_free(c, s);
	}
}

/* UAS: answer a request statelessly (INVITE: 180 + 200; ACK: nothing) */
static void
siplo_call_uas(struct siplo_conn *c, const char *b, const char *hend)
{
	static const char *const copy[] = { "Via", "From", "To", "Call-ID",
	    "CSeq", "Record-Route" };
	static const char compact[] = { 'v', 'f', 't', 'i', 0, 0 };
	char msg[SIPLO_CALL_MSG], tag[16];
	struct siplo_out o = { msg, 0, sizeof(msg), 0 };
	struct siplo_hdr h, cid;
	const char *p;
	int invite, k, i, ncopy;

	if (strncmp(b, "ACK ", 4) == 0)
		return;
	invite = strncmp(b, "INVITE ", 7) == 0;
	if (!siplo_find_hdr(b, hend, "Call-ID", 'i', &cid))
		return;
	(void)snprintf(tag, sizeof(tag), "u%08x", siplo_fnv(cid.val,
	    cid.vlen));
	ncopy = invite ? 6 : 5;		/* Record-Route only in INVITE replies */
	for (k = invite ? 0 : 1; k < 2; k++) {
		siplo_putf(&o, "SIP/2.0 %s\r\n", k == 0 ? "180 Ringing"
		    : "200 OK");
		p = (const char *)memmem(b, (size_t)(hend - b), "\r\n", 2) + 2;
		while (siplo_next_hdr(&p, hend, &h)) {
			for (i = 0; i < ncopy; i++)
				if (siplo_is_hdr(&h, copy[i], compact[i]))
					break;
			if (i == ncopy)
				continue;
			if (i == 2 && memmem(h.val, h.vlen, ";tag=", 5) == NULL) {
				siplo_put(&o, h.line, (size_t)(h.val - h.line)
				    + h.vlen);
				siplo_putf(&o, ";tag=%s\r\n", tag);
			} else {
				siplo_put(&o, h.line, h.llen);
			}
		}
		if (invite)
			siplo_putf(&o, "Contact: <sip:uas%d@127.0.0.1:%u%s>\r\n",
			    c->idx, c->lport, siplo_tp_param());
		siplo_putf(&o, "User-Agent: siplo\r\nContent-Length: 0\r\n\r\n");
		if (siplo_cf.proto == PROTO_UDP && !o.err) {
			/* one datagram per reply */
			if (siplo_queue(c, msg, o.len) == -1)
				o.err = 1;
			o.len = 0;
		}
	}
	if (o.err || (o.len > 0 && siplo_queue(c, msg, o.len) == -1))
		c->w->st.uas_drop++;
}

/* UAS: a reply to one of its REGISTERs */
static void
siplo_call_reg_reply(struct siplo_conn *c, int code)
{
	if (code < 200)
		return;
	if (c->reg_inflight > 0)
		c->reg_inflight--;
	if (code < 300) {
		c->w->st.reg_ok++;
	} else {
		c->w->st.reg_fail++;
		if (c->w->st.reg_fail <= 3)
			fprintf(stderr, "siplo: conn %d: REGISTER answered "
			    "%d\n", c->idx, code);
	}
}

static void
siplo_call_msg(struct siplo_conn *c, const char *b, size_t len, uint64_t now)
{
	const char *hend = memmem(b, len, "\r\n\r\n", 4);
	int code;

	if (hend == NULL)
		return;
	hend += 2;
	if (len >= 12 && memcmp(b, "SIP/2.0 ", 8) == 0) {
		code = atoi(b + 8);
		if (c->uas)
			siplo_call_reg_reply(c, code);
		else
			siplo_call_reply(c, b, hend, code, now);
		return;
	}
	if (c->uas)
		siplo_call_uas(c, b, hend);
}

/* UAC: calls without an answer for --timeout (INVITE, then BYE) */
static void
siplo_call_sweep(struct siplo_conn *c, uint64_t now, uint64_t limit)
{
	struct siplo_slot *s;
	int j;

	for (j = 0; j <= c->w->slot_mask; j++) {
		s = &c->slots[j];
		if (s->seq == 0 || now - s->t_sent <= limit)
			continue;
		if (s->state == CALL_INVITING)
			c->w->st.timeouts++;
		else
			c->w->st.bye_fail++;
		siplo_call_free(c, s);
	}
}

/* ---- replies */

/* length of the first complete message in <b>, 0 if incomplete, -1 bad */
static long
siplo_msg_len(const char *b, size_t len)
{
	const char *end, *p;
	long clen = 0;

	end = memmem(b, len, "\r\n\r\n", 4);
	if (end == NULL)
		return len >= SIPLO_RBUF ? -1 : 0;
	for (p = b; p < end; p++) {
		if (*p != '\n')
			continue;
		if (end - p > 16 && strncasecmp(p + 1, "Content-Length:", 15)
		    == 0) {
			clen = strtol(p + 16, NULL, 10);
			break;
		}
		if (end - p > 3 && (p[1] == 'l' || p[1] == 'L')
		    && (p[2] == ':' || p[2] == ' ')) {
			clen = strtol((const char *)memchr(p, ':',
			    (size_t)(end - p)) + 1, NULL, 10);
			break;
		}
	}
	if (clen < 0 || clen > SIPLO_RBUF)
		return -1;
	if ((size_t)(end + 4 - b) + (size_t)clen > len)
		return 0;
	return (long)(end + 4 - b) + clen;
}

static void
siplo_on_msg(struct siplo_conn *c, const char *b, size_t len, uint64_t now)
{
	struct siplo_worker *w = c->w;
	struct siplo_slot *s;
	const char *p;
	const char *eol;
	uint64_t seq, t_sent;
	int code;

	if (siplo_cf.mode == MODE_CALL) {
		siplo_call_msg(c, b, len, now);
		return;
	}
	if (len < 12 || memcmp(b, "SIP/2.0 ", 8) != 0)
		return;		/* a request: not expected in these modes */
	code = atoi(b + 8);
	if (code < 200)
		return;
	p = memmem(b, len, "\nCSeq:", 6);
	if (p == NULL)
		return;
	seq = strtoull(p + 6, NULL, 10);
	s = &c->slots[seq & (uint64_t)w->slot_mask];
	if (s->seq != seq || seq == 0)
		return;		/* late (timed out) or duplicate */
	s->seq = 0;
	c->inflight--;
	if (!c->answered && siplo_cf.mode == MODE_HOLD)
		atomic_fetch_add(&w->n_answered, 1);
	c->answered = 1;
	if (code >= 300) {
		w->st.fail++;
		eol = memchr(b, '\r', len);
		if (w->st.fail <= 3)
			fprintf(stderr, "siplo: conn %d: reply %.*s\n", c->idx,
			    (int)(eol != NULL ? eol - b : 12), b);
		return;
	}
	w->st.ok_all++;
	/* handshake mode: latency from connect() to the reply */
	t_sent = siplo_cf.mode == MODE_HANDSHAKE ? c->t_start : s->t_sent;
	if (now >= w->t_win0 && now < w->t_win1) {
		w->st.ok++;
		siplo_hist_add(&w->st, now - t_sent);
	}
}

static int
siplo_parse(struct siplo_conn *c, uint64_t now)
{
	size_t off = 0;
	long n;

	while (off < c->rlen) {
		while (off < c->rlen && (c->rbuf[off] == '\r'
		    || c->rbuf[off] == '\n'))
			off++;	/* keep-alive CRLFs */
		n = siplo_msg_len(c->rbuf + off, c->rlen - off);
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		siplo_on_msg(c, c->rbuf + off, (size_t)n, now);
		off += (size_t)n;
	}
	memmove(c->rbuf, c->rbuf + off, c->rlen - off);
	c->rlen -= off;
	return 0;
}

static int
siplo_read(struct siplo_conn *c, uint64_t now)
{
	ssize_t n;
	int r, err, i;

	if (siplo_cf.proto == PROTO_UDP) {
		for (i = 0; i < 64; i++) {
			n = recv(c->fd, c->rbuf, SIPLO_RBUF, 0);
			if (n <= 0)
				break;
			siplo_on_msg(c, c->rbuf, (size_t)n, now);
		}
		return 0;
	}
	for (i = 0; i < 64; i++) {
		if (c->rlen == SIPLO_RBUF)
			return -1;
		if (c->ssl != NULL) {
			ERR_clear_error();
			r = SSL_read(c->ssl, c->rbuf + c->rlen,
			    (int)(SIPLO_RBUF - c->rlen));
			if (r <= 0) {
				err = SSL_get_error(c->ssl, r);
				if (err == SSL_ERROR_WANT_READ)
					break;
				if (err == SSL_ERROR_WANT_WRITE) {
					c->want_write = 1;
					break;
				}
				return -1;
			}
			n = r;
		} else {
			n = recv(c->fd, c->rbuf + c->rlen, SIPLO_RBUF - c->rlen,
			    0);
			if (n == 0)
				return -1;
			if (n == -1) {
				if (errno == EAGAIN || errno == EINTR)
					break;
				return -1;
			}
		}
		c->rlen += (size_t)n;
		if (siplo_parse(c, now) == -1)
			return -1;
	}
	return 0;
}

/* ---- worker */

static void
siplo_refill(struct siplo_conn *c, uint64_t now)
{
	struct siplo_worker *w = c->w;

	if ((siplo_cf.mode == MODE_PERSISTENT || siplo_cf.mode == MODE_CALL)
	    && siplo_cf.rate <= 0)
		while (c->inflight < siplo_cf.outstanding
		    && siplo_may_send(w, now) && siplo_send(c, now) == 0)
			;
}

static void
siplo_event(struct siplo_conn *c, uint32_t ev, uint64_t now)
{
	if (c->state == ST_CONNECTING) {
		siplo_conn_connected(c);
		return;
	}
	if (c->state == ST_HANDSHAKE) {
		siplo_conn_handshake(c);
		return;
	}
	if (c->state != ST_READY)
		return;
	if ((ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) || c->want_write) {
		c->want_write = 0;
		if (siplo_read(c, now) == -1) {
			if (siplo_cf.mode == MODE_HANDSHAKE && c->inflight == 0)
				siplo_conn_close(c, 0);
			else
				siplo_conn_close(c, 1);
			return;
		}
	}
	if (siplo_cf.mode == MODE_HANDSHAKE && c->answered) {
		siplo_conn_close(c, 0);
		return;
	}
	siplo_refill(c, now);
	if (c->ssl != NULL || siplo_cf.proto == PROTO_TCP)
		if (siplo_flush(c) == -1)
			siplo_conn_close(c, 1);
}

/* expire transactions older than --timeout; closed loop sends anew */
static void
siplo_sweep(struct siplo_worker *w, uint64_t now)
{
	uint64_t limit = (uint64_t)siplo_cf.timeout_ms * 1000000u;
	struct siplo_conn *c;
	int i, j;

	for (i = 0; i < w->nconns; i++) {
		c = &w->conns[i];
		if (siplo_cf.mode == MODE_HANDSHAKE && c->fd >= 0
		    && now - c->t_start > limit) {
			w->st.timeouts++;
			siplo_conn_close(c, 0);
			continue;
		}
		if (c->inflight == 0)
			continue;
		if (siplo_cf.mode == MODE_CALL)
			siplo_call_sweep(c, now, limit);
		else for (j = 0; j <= w->slot_mask; j++)
			if (c->slots[j].seq != 0
			    && now - c->slots[j].t_sent > limit) {
				c->slots[j].seq = 0;
				c->inflight--;
				w->st.timeouts++;
			}
		if (c->state == ST_READY && (siplo_cf.mode == MODE_PERSISTENT
		    || siplo_cf.mode == MODE_CALL)) {
			siplo_refill(c, now);
			if (siplo_cf.proto != PROTO_UDP && siplo_flush(c) == -1)
				siplo_conn_close(c, 1);
		}
	}
}

/* open loop: send what the schedule asks for, round robin */
static void
siplo_pace(struct siplo_worker *w, uint64_t now)
{
	double per_w = siplo_cf.rate / siplo_cf.threads;
	long due, i, tries;
	struct siplo_conn *c;

	if (!siplo_may_send(w, now))
		return;
	due = (long)((double)(now - w->t0) / 1e9 * per_w) - (long)w->st.sent
	    - (long)w->st.skipped;
	for (i = 0; i < due && siplo_may_send(w, now); i++) {
		for (tries = 0; tries < w->nconns; tries++) {
			c = &w->conns[w->rr];
			w->rr = (w->rr + 1) % w->nconns;
			if (siplo_send(c, now) == 0)
				break;
		}
		if (tries == w->nconns)
			w->st.skipped++;
	}
	for (i = 0; i < w->nconns; i++) {
		c = &w->conns[i];
		if (c->state == ST_READY && c->wlen > c->woff
		    && siplo_flush(c) == -1)
			siplo_conn_close(c, 1);
	}
}

/* handshake mode: start new clients while slots, rate and quota allow */
static void
siplo_hs_start(struct siplo_worker *w, uint64_t now)
{
	struct siplo_conn *c;
	long due = -1;
	int i;

	if (!siplo_may_send(w, now))
		return;
	if (siplo_cf.rate > 0)
		due = (long)((double)(now - w->t0) / 1e9 * siplo_cf.rate
		    / siplo_cf.threads) - w->started;
	for (i = 0; i < w->nconns && due != 0; i++) {
		c = &w->conns[i];
		if (c->fd >= 0 || w->started >= w->quota)
			continue;
		c->answered = 0;
		c->inflight = 0;
		w->started++;
		(void)siplo_conn_open(c);
		if (due > 0)
			due--;
	}
}

/* handshake mode: a connected client sends its one request */
static void
siplo_hs_send(struct siplo_worker *w, uint64_t now)
{
	struct siplo_conn *c;
	int i;

	for (i = 0; i < w->nconns; i++) {
		c = &w->conns[i];
		if (c->state != ST_READY || c->inflight > 0 || c->answered)
			continue;
		if (siplo_send(c, now) == 0 && siplo_flush(c) == -1)
			siplo_conn_close(c, 1);
	}
}

static void
siplo_setup(struct siplo_worker *w)
{
	uint64_t t_end = siplo_now() + (uint64_t)(SIPLO_SETUP_LIMIT_S * 1e9);
	struct epoll_event ev[256];
	int i = 0, n, k;

	/* at most 64 connections being set up at a time per worker, so the
	 * proxy's listen queue is never the bottleneck being measured */
	while (!atomic_load(&siplo_stop) && siplo_now() < t_end) {
		while (i < w->nconns && w->pending < 64)
			(void)siplo_conn_open(&w->conns[i++]);
		if (i == w->nconns && w->pending == 0)
			break;
		n = epoll_wait(w->ep, ev, 256, 50);
		for (k = 0; k < n; k++)
			siplo_event(ev[k].data.ptr, ev[k].events, siplo_now());
	}
	for (k = 0; k < w->nconns; k++) {
		if (w->conns[k].state == ST_CONNECTING
		    || w->conns[k].state == ST_HANDSHAKE)
			siplo_conn_failed(&w->conns[k], "set-up (timeout)");
	}
}

static int
siplo_all_idle(struct siplo_worker *w)
{
	int i;

	for (i = 0; i < w->nconns; i++)
		if (w->conns[i].inflight > 0 || (siplo_cf.mode
		    == MODE_HANDSHAKE && w->conns[i].fd >= 0))
			return 0;
	return 1;
}

static void *
siplo_worker_main(void *arg)
{
	struct siplo_worker *w = arg;
	struct epoll_event ev[256];
	uint64_t now, t_sweep = 0, t_drain;
	int n, k, tmo;

	if (siplo_cf.mode != MODE_HANDSHAKE)
		siplo_setup(w);
	if (siplo_cf.mode == MODE_CALL)
		siplo_call_register_all(w);
	pthread_barrier_wait(&siplo_barrier);	/* main sets phase 1 */
	pthread_barrier_wait(&siplo_barrier);
	w->t0 = siplo_now();
	w->t_win0 = w->t0 + (uint64_t)(siplo_cf.warmup * 1e9);
	w->t_win1 = w->t_win0 + (uint64_t)(siplo_cf.duration * 1e9);
	t_drain = w->t_win1 + (uint64_t)(SIPLO_DRAIN_S * 1e9);
	if (siplo_cf.mode == MODE_HOLD) {
		/* main() ends the hold by setting siplo_stop; this is a bound */
		w->t_win0 = w->t0;
		w->t_win1 = w->t0 + (uint64_t)(SIPLO_SETUP_LIMIT_S * 1e9);
		t_drain = w->t_win1 + (uint64_t)((siplo_cf.hold + 10) * 1e9);
		for (k = 0; k < w->nconns; k++)
			if (siplo_send(&w->conns[k], w->t0) == 0
			    && siplo_flush(&w->conns[k]) == -1)
				siplo_conn_close(&w->conns[k], 1);
	}
	for (k = 0; k < w->nconns && (siplo_cf.mode == MODE_PERSISTENT
	    || siplo_cf.mode == MODE_CALL); k++)
		siplo_event(&w->conns[k], 0, w->t0);
	tmo = siplo_cf.rate > 0 ? 1 : 20;
	while (!atomic_load(&siplo_stop)) {
		now = siplo_now();
		if (now >= t_drain)
			break;
		if (now >= w->t_win1 && siplo_cf.mode != MODE_HOLD
		    && siplo_all_idle(w))
			break;
		if ((long)w->st.sent >= w->quota && siplo_all_idle(w)
		    && siplo_cf.mode != MODE_HOLD)
			break;
		if ((siplo_cf.mode == MODE_PERSISTENT
		    || siplo_cf.mode == MODE_CALL) && siplo_cf.rate > 0)
			siplo_pace(w, now);
		if (siplo_cf.mode == MODE_HANDSHAKE) {
			siplo_hs_start(w, now);
			siplo_hs_send(w, now);
		}
		n = epoll_wait(w->ep, ev, 256, tmo);
		now = siplo_now();
		for (k = 0; k < n; k++)
			siplo_event(ev[k].data.ptr, ev[k].events, now);
		if (siplo_cf.mode == MODE_HANDSHAKE)
			siplo_hs_send(w, now);
		if (now - t_sweep > 200000000u) {
			siplo_sweep(w, now);
			t_sweep = now;
		}
	}
	for (k = 0; k < w->nconns; k++) {
		w->st.unanswered += (uint64_t)w->conns[k].inflight;
		siplo_conn_close(&w->conns[k], 0);
		if (w->conns[k].sess != NULL)
			SSL_SESSION_free(w->conns[k].sess);
	}
	return NULL;
}

/* ---- main */

static void
siplo_usage(FILE *f)
{
	fprintf(f,
"usage: siplo MODE [options]\n"
"  a SIP load generator for loopback benchmarks; one JSON line per run\n"
"modes:\n"
"  persistent  -c N connections, each keeping -k K transactions outstanding\n"
"              (closed loop), or -r RATE requests/s in total (open loop)\n"
"  handshake   -c C concurrent clients: connect, full TLS handshake, one\n"
"              request, close; as fast as possible or -r RATE per second;\n"
"              --resume resumes the previous session of the same client;\n"
"              --no-request closes right after the handshake (for servers\n"
"              that do not speak SIP, e.g. openssl s_server)\n"
"  hold        -c N TLS connections, one request each, then held idle for\n"
"              --hold S seconds (or until SIGTERM); with --pid, the PSS of\n"
"              that process and its descendants at 0 and N connections\n"
"  call        --uas-conns U connections REGISTER --callees M AoRs (their\n"
"              own address as Contact) and answer INVITE with 180 + 200 and\n"
"              BYE with 200; -c N other connections place calls to them\n"
"              through the proxy (-k K calls per connection, or -r RATE\n"
"              calls/s in total): INVITE, 200, ACK and BYE along the\n"
"              Record-Route set, 200; ok/rate = INVITE->200 in the window,\n"
"              latency = INVITE -> 200; one thread\n"
"options:\n"
"  -t udp|tcp|tls    transport (tls)\n"
"  -H ADDR           proxy address, loopback only (127.0.0.1)\n"
"  -p PORT           proxy port (5061)\n"
"  -m REGISTER|OPTIONS  request (REGISTER: AoR user<i>, distinct per\n"
"                    connection and outstanding slot)\n"
"  -c N              connections / concurrent clients (1)\n"
"  -k K              outstanding transactions per connection (1)\n"
"  -r RATE           open loop total rate per second (0: closed loop)\n"
"  -n COUNT          at most COUNT transactions/handshakes (10000000)\n"
"  -d SECONDS        measured duration (5)\n"
"  -W SECONDS        warm-up before the measured window (1)\n"
"  -w THREADS        worker threads (1)\n"
"  --timeout MS      a transaction unanswered after MS counts as a timeout\n"
"                    (2000)\n"
"  --tls 1.2|1.3     pin the TLS version (default: negotiate)\n"
"  --user-base B     first AoR number (0); --users U: AoRs to cycle (N*K)\n"
"  --pid PID         proxy's attendant: CPU per transaction; hold: memory\n"
"                    (kb_per_conn = PSS growth / connections open; held =\n"
"                    connections whose request got a final reply)\n"
"  --hold SECONDS    hold mode: how long to keep connections (10)\n"
"  --ready-file F    hold mode: created once all connections are held\n"
"  --label TEXT      copied into the JSON line\n"
"  --callees M       call mode: callee AoRs registered by the UAS (100)\n"
"  --uas-conns U     call mode: UAS connections (1)\n");
}

static int
siplo_addr(const char *host, int port)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)&siplo_cf.addr;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&siplo_cf.addr;

	memset(&siplo_cf.addr, 0, sizeof(siplo_cf.addr));
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		if ((ntohl(a4->sin_addr.s_addr) >> 24) != 127)
			return -1;
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		siplo_cf.addrlen = sizeof(*a4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		if (!IN6_IS_ADDR_LOOPBACK(&a6->sin6_addr))
			return -1;
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		siplo_cf.addrlen = sizeof(*a6);
		return 0;
	}
	return -1;
}

static int
siplo_args(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "timeout", required_argument, NULL, 1 },
		{ "tls", required_argument, NULL, 2 },
		{ "user-base", required_argument, NULL, 3 },
		{ "users", required_argument, NULL, 4 },
		{ "pid", required_argument, NULL, 5 },
		{ "hold", required_argument, NULL, 6 },
		{ "ready-file", required_argument, NULL, 7 },
		{ "label", required_argument, NULL, 8 },
		{ "resume", no_argument, NULL, 9 },
		{ "no-request", no_argument, NULL, 10 },
		{ "callees", required_argument, NULL, 11 },
		{ "uas-conns", required_argument, NULL, 12 },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct siplo_conf *cf = &siplo_cf;
	const char *host = "127.0.0.1";
	int o;

	cf->proto = PROTO_TLS;
	cf->port = 5061;
	cf->conns = cf->outstanding = cf->threads = 1;
	cf->max_tx = 10000000;
	cf->duration = 5;
	cf->warmup = 1;
	cf->timeout_ms = 2000;
	cf->hold = 10;
	cf->label = "";
	cf->callees = 100;
	cf->uas_conns = 1;
	if (argc < 2)
		return -1;
	if (strcmp(argv[1], "persistent") == 0)
		cf->mode = MODE_PERSISTENT;
	else if (strcmp(argv[1], "handshake") == 0)
		cf->mode = MODE_HANDSHAKE;
	else if (strcmp(argv[1], "hold") == 0)
		cf->mode = MODE_HOLD;
	else if (strcmp(argv[1], "call") == 0)
		cf->mode = MODE_CALL;
	else
		return -1;
	optind = 2;
	while ((o = getopt_long(argc, argv, "t:H:p:m:c:k:r:n:d:W:w:h", lo,
	    NULL)) != -1) {
		switch (o) {
		case 't':
			if (strcmp(optarg, "udp") == 0)
				cf->proto = PROTO_UDP;
			else if (strcmp(optarg, "tcp") == 0)
				cf->proto = PROTO_TCP;
			else if (strcmp(optarg, "tls") == 0)
				cf->proto = PROTO_TLS;
			else
				return -1;
			break;
		case 'H': host = optarg; break;
		case 'p': cf->port = atoi(optarg); break;
		case 'm':
			if (strcasecmp(optarg, "REGISTER") == 0)
				cf->do_register = 1;
			else if (strcasecmp(optarg, "OPTIONS") != 0)
				return -1;
			break;
		case 'c': cf->conns = atoi(optarg); break;
		case 'k': cf->outstanding = atoi(optarg); break;
		case 'r': cf->rate = atof(optarg); break;
		case 'n': cf->max_tx = atol(optarg); break;
		case 'd': cf->duration = atof(optarg); break;
		case 'W': cf->warmup = atof(optarg); break;
		case 'w': cf->threads = atoi(optarg); break;
		case 1: cf->timeout_ms = atoi(optarg); break;
		case 2: cf->tls13 = strcmp(optarg, "1.3") == 0 ? 13 : 12; break;
		case 3: cf->user_base = atoi(optarg); break;
		case 4: cf->users = atoi(optarg); break;
		case 5: cf->pid = atoi(optarg); break;
		case 6: cf->hold = atof(optarg); break;
		case 7: cf->ready_file = optarg; break;
		case 8: cf->label = optarg; break;
		case 9: cf->resume = 1; break;
		case 10: cf->hs_only = 1; break;
		case 11: cf->callees = atoi(optarg); break;
		case 12: cf->uas_conns = atoi(optarg); break;
		default: return -1;
		}
	}
	if (cf->mode != MODE_PERSISTENT && cf->mode != MODE_CALL
	    && cf->proto != PROTO_TLS) {
		fprintf(stderr, "siplo: %s mode is TLS only\n", argv[1]);
		return -1;
	}
	if (cf->conns < 1 || cf->conns > SIPLO_MAX_CONNS || cf->outstanding < 1
	    || cf->outstanding > 4096 || cf->threads < 1
	    || cf->threads > SIPLO_MAX_THREADS || cf->duration <= 0
	    || cf->duration > 3600 || cf->warmup < 0 || cf->warmup > 600
	    || cf->hold < 0 || cf->hold > 3600 || cf->max_tx < 1
	    || cf->timeout_ms < 1 || cf->port < 1 || cf->port > 65535
	    || cf->callees < 1 || cf->callees > 1000000 || cf->uas_conns < 1
	    || cf->uas_conns > 1024) {
		fprintf(stderr, "siplo: a value is out of range\n");
		return -1;
	}
	if (cf->threads > cf->conns)
		cf->threads = cf->conns;
	if (cf->mode == MODE_CALL)
		cf->threads = 1;	/* the UAS and the UAC share one loop */
	if (cf->mode == MODE_HOLD && cf->timeout_ms < 30000)
		cf->timeout_ms = 30000;
	if (cf->users <= 0)
		cf->users = cf->conns * cf->outstanding;
	(void)snprintf(cf->host, sizeof(cf->host), "%s", host);
	if (siplo_addr(host, cf->port) == -1) {
		fprintf(stderr, "siplo: %s is not a loopback address\n", host);
		return -1;
	}
	return 0;
}

static int
siplo_tls_init(void)
{
	siplo_ctx = SSL_CTX_new(TLS_client_method());
	if (siplo_ctx == NULL)
		return -1;
	SSL_CTX_set_verify(siplo_ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_mode(siplo_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE
	    | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	(void)SSL_CTX_set_min_proto_version(siplo_ctx, TLS1_2_VERSION);
	if (siplo_cf.tls13 != 0) {
		(void)SSL_CTX_set_min_proto_version(siplo_ctx,
		    siplo_cf.tls13 == 13 ? TLS1_3_VERSION : TLS1_2_VERSION);
		(void)SSL_CTX_set_max_proto_version(siplo_ctx,
		    siplo_cf.tls13 == 13 ? TLS1_3_VERSION : TLS1_2_VERSION);
	}
	if (!siplo_cf.resume)
		SSL_CTX_set_options(siplo_ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_session_cache_mode(siplo_ctx, SSL_SESS_CACHE_OFF);
	return 0;
}

static void
siplo_on_signal(int sig)
{
	atomic_store(&siplo_stop, 1);
}

static int
siplo_workers_init(struct siplo_worker *ws)
{
	struct siplo_conf *cf = &siplo_cf;
	int i, j, per, slots, idx = 0;

	slots = 4;
	while (slots < cf->outstanding * 2)
		slots <<= 1;
	if (cf->rate > 0 && cf->mode == MODE_PERSISTENT)
		slots = 4096;
	for (i = 0; i < cf->threads; i++) {
		struct siplo_worker *w = &ws[i];

		per = cf->conns / cf->threads + (i < cf->conns % cf->threads);
		if (cf->mode == MODE_CALL)
			per += cf->uas_conns;
		w->id = i;
		w->nconns = per;
		w->first_idx = idx;
		w->slot_mask = slots - 1;
		w->quota = cf->max_tx / cf->threads
		    + (i < cf->max_tx % cf->threads);
		w->t_win1 = UINT64_MAX;
		if ((w->ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
			return -1;
		w->conns = calloc((size_t)per, sizeof(*w->conns));
		if (w->conns == NULL)
			return -1;
		for (j = 0; j < per; j++) {
			struct siplo_conn *c = &w->conns[j];

			c->fd = -1;
			c->idx = idx++;
			c->w = w;
			if (cf->mode == MODE_CALL && j < cf->uas_conns) {
				c->uas = 1;
				c->uas_no = j;
			}
			c->slots = calloc((size_t)slots, sizeof(*c->slots));
			c->rbuf = malloc(SIPLO_RBUF);
			c->wbuf = cf->proto == PROTO_UDP ? NULL
			    : malloc(SIPLO_WBUF);
			if (c->slots == NULL || c->rbuf == NULL
			    || (c->wbuf == NULL && cf->proto != PROTO_UDP))
				return -1;
		}
	}
	return 0;
}

static void
siplo_sum(struct siplo_worker *ws, struct siplo_stats *t)
{
	int i, j;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < siplo_cf.threads; i++) {
		struct siplo_stats *s = &ws[i].st;

		t->sent += s->sent;
		t->ok += s->ok;
		t->ok_all += s->ok_all;
		t->fail += s->fail;
		t->timeouts += s->timeouts;
		t->unanswered += s->unanswered;
		t->skipped += s->skipped;
		t->conn_ok += s->conn_ok;
		t->conn_fail += s->conn_fail;
		t->conn_lost += s->conn_lost;
		t->resumed += s->resumed;
		t->calls_done += s->calls_done;
		t->bye_fail += s->bye_fail;
		t->ringing += s->ringing;
		t->reg_ok += s->reg_ok;
		t->reg_fail += s->reg_fail;
		t->uas_drop += s->uas_drop;
		if (s->lat_max > t->lat_max)
			t->lat_max = s->lat_max;
		for (j = 0; j < SIPLO_HIST_N; j++)
			t->hist[j] += s->hist[j];
	}
}

static void
siplo_sleep_until(uint64_t t)
{
	uint64_t now;
	struct timespec ts;

	while (!atomic_load(&siplo_stop) && (now = siplo_now()) < t) {
		ts.tv_sec = 0;
		ts.tv_nsec = (long)((t - now) > 50000000u ? 50000000u : t - now);
		nanosleep(&ts, NULL);
	}
}

/* hold mode: wait until every connection has its reply, bounded */
static uint64_t
siplo_hold_wait(struct siplo_worker *ws)
{
	uint64_t now, t_end, t_progress, done = 0, prev = 0;
	int i;

	now = siplo_now();
	t_end = now + (uint64_t)(SIPLO_SETUP_LIMIT_S * 1e9);
	t_progress = now;
	while (!atomic_load(&siplo_stop) && (now = siplo_now()) < t_end) {
		done = 0;
		for (i = 0; i < siplo_cf.threads; i++)
			done += (uint64_t)atomic_load(&ws[i].n_answered);
		if (done == (uint64_t)siplo_cf.conns)
			break;
		if (done != prev)
			t_progress = now;
		else if (now - t_progress > 3000000000u)
			break;	/* nothing more is coming */
		prev = done;
		siplo_sleep_until(now + 100000000u);
	}
	return done;
}

static void
siplo_report(struct siplo_worker *ws, double cpu, long pss0, long pssn,
    uint64_t held, uint64_t open_n, double setup_s)
{
	static const char *const mn[] = { "persistent", "handshake", "hold",
	    "call" };
	static const char *const pn[] = { "udp", "tcp", "tls" };
	struct siplo_stats *t = calloc(1, sizeof(*t));
	struct siplo_conf *cf = &siplo_cf;
	double rate, per = 0;

	if (t == NULL)
		return;
	siplo_sum(ws, t);
	rate = (double)t->ok / cf->duration;
	if (cpu >= 0 && rate > 0)
		per = cpu * 1e6 / (rate * cf->duration);
	printf("{\"tool\":\"siplo\",\"label\":\"%s\",\"mode\":\"%s\","
	    "\"transport\":\"%s\",\"method\":\"%s\",\"connections\":%d,"
	    "\"outstanding\":%d,\"target_rate\":%.0f,\"threads\":%d,"
	    "\"duration_s\":%.1f,\"warmup_s\":%.1f,"
	    "\"sent\":%" PRIu64 ",\"ok\":%" PRIu64 ",\"fail\":%" PRIu64
	    ",\"timeouts\":%" PRIu64 ",\"unanswered\":%" PRIu64
	    ",\"skipped\":%" PRIu64 ",\"conn_ok\":%" PRIu64
	    ",\"conn_fail\":%" PRIu64 ",\"conn_lost\":%" PRIu64
	    ",\"resumed\":%" PRIu64 ",\"rate\":%.1f,"
	    "\"lat_us\":{\"p50\":%.0f,\"p99\":%.0f,\"p999\":%.0f,"
	    "\"max\":%" PRIu64 "},\"proxy_cpu_us_per_op\":%.1f",
	    cf->label, mn[cf->mode], pn[cf->proto],
	    cf->mode == MODE_CALL ? "INVITE" : cf->do_register ? "REGISTER"
	    : "OPTIONS", cf->conns,
	    cf->outstanding, cf->rate, cf->threads, cf->duration, cf->warmup,
	    t->sent, cf->mode == MODE_HOLD ? t->ok_all : t->ok, t->fail,
	    t->timeouts, t->unanswered, t->skipped, t->conn_ok, t->conn_fail,
	    t->conn_lost, t->resumed, cf->mode == MODE_HOLD ? 0 : rate,
	    siplo_hist_pct(t, 50), siplo_hist_pct(t, 99),
	    siplo_hist_pct(t, 99.9), t->lat_max, per);
	if (cf->mode == MODE_HOLD)
		printf(",\"held\":%" PRIu64 ",\"open\":%" PRIu64
		    ",\"setup_s\":%.2f,\"pss_kb_0\":%ld,\"pss_kb_n\":%ld,"
		    "\"kb_per_conn\":%.2f", held, open_n, setup_s, pss0, pssn,
		    open_n > 0 && pss0 >= 0 && pssn >= 0
		    ? (double)(pssn - pss0) / (double)open_n : 0);
	if (cf->mode == MODE_CALL)
		printf(",\"callees\":%d,\"uas_connections\":%d,"
		    "\"registered\":%" PRIu64 ",\"reg_fail\":%" PRIu64
		    ",\"ringing\":%" PRIu64 ",\"calls_completed\":%" PRIu64
		    ",\"bye_fail\":%" PRIu64 ",\"uas_drop\":%" PRIu64,
		    cf->callees, cf->uas_conns, t->reg_ok, t->reg_fail,
		    t->ringing, t->calls_done, t->bye_fail, t->uas_drop);
	printf("}\n");
	fflush(stdout);
	free(t);
}

int
main(int argc, char **argv)
{
	struct siplo_worker *ws;
	struct sigaction sa;
	double cpu0 = -1, cpu = -1, setup_s = 0;
	long pss0 = -1, pssn = -1;
	uint64_t held = 0, open_n = 0, t_begin;
	FILE *f;
	int i;

	if (argc >= 2 && (strcmp(argv[1], "-h") == 0
	    || strcmp(argv[1], "--help") == 0)) {
		siplo_usage(stdout);
		return 0;
	}
	if (siplo_args(argc, argv) == -1) {
		siplo_usage(stderr);
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = siplo_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	siplo_runid = (unsigned long)getpid() ^ (unsigned long)time(NULL);
	if (siplo_tls_init() == -1) {
		fprintf(stderr, "siplo: cannot create the TLS context\n");
		return 1;
	}
	ws = calloc((size_t)siplo_cf.threads, sizeof(*ws));
	if (ws == NULL || siplo_workers_init(ws) == -1) {
		fprintf(stderr, "siplo: out of memory or descriptors\n");
		return 1;
	}
	if (siplo_cf.mode == MODE_HOLD && siplo_cf.pid > 0)
		pss0 = siplo_proc_pss(siplo_cf.pid);
	pthread_barrier_init(&siplo_barrier, NULL,
	    (unsigned)siplo_cf.threads + 1);
	t_begin = siplo_now();
	for (i = 0; i < siplo_cf.threads; i++)
		if (pthread_create(&ws[i].tid, NULL, siplo_worker_main,
		    &ws[i]) != 0) {
			fprintf(stderr, "siplo: pthread_create failed\n");
			return 1;
		}
	pthread_barrier_wait(&siplo_barrier);	/* connections are set up */
	setup_s = (double)(siplo_now() - t_begin) / 1e9;
	atomic_store(&siplo_phase, 1);
	pthread_barrier_wait(&siplo_barrier);
	t_begin = siplo_now();
	if (siplo_cf.mode == MODE_HOLD) {
		held = siplo_hold_wait(ws);
		setup_s = (double)(siplo_now() - t_begin) / 1e9 + setup_s;
		siplo_sleep_until(siplo_now() + 1000000000u);
		if (siplo_cf.pid > 0)
			pssn = siplo_proc_pss(siplo_cf.pid);
		for (i = 0; i < siplo_cf.threads; i++)
			open_n += (uint64_t)atomic_load(&ws[i].n_open);
		fprintf(stderr, "siplo: holding %" PRIu64 " connections; proxy "
		    "PSS %ld kB at 0, %ld kB now\n", held, pss0, pssn);
		if (siplo_cf.ready_file != NULL
		    && (f = fopen(siplo_cf.ready_file, "w")) != NULL) {
			fprintf(f, "%" PRIu64 "\n", held);
			fclose(f);
		}
		siplo_sleep_until(siplo_now() + (uint64_t)(siplo_cf.hold * 1e9));
		atomic_store(&siplo_stop, 1);
	} else {
		siplo_sleep_until(t_begin + (uint64_t)(siplo_cf.warmup * 1e9));
		if (siplo_cf.pid > 0)
			cpu0 = siplo_proc_cpu(siplo_cf.pid);
		siplo_sleep_until(t_begin + (uint64_t)((siplo_cf.warmup
		    + siplo_cf.duration) * 1e9));
		if (siplo_cf.pid > 0)
			cpu = siplo_proc_cpu(siplo_cf.pid) - cpu0;
	}
	for (i = 0; i < siplo_cf.threads; i++)
		pthread_join(ws[i].tid, NULL);
	siplo_report(ws, cpu, pss0, pssn, held, open_n, setup_s);
	SSL_CTX_free(siplo_ctx);
	return 0;
}

/*
 * fifo_server.c: the MI FIFO process.  OpenSER 1.x protocol:
 *
 *	:<command>:<reply fifo>\n
 *	<argument>\n		(zero or more, one per line)
 *	\n			(an empty line ends the request)
 *
 * The reply goes to <reply_dir><reply fifo>, a FIFO the client made and
 * opened for reading: "<code> <reason>\n", the body, then an empty line.
 * An empty reply fifo name runs the command without replying.
 *
 * Nothing a writer sends can block or stop this process: the FIFO is read
 * non-blocking, lines and requests are bounded, garbage is skipped up to
 * the next empty line, and a reply FIFO nobody opens is given up after a
 * bounded retry.  The reply path is always <reply_dir>/<name> with a plain
 * name, opened without following links, and written only if it is a FIFO.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <stddef.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/proc.h"
#include "lib/log.h"
#include "modules/mi_fifo/fifo_server.h"
#include "script/mi.h"

#define REQ_MAX		65536	/* one request: command line + arguments */
#define READ_CHUNK	4096
#define REPLY_MAX	262144	/* one reply body */
#define NAME_MAX_LEN	128	/* reply fifo name */
#define OPEN_TRIES	50	/* x 20 ms: a client gets 1 s to open its fifo */
#define WRITE_MS	2000	/* a client gets 2 s to read its reply */

static char default_name[] = "/tmp/openser_fifo";
static char default_reply_dir[] = "/tmp/";

char *fifo_name = default_name;
int fifo_mode = 0660;
char *fifo_group;
char *fifo_user;
char *fifo_reply_dir = default_reply_dir;

enum req_state {
	REQ_IDLE = 0,	/* waiting for ":cmd:reply" */
	REQ_ARGS,	/* collecting arguments */
	REQ_SKIP,	/* garbage: dropping lines up to an empty one */
};

/* the request being read; private to the FIFO process */
struct fifo_req {
	enum req_state state;
	int bad;			/* 400 to send instead of running */
	const char *bad_reason;
	char cmd[64];
	char reply[NAME_MAX_LEN + 1];
	int argc;
	int arg_off[MI_MAX_ARGS], arg_len[MI_MAX_ARGS];
	char data[REQ_MAX];		/* argument bytes */
	int data_len;
};

static uid_t fifo_uid = (uid_t)-1;
static gid_t fifo_gid = (gid_t)-1;
static struct fifo_req req;
static char line[REQ_MAX];	/* unterminated input */
static int line_len, in_long_line;
static char reply_body[REPLY_MAX];

static int
resolve_owner(void)
{
	struct passwd *pw;
	struct group *gr;

	if (fifo_user != NULL && fifo_user[0] != '\0') {
		if ((pw = getpwnam(fifo_user)) == NULL) {
			LM_ERR("mi_fifo: fifo_user '%s': no such user",
			    fifo_user);
			return -1;
		}
		fifo_uid = pw->pw_uid;
		if (fifo_gid == (gid_t)-1)
			fifo_gid = pw->pw_gid;
	}
	if (fifo_group != NULL && fifo_group[0] != '\0') {
		if ((gr = getgrnam(fifo_group)) == NULL) {
			LM_ERR("mi_fifo: fifo_group '%s': no such group",
			    fifo_group);
			return -1;
		}
		fifo_gid = gr->gr_gid;
	}
	return 0;
}

int
fifo_server_check(void)
{
	struct stat st;

	if (fifo_name == NULL || fifo_name[0] == '\0'
	    || strlen(fifo_name) >= PATH_MAX - 1) {
		LM_ERR("mi_fifo: fifo_name must be a path");
		return -1;
	}
	if (fifo_mode <= 0 || (fifo_mode & ~0777) != 0) {
		LM_ERR("mi_fifo: fifo_mode %o: want permission bits such as "
		    "0660", (unsigned int)fifo_mode);
		return -1;
	}
	if (fifo_reply_dir == NULL || fifo_reply_dir[0] == '\0'
	    || strlen(fifo_reply_dir) > PATH_MAX - NAME_MAX_LEN - 2) {
		LM_ERR("mi_fifo: reply_dir must be a directory");
		return -1;
	}
	if (lstat(fifo_name, &st) == 0 && !S_ISFIFO(st.st_mode)) {
		LM_ERR("mi_fifo: %s exists and is not a FIFO; remove it or set "
		    "fifo_name", fifo_name);
		return -1;
	}
	return resolve_owner();
}

/* Make the FIFO, replacing a stale one.  0 or -1 (logged). */
static int
fifo_create(void)
{
	struct stat st;

	if (lstat(fifo_name, &st) == 0) {
		if (!S_ISFIFO(st.st_mode)) {
			LM_ERR("mi_fifo: %s exists and is not a FIFO",
			    fifo_name);
			return -1;
		}
		LM_NOTICE("mi_fifo: replacing the existing FIFO %s",
		    fifo_name);
		if (unlink(fifo_name) == -1) {
			LM_ERR("mi_fifo: cannot remove %s: %s", fifo_name,
			    strerror(errno));
			return -1;
		}
	}
	if (mkfifo(fifo_name, (mode_t)fifo_mode) == -1) {
		LM_ERR("mi_fifo: cannot create FIFO %s: %s", fifo_name,
		    strerror(errno));
		return -1;
	}
	if (chmod(fifo_name, (mode_t)fifo_mode) == -1)
		LM_WARN("mi_fifo: cannot chmod %s: %s", fifo_name,
		    strerror(errno));
	if ((fifo_uid != (uid_t)-1 || fifo_gid != (gid_t)-1)
	    && chown(fifo_name, fifo_uid, fifo_gid) == -1)
		LM_WARN("mi_fifo: cannot give %s to %s:%s: %s", fifo_name,
		    fifo_user != NULL ? fifo_user : "-",
		    fifo_group != NULL ? fifo_group : "-", strerror(errno));
	return 0;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	(void)nanosleep(&ts, NULL);
}

static long
now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Open the client's reply FIFO for writing without blocking; -1 if it is
 * not a FIFO or nobody opened it for reading in time. */
static int
reply_open(const char *path)
{
	struct stat st;
	int fd = -1, i, err = 0;

	for (i = 0; i < OPEN_TRIES; i++) {
		fd = open(path, O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
		err = errno;
		if (fd != -1 || err != ENXIO || proc_stop)
			break;
		sleep_ms(20);
	}
	if (fd == -1) {
		LM_WARN("mi_fifo: cannot open reply fifo %s: %s", path,
		    err == ENXIO ? "the client did not open it for reading"
				 : strerror(err));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISFIFO(st.st_mode)) {
		LM_WARN("mi_fifo: reply path %s is not a FIFO; not writing",
		    path);
		(void)close(fd);
		return -1;
	}
	return fd;
}

/* Write all of <buf> within the deadline <until>.  0 or -1. */
static int
write_all(int fd, const char *buf, size_t len, long until)
{
	struct pollfd pfd = { fd, POLLOUT, 0 };
	ssize_t n;
	long left;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n == -1 && errno != EAGAIN && errno != EINTR)
			return -1;
		if ((left = until - now_ms()) <= 0 || proc_stop)
			return -1;
		(void)poll(&pfd, 1, (int)(left > 100 ? 100 : left));
	}
	return 0;
}

static void
reply_send(const char *name, const struct mi_reply *r)
{
	char path[PATH_MAX], head[128];
	const char *slash;
	long until;
	int fd, n;

	slash = fifo_reply_dir[strlen(fifo_reply_dir) - 1] == '/' ? "" : "/";
	if (snprintf(path, sizeof(path), "%s%s%s", fifo_reply_dir, slash,
	    name) >= (int)sizeof(path))
		return;
	if ((fd = reply_open(path)) == -1)
		return;
	until = now_ms() + WRITE_MS;
	n = snprintf(head, sizeof(head), "%d %s\n", r->code, r->reason);
	if (write_all(fd, head, (size_t)n, until) == -1
	    || write_all(fd, r->buf, (size_t)r->len, until) == -1
	    || (r->len > 0 && r->buf[r->len - 1] != '\n'
		&& write_all(fd, "\n", 1, until) == -1)
	    || (r->truncated && write_all(fd, "(reply truncated)\n", 18,
		until) == -1)
	    || write_all(fd, "\n", 1, until) == -1)
		LM_WARN("mi_fifo: reply to %s not fully written (client gone "
		    "or not reading)", path);
	(void)close(fd);
}

static void
req_run(void)
{
	str argv[MI_MAX_ARGS];
	struct mi_reply r;
	int i;

	mi_reply_init(&r, reply_body, sizeof(reply_body));
	if (req.bad)
		mi_reply_error(&r, 400, req.bad_reason);
	else {
		for (i = 0; i < req.argc; i++) {
			argv[i].s = req.data + req.arg_off[i];
			argv[i].len = req.arg_len[i];
		}
		LM_DBG("mi_fifo: running %s with %d argument(s)", req.cmd,
		    req.argc);
		(void)mi_run(req.cmd, req.argc, argv, &r);
	}
	if (req.reply[0] != '\0')
		reply_send(req.reply, &r);
}

static int
name_ok(const char *s, int len)
{
	int i;

	if (len > NAME_MAX_LEN || (len == 1 && s[0] == '.')
	    || (len == 2 && s[0] == '.' && s[1] == '.'))
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] == '/' || (unsigned char)s[i] <= ' '
		    || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

/* ":cmd:reply" -> REQ_ARGS; anything else -> REQ_SKIP. */
static void
req_start(const char *s, int len)
{
	const char *c2;
	int clen, rlen;

	memset(&req, 0, offsetof(struct fifo_req, data));
	c2 = len > 1 && s[0] == ':' ? memchr(s + 1, ':', (size_t)len - 1)
				     : NULL;
	clen = c2 != NULL ? (int)(c2 - s - 1) : 0;
	rlen = c2 != NULL ? (int)(s + len - c2 - 1) : 0;
	if (c2 == NULL || clen == 0 || clen >= (int)sizeof(req.cmd)
	    || !name_ok(s + 1, clen) || !name_ok(c2 + 1, rlen)) {
		char shown[44];
		int i;

		/* what the log shows of it: printable and short */
		for (i = 0; i < len && i < 40; i++)
			shown[i] = s[i] > ' ' && s[i] < 0x7f ? s[i] : '?';
		shown[i] = '\0';
		LM_WARN("mi_fifo: not a request (%s%s); skipping to the next "
		    "empty line", shown, len > 40 ? "..." : "");
		req.state = REQ_SKIP;
		return;
	}
	memcpy(req.cmd, s + 1, (size_t)clen);
	memcpy(req.reply, c2 + 1, (size_t)rlen);
	req.state = REQ_ARGS;
}

static void
req_arg(const char *s, int len)
{
	if (req.bad)
		return;
	if (req.argc == MI_MAX_ARGS) {
		req.bad = 1;
		req.bad_reason = "Too many arguments";
		return;
	}
	if (len > (int)sizeof(req.data) - req.data_len) {
		req.bad = 1;
		req.bad_reason = "Request too large";
		return;
	}
	memcpy(req.data + req.data_len, s, (size_t)len);
	req.arg_off[req.argc] = req.data_len;
	req.arg_len[req.argc] = len;
	req.data_len += len;
	req.argc++;
}

/* One complete input line (no newline). */
static void
req_line(const char *s, int len)
{
	if (len > 0 && s[len - 1] == '\r')
		len--;
	switch (req.state) {
	case REQ_IDLE:
		if (len > 0)
			req_start(s, len);
		break;
	case REQ_ARGS:
		if (len == 0) {
			req_run();
			req.state = REQ_IDLE;
		} else
			req_arg(s, len);
		break;
	case REQ_SKIP:
		if (len == 0)
			req.state = REQ_IDLE;
		break;
	}
}

/* Split what was read into lines; a line longer than the buffer is
 * dropped whole and spoils the request it belongs to. */
static void
input(const char *buf, int n)
{
	const char *nl;
	int k;

	while (n > 0) {
		nl = memchr(buf, '\n', (size_t)n);
		k = nl != NULL ? (int)(nl - buf) : n;
		if (in_long_line) {
			if (nl != NULL)
				in_long_line = 0;
		} else if (line_len + k > (int)sizeof(line)) {
			LM_WARN("mi_fifo: input line over %d bytes dropped",
			    (int)sizeof(line));
			line_len = 0;
			if (req.state == REQ_ARGS) {
				req.bad = 1;
				req.bad_reason = "Request too large";
			} else
				req.state = REQ_SKIP;
			in_long_line = nl == NULL;
		} else {
			memcpy(line + line_len, buf, (size_t)k);
			line_len += k;
			if (nl != NULL) {
				req_line(line, line_len);
				line_len = 0;
			}
		}
		if (nl == NULL)
			break;
		buf = nl + 1;
		n -= k + 1;
	}
}

/* Remove the FIFO if it is still the one this process made. */
static void
fifo_remove(int fd)
{
	struct stat mine, now;

	if (fstat(fd, &mine) == 0 && lstat(fifo_name, &now) == 0
	    && mine.st_ino == now.st_ino && mine.st_dev == now.st_dev)
		(void)unlink(fifo_name);
}

void
fifo_server_loop(int rank)
{
	struct pollfd pfd;
	char buf[READ_CHUNK];
	ssize_t n;
	int fd, keep;

	if (fifo_create() == -1)
		return;
	fd = open(fifo_name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	/* our own writer keeps the FIFO from reporting EOF between clients */
	keep = fd != -1 ? open(fifo_name, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
			: -1;
	if (fd == -1 || keep == -1) {
		LM_ERR("mi_fifo: cannot open %s: %s", fifo_name,
		    strerror(errno));
		if (fd != -1)
			(void)close(fd);
		return;
	}
	LM_INFO("mi_fifo: serving %s", fifo_name);
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (!proc_stop) {
		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		while (!proc_stop && (n = read(fd, buf, sizeof(buf))) > 0)
			input(buf, (int)n);
	}
	fifo_remove(fd);
	(void)close(keep);
	(void)close(fd);
}

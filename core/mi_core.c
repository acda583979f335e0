/*
 * mi_core.c: the core's management commands (see mi_core.h).  They run in
 * the process of the MI transport and read only shared state: the process
 * table, the counters, the shm figures, the connection index.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/mi_core.h"
#include "core/proc.h"
#include "lib/log.h"
#include "lib/stats.h"
#include "mem/pkg.h"
#include "mem/shm.h"
#include "net/tcp_conn.h"
#include "script/mi.h"
#ifdef USE_TLS
#include "tls/tls_mi.h"
#endif

/* per-process pkg rows (pkmem:<ID>-<name>) for the first PKG_PROCS */
#define PKG_PROCS 128
#define PKG_ROWS 5
#define STAT_ROWS (STATS_MAX + 32 + PKG_PROCS * PKG_ROWS)

/* one statistic as get_statistics prints it; <var> NULL when computed */
struct stat_row {
	const char *group;
	const char *name;
	uint64_t val;
	struct stat_var *var;
};

static time_t up_since;

static int
str_is(const str *s, const char *lit)
{
	size_t n = strlen(lit);

	return s->len == (int)n && memcmp(s->s, lit, n) == 0;
}

static int
mi_which(int argc, const str *argv, struct mi_reply *r)
{
	const struct mi_export *c;
	int i;

	for (i = 0; (c = mi_get(i)) != NULL; i++)
		(void)mi_reply_printf(r, "%s\n", c->name);
	return 0;
}

static int
mi_ps(int argc, const str *argv, struct mi_reply *r)
{
	const struct pt_entry *p;
	int i;

	if (pt_count() == 0) {	/* fork = no */
		(void)mi_reply_printf(r, "Process::  ID=0 PID=%d Type=main\n",
		    (int)getpid());
		return 0;
	}
	for (i = 0; (p = pt_get(i)) != NULL; i++)
		if (p->pid != 0)
			(void)mi_reply_printf(r, "Process::  ID=%d PID=%d "
			    "Type=%s\n", i, (int)p->pid, p->desc);
	return 0;
}

static void
print_time(struct mi_reply *r, const char *label, time_t t)
{
	struct tm tm;
	char buf[64];

	if (localtime_r(&t, &tm) == NULL
	    || strftime(buf, sizeof(buf), "%a %b %e %H:%M:%S %Y", &tm) == 0)
		(void)snprintf(buf, sizeof(buf), "%lld", (long long)t);
	(void)mi_reply_printf(r, "%s:: %s\n", label, buf);
}

static int
mi_uptime(int argc, const str *argv, struct mi_reply *r)
{
	time_t now = time(NULL);

	print_time(r, "Now", now);
	print_time(r, "Up since", up_since);
	(void)mi_reply_printf(r, "Up time:: %lld [sec]\n",
	    (long long)(now - up_since));
	return 0;
}

static int
mi_version(int argc, const str *argv, struct mi_reply *r)
{
	(void)mi_reply_printf(r, "Server:: openser %s (%s build, %s)\n",
	    OPENSER_VERSION, OPENSER_BUILD,
#ifdef USE_TLS
	    "TLS"
#else
	    "no TLS"
#endif
	);
	return 0;
}

static int
mi_pwd(int argc, const str *argv, struct mi_reply *r)
{
	char wd[PATH_MAX];

	if (getcwd(wd, sizeof(wd)) == NULL) {
		mi_reply_error(r, 500, "cannot read the working directory");
		return 0;
	}
	(void)mi_reply_printf(r, "WD:: %s\n", wd);
	return 0;
}

/* The daemon's command line, from /proc (the MI process shares it). */
static int
mi_arg(int argc, const str *argv, struct mi_reply *r)
{
	char buf[4096];
	ssize_t n;
	int fd, i, start = 0;

	if ((fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC)) == -1) {
		mi_reply_error(r, 500, "command line not available");
		return 0;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	(void)close(fd);
	if (n <= 0) {
		mi_reply_error(r, 500, "command line not available");
		return 0;
	}
	buf[n] = '\0';
	for (i = 0; i <= n; i++)
		if (i == n || buf[i] == '\0') {
			if (i > start)
				(void)mi_reply_printf(r, "%s\n", buf + start);
			start = i + 1;
		}
	return 0;
}

/*
 * Ask the attendant to shut everything down, as SIGTERM would.  The signal
 * is sent by a short-lived helper a moment later, so that the transport
 * can still write this command's reply before it is stopped itself.
 */
static int
mi_kill(int argc, const str *argv, struct mi_reply *r)
{
	const struct pt_entry *att = pt_get(0);
	pid_t pid = att != NULL && att->pid != 0 ? att->pid : getpid();
	struct timespec ts = { 0, 300 * 1000 * 1000 };
	pid_t helper;

	LM_NOTICE("mi: kill: stopping openser (pid %d)", (int)pid);
	if ((helper = fork()) == -1) {
		if (kill(pid, SIGTERM) == -1)
			mi_reply_error(r, 500, "cannot signal the attendant");
		return 0;
	}
	if (helper == 0) {
		(void)nanosleep(&ts, NULL);
		(void)kill(pid, SIGTERM);
		_exit(0);
	}
	return 0;
}

static int
mi_debug(int argc, const str *argv, struct mi_reply *r)
{
	char num[16], *end;
	long v;

	if (argc > 1) {
		mi_reply_error(r, 400, "Too many arguments");
		return 0;
	}
	if (argc == 1) {
		if (argv[0].len == 0 || argv[0].len >= (int)sizeof(num)) {
			mi_reply_error(r, 400, "Bad debug level");
			return 0;
		}
		memcpy(num, argv[0].s, (size_t)argv[0].len);
		num[argv[0].len] = '\0';
		v = strtol(num, &end, 10);
		if (*end != '\0' || v < L_ALERT - 1 || v > L_DBG + 4) {
			mi_reply_error(r, 400, "Bad debug level");
			return 0;
		}
		log_level_set((int)v);
		LM_NOTICE("mi: debug level set to %ld", v);
	}
	(void)mi_reply_printf(r, "DEBUG:: %d\n", log_level_get());
	return 0;
}

static int
add_row(struct stat_row *rows, int n, const char *g, const char *name,
    uint64_t v)
{
	if (n == STAT_ROWS)
		return n;
	rows[n].group = g;
	rows[n].name = name;
	rows[n].val = v;
	rows[n].var = NULL;
	return n + 1;
}

static int
mem_rows(struct stat_row *rows, int n, const char *g,
    const struct mem_stats *m)
{
	n = add_row(rows, n, g, "total_size", m->size);
	n = add_row(rows, n, g, "used_size", m->used);
	n = add_row(rows, n, g, "real_used_size", m->real_used);
	n = add_row(rows, n, g, "max_used_size", m->max_used);
	n = add_row(rows, n, g, "free_size", m->size > m->real_used
	    ? m->size - m->real_used : 0);
	n = add_row(rows, n, g, "fragments", m->fragments);
	return add_row(rows, n, g, "failed_allocs", m->failed);
}

/*
 * pkmem:<ID>-<name> for every process of the table (ID as in "ps"):
 * each process publishes its own figures in shm.
 */
static int
pkg_proc_rows(struct stat_row *rows, int n)
{
	static const char *const what[PKG_ROWS] = { "used_size",
	    "real_used_size", "max_used_size", "free_size", "failed_allocs" };
	static char names[PKG_PROCS][PKG_ROWS][40];
	const struct pt_entry *p;
	struct mem_stats m;
	uint64_t v[PKG_ROWS];
	int i, k;

	for (i = 0; i < PKG_PROCS && (p = pt_get(i)) != NULL; i++) {
		if (p->pid == 0 || pkg_stats_of(i, &m) == -1)
			continue;
		v[0] = m.used;
		v[1] = m.real_used;
		v[2] = m.max_used;
		v[3] = m.size > m.real_used ? m.size - m.real_used : 0;
		v[4] = m.failed;
		for (k = 0; k < PKG_ROWS; k++) {
			(void)snprintf(names[i][k], sizeof(names[i][k]),
			    "%d-%s", i, what[k]);
			n = add_row(rows, n, "pkmem", names[i][k], v[k]);
		}
	}
	return n;
}

/* pkg usage of every process: ID, PID, type and figures */
static int
mi_pkg_stats(int argc, const str *argv, struct mi_reply *r)
{
	const struct pt_entry *p;
	struct mem_stats m;
	int i, found = 0;

	for (i = 0; (p = pt_get(i)) != NULL; i++) {
		if (p->pid == 0 || pkg_stats_of(i, &m) == -1)
			continue;
		(void)mi_reply_printf(r, "Process::  ID=%d PID=%d Type=%s "
		    "total=%zu used=%zu real_used=%zu max_used=%zu free=%zu "
		    "fragments=%zu failed=%zu\n", i, (int)p->pid, p->desc,
		    m.size, m.used, m.real_used, m.max_used,
		    m.size > m.real_used ? m.size - m.real_used : 0,
		    m.fragments, m.failed);
		found++;
	}
	if (found == 0) {	/* fork = no: this process only */
		pkg_stats_get(&m);
		(void)mi_reply_printf(r, "Process::  ID=0 PID=%d Type=main "
		    "total=%zu used=%zu real_used=%zu max_used=%zu free=%zu "
		    "fragments=%zu failed=%zu\n", (int)getpid(), m.size,
		    m.used, m.real_used, m.max_used,
		    m.size > m.real_used ? m.size - m.real_used : 0,
		    m.fragments, m.failed);
	}
	return 0;
}

/*
 * Every statistic, in print order: the registered counters, then the
 * computed groups: shmem (the shared arena), pkmem (this process's own
 * heap: the MI process; then pkmem:<ID>-* for every process), tcp (the
 * connection index).
 */
static int
stat_rows(struct stat_row *rows)
{
	struct tcp_conn_stats ts;
	struct mem_stats m;
	struct stat_var *s;
	int i, n = 0;

	for (i = 0; (s = stats_get(i)) != NULL && n < STAT_ROWS; i++) {
		rows[n].group = s->group;
		rows[n].name = s->name;
		rows[n].val = stats_read(s);
		rows[n].var = s;
		n++;
	}
	shm_stats_get(&m);
	n = mem_rows(rows, n, "shmem", &m);
	pkg_stats_get(&m);
	n = mem_rows(rows, n, "pkmem", &m);
	n = pkg_proc_rows(rows, n);
	if (tcp_workers > 0) {
		tcp_index_stats(&ts);
		n = add_row(rows, n, "tcp", "open_connections", ts.opened);
		n = add_row(rows, n, "tcp", "accepted", ts.accepted);
		n = add_row(rows, n, "tcp", "connected", ts.connected);
		n = add_row(rows, n, "tcp", "errors", ts.errors);
		n = add_row(rows, n, "tcp", "refused", ts.refused);
		n = add_row(rows, n, "tcp", "partial_buffer_evictions",
		    ts.evicted);
		n = add_row(rows, n, "tcp", "unfinished_per_ip_refused",
		    ts.over_source_limit);
		n = add_row(rows, n, "tcp", "dropped_dead_worker", ts.dropped);
		n = add_row(rows, n, "tcp", "index_recovered", ts.recovered);
	}
	return n;
}

/* Does row <sr> match the argument <a> ("all", "group:", "group:name",
 * "name")? */
static int
stat_match(const struct stat_row *sr, const str *a)
{
	const char *colon = memchr(a->s, ':', (size_t)a->len);
	int glen;

	if (str_is(a, "all"))
		return 1;
	if (colon == NULL)
		return str_is(a, sr->name);
	glen = (int)(colon - a->s);
	if ((int)strlen(sr->group) != glen
	    || memcmp(sr->group, a->s, (size_t)glen) != 0)
		return 0;
	if (glen == a->len - 1)
		return 1;
	return (int)strlen(sr->name) == a->len - glen - 1
	    && memcmp(sr->name, colon + 1, (size_t)(a->len - glen - 1)) == 0;
}

static int
mi_get_stats(int argc, const str *argv, struct mi_reply *r)
{
	static struct stat_row rows[STAT_ROWS];
	int i, k, n, found = 0;

	if (argc == 0) {
		mi_reply_error(r, 400, "Too few arguments");
		return 0;
	}
	n = stat_rows(rows);
	for (k = 0; k < argc; k++)
		for (i = 0; i < n; i++)
			if (stat_match(&rows[i], &argv[k])) {
				(void)mi_reply_printf(r, "%s:%s = %" PRIu64 "\n",
				    rows[i].group, rows[i].name, rows[i].val);
				found++;
			}
	if (found == 0)
		mi_reply_error(r, 404, "Statistics Not Found");
	return 0;
}

/* Reset counters; computed figures (shmem, pkmem, tcp) are current
 * values and cannot be reset. */
static int
mi_reset_stats(int argc, const str *argv, struct mi_reply *r)
{
	static struct stat_row rows[STAT_ROWS];
	int i, k, n, found = 0;

	if (argc == 0) {
		mi_reply_error(r, 400, "Too few arguments");
		return 0;
	}
	n = stat_rows(rows);
	for (k = 0; k < argc; k++)
		for (i = 0; i < n; i++)
			if (rows[i].var != NULL && stat_match(&rows[i], &argv[k])) {
				stats_reset(rows[i].var);
				found++;
			}
	if (found == 0)
		mi_reply_error(r, 404, "Statistics Not Found");
	return 0;
}

#ifdef USE_TLS
/* Run a tls/tls_mi.c printer into the rest of the reply body. */
static int
tls_print(struct mi_reply *r, int (*f)(char *buf, int size))
{
	int n;

	n = f(r->buf + r->len, r->size - r->len);
	if (n < 0 || n >= r->size - r->len) {
		r->len = r->size - 1;
		r->truncated = 1;
		return 0;
	}
	r->len += n;
	return 0;
}

static int
mi_tls_list(int argc, const str *argv, struct mi_reply *r)
{
	if (tcp_workers == 0) {
		(void)mi_reply_printf(r, "TCP is disabled: no TLS "
		    "connections\n");
		return 0;
	}
	return tls_print(r, tls_mi_list);
}

static int
mi_tls_info(int argc, const str *argv, struct mi_reply *r)
{
	return tls_print(r, tls_mi_info);
}
#endif

static const struct mi_export core_cmds[] = {
	{ "which", mi_which, "list the management commands" },
	{ "ps", mi_ps, "list the processes: ID, PID, type" },
	{ "pkg_stats", mi_pkg_stats, "private (pkg) memory of every process: "
	    "ID, PID, type, total/used/max used/free bytes, failures" },
	{ "uptime", mi_uptime, "now, start time and seconds up" },
	{ "version", mi_version, "server version and build" },
	{ "pwd", mi_pwd, "working directory of the server" },
	{ "arg", mi_arg, "command line the server was started with" },
	{ "kill", mi_kill, "stop the server (SIGTERM to the attendant)" },
	{ "debug", mi_debug, "[level]: show or set the log level of every "
	    "process" },
	{ "get_statistics", mi_get_stats, "all | group: | [group:]name ...:"
	    " print statistics" },
	{ "reset_statistics", mi_reset_stats, "group: | [group:]name ...: "
	    "zero counters" },
#ifdef USE_TLS
	{ "tls_list", mi_tls_list, "open TLS connections: peer, socket, "
	    "domain, version, cipher, subject, age" },
	{ "tls_info", mi_tls_info, "TLS domains: certificate subject, "
	    "SANs, expiry" },
#endif
	{ 0 },
};

int
mi_core_init(void)
{
	const struct mi_export *c;

	up_since = time(NULL);
	if (log_level_share() == -1)
		(void)fprintf(stderr, "openser: cannot share the log level: "
		    "MI debug will change one process only: %s\n",
		    strerror(errno));
	for (c = core_cmds; c->name != NULL; c++)
		if (mi_register(c->name, c->f, c->help) == -1) {
			(void)fprintf(stderr, "openser: management command %s "
			    "is defined twice (a module took a core name?)\n",
			    c->name);
			return -1;
		}
	return 0;
}

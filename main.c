/*
 * main.c: the attendant.  Reads the command line and the config, opens the
 * sockets, forks the processes of the table below, then only watches them.
 * A child killed by a signal (kill -9, a crash) is logged and replaced by a
 * new process of the same kind and rank; everything else keeps serving.
 * The attendant keeps its own copy of every listen socket and of both ends
 * of every channel between processes, so a replacement inherits the same
 * ones and nobody has to reconnect to it.  The server shuts down cleanly
 * instead when a child exits by itself (it met an error it cannot recover
 * from, e.g. failed initialisation or a detected shm corruption), when one
 * kind of process dies more than respawn_limit times in respawn_window
 * seconds (a crash loop), or when a replacement cannot be forked.
 * SIGTERM/SIGINT stop everything.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cfg/cfg.h"
#include "cfg/cfg_core.h"
#include "core/mi_core.h"
#include "core/proc.h"
#include "core/receive.h"
#include "lib/log.h"
#include "lib/stats.h"
#include "mem/pkg.h"
#include "mem/shm.h"
#include "net/net_cfg.h"
#include "net/socket_info.h"
#include "net/tcp_conn.h"
#include "net/tcp_ipc.h"
#include "script/sr_module.h"
#ifdef USE_TLS
#include "tls/tls_init.h"
#endif

#define STOP_GRACE_MS	 4000

struct options {
	const char *cfg_file;
	const char *pid_file;
	const char *user, *group;
	int check_only, verbose, foreground, debug_plus;
	size_t shm_mb, pkg_mb;
};

/* one row per kind of process: how many, and what each runs */
struct proc_kind {
	const char *name;
	const char *stat;	/* core:<stat> counts its replacements */
	int (*count)(void);
	void (*run)(int rank, int idx);
};

static int count_udp(void);
static int count_tcp_main(void);
static int count_tcp_workers(void);
static int count_one(void);
static void run_udp(int rank, int idx);
static void run_tcp_main(int rank, int idx);
static void run_tcp_worker(int rank, int idx);
static void run_timer(int rank, int idx);
static int count_mod_procs(void);
static void run_mod_proc(int rank, int idx);

static const struct proc_kind procs[] = {
	{ "udp receiver", "respawns_udp_receiver", count_udp, run_udp },
	{ "tcp main", "respawns_tcp_main", count_tcp_main, run_tcp_main },
	{ "tcp worker", "respawns_tcp_worker", count_tcp_workers,
	    run_tcp_worker },
	{ "timer", "respawns_timer", count_one, run_timer },
	{ "module process", "respawns_module_process", count_mod_procs,
	    run_mod_proc },
};

#define NKINDS ((int)(sizeof(procs) / sizeof(procs[0])))

/* what the attendant knows of each child */
struct child {
	pid_t pid;		/* 0 once reaped */
	int kind;		/* row of procs[] */
	int idx;		/* instance of that kind */
	int rank;		/* slot in the process table */
};

/* deaths of one kind of process, for the crash-loop limit */
struct kind_deaths {
	long window_start;	/* monotonic seconds */
	int n;			/* deaths since window_start */
	struct stat_var *respawns;
};

static volatile sig_atomic_t got_stop, got_child;
static struct child *children;
static int nchildren;
static struct kind_deaths deaths[NKINDS];

static int
udp_sockets(void)
{
	struct socket_info *si;
	int n = 0;

	for (si = sock_list; si != NULL; si = si->next)
		n += si->proto == PROTO_UDP;
	return n;
}

static int
count_udp(void)
{
	return udp_sockets() * cfg_children;
}

static int
count_tcp_main(void)
{
	return tcp_workers > 0;
}

static int
count_tcp_workers(void)
{
	return tcp_workers;
}

static int
count_one(void)
{
	return 1;
}

static void
run_udp(int rank, int idx)
{
	struct socket_info *si;
	int k = idx / cfg_children;

	for (si = sock_list; si != NULL; si = si->next)
		if (si->proto == PROTO_UDP && k-- == 0)
			break;
	proc_udp_loop(rank, si);
}

static void
run_tcp_main(int rank, int idx)
{
	tcp_main_loop(rank);
}

static void
run_tcp_worker(int rank, int idx)
{
	proc_tcp_worker_loop(rank, idx);
}

static void
run_timer(int rank, int idx)
{
	proc_timer_loop(rank);
}

/* Instance <idx> of the processes modules ask for (exports.procs). */
static const struct proc_export *
mod_proc(int idx)
{
	const struct module_exports *m;
	const struct proc_export *p;
	int i;

	for (i = 0; (m = mod_get(i)) != NULL; i++)
		for (p = m->procs; p != NULL && p->name != NULL; p++)
			if (p->count != NULL && *p->count > 0) {
				if (idx < *p->count)
					return p;
				idx -= *p->count;
			}
	return NULL;
}

static int
count_mod_procs(void)
{
	int n = 0;

	while (mod_proc(n) != NULL)
		n++;
	return n;
}

static void
run_mod_proc(int rank, int idx)
{
	const struct proc_export *p = mod_proc(idx);

	log_set_proc(p->name);
	p->run(PROC_MODULE);
}

static void
usage(FILE *f)
{
	(void)fprintf(f,
	    "usage: openser [options]\n"
	    "  -f file   configuration file (default " CFG_FILE_DEFAULT ")\n"
	    "  -c        check the configuration and exit\n"
	    "  -v        with -c: print the configuration as parsed\n"
	    "  -D        do not daemonize (stay in the foreground)\n"
	    "  -E        log to stderr instead of syslog\n"
	    "  -d        more debug output (repeat for more)\n"
	    "  -m MB     shared memory size (default %d)\n"
	    "  -M MB     per-process memory size (default %d)\n"
	    "  -u user   run as this user\n"
	    "  -g group  run as this group\n"
	    "  -P file   write the pid to this file\n"
	    "  -V        print version and build options\n"
	    "  -h        this help\n",
	    SHM_MEM_DEFAULT_MB, PKG_MEM_DEFAULT_MB);
}

static void
version(void)
{
	(void)printf("openser %s (%s build)\n", OPENSER_VERSION, OPENSER_BUILD);
#ifdef USE_TLS
	(void)printf("TLS: yes (built with TLS=1)\n");
#else
	(void)printf("TLS: no (rebuild with TLS=1 for TLS support)\n");
#endif
	(void)printf("transports: udp tcp%s\n",
#ifdef USE_TLS
	    " tls"
#else
	    ""
#endif
	);
	(void)printf("module dir: %s\n", MODULE_DIR_DEFAULT);
}

static int
parse_mb(const char *s, size_t *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v == 0 || v > 65536)
		return -1;
	*out = (size_t)v;
	return 0;
}

static int
parse_options(int argc, char **argv, struct options *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->cfg_file = CFG_FILE_DEFAULT;
	o->shm_mb = SHM_MEM_DEFAULT_MB;
	o->pkg_mb = PKG_MEM_DEFAULT_MB;
	while ((c = getopt(argc, argv, "f:cvDEdm:M:u:g:P:Vh")) != -1) {
		switch (c) {
		case 'f': o->cfg_file = optarg; break;
		case 'c': o->check_only = 1; break;
		case 'v': o->verbose = 1; break;
		case 'D': o->foreground = 1; break;
		case 'E': log_stderr = 1; break;
		case 'd': o->debug_plus++; break;
		case 'm':
		case 'M':
			if (parse_mb(optarg, c == 'm' ? &o->shm_mb : &o->pkg_mb)
			    == -1) {
				(void)fprintf(stderr, "openser: -%c %s: not a "
				    "size in MB (1..65536)\n", c, optarg);
				return -1;
			}
			break;
		case 'u': o->user = optarg; break;
		case 'g': o->group = optarg; break;
		case 'P': o->pid_file = optarg; break;
		case 'V': version(); exit(0);
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind < argc) {
		(void)fprintf(stderr, "openser: unexpected argument '%s'\n",
		    argv[optind]);
		usage(stderr);
		return -1;
	}
	return 0;
}

/* Parse and check the config; 0, or -1 after printing what is wrong. */
static int
load_config(const struct options *o)
{
	char err[256];
	int n;

	if ((n = cfg_parse_file(o->cfg_file)) > 0)
		goto fail;
	if (sock_fix_all(err, sizeof(err)) == -1) {
		(void)fprintf(stderr, "%s: %s\n", o->cfg_file, err);
		n = 1;
		goto fail;
	}
	if ((n = cfg_check()) > 0)
		goto fail;
	return 0;
fail:
	(void)fprintf(stderr, "%d error%s in config file %s\n", n,
	    n == 1 ? "" : "s", o->cfg_file);
	return -1;
}

static int
drop_privileges(const struct options *o)
{
	const char *user = o->user != NULL ? o->user : cfg_user;
	const char *group = o->group != NULL ? o->group : cfg_group;
	struct passwd *pw = NULL;
	struct group *gr;

	if (user != NULL && (pw = getpwnam(user)) == NULL) {
		LM_ERR("user %s: no such user; fix the user parameter or -u",
		    user);
		return -1;
	}
	if (group != NULL) {
		if ((gr = getgrnam(group)) == NULL) {
			LM_ERR("group %s: no such group; fix the group "
			    "parameter or -g", group);
			return -1;
		}
		if (setgid(gr->gr_gid) == -1) {
			LM_ERR("cannot switch to group %s: %s", group,
			    strerror(errno));
			return -1;
		}
	} else if (pw != NULL && setgid(pw->pw_gid) == -1) {
		LM_ERR("cannot switch to the group of %s: %s", user,
		    strerror(errno));
		return -1;
	}
	if (pw != NULL && (initgroups(user, getgid()) == -1
	    || setuid(pw->pw_uid) == -1)) {
		LM_ERR("cannot switch to user %s: %s", user, strerror(errno));
		return -1;
	}
	return 0;
}

static int
daemonize(void)
{
	pid_t pid;
	int fd;

	if ((pid = fork()) == -1)
		return -1;
	if (pid != 0)
		_exit(0);
	if (setsid() == -1)
		return -1;
	if ((pid = fork()) == -1)
		return -1;
	if (pid != 0)
		_exit(0);
	if (chdir("/") == -1)
		return -1;
	if ((fd = open("/dev/null", O_RDWR)) == -1)
		return -1;
	(void)dup2(fd, STDIN_FILENO);
	(void)dup2(fd, STDOUT_FILENO);
	if (!log_stderr)
		(void)dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		(void)close(fd);
	return 0;
}

static int
write_pid_file(const char *path)
{
	FILE *f;

	if (path == NULL)
		return 0;
	if ((f = fopen(path, "w")) == NULL) {
		LM_ERR("pid file %s: cannot create it: %s", path,
		    strerror(errno));
		return -1;
	}
	(void)fprintf(f, "%d\n", (int)getpid());
	return fclose(f) == 0 ? 0 : -1;
}

/*
 * Each tcp worker may own up to tcp_max_connections descriptors: raise the
 * soft limit as far as the hard limit allows and say so when short.
 */
static void
raise_fd_limit(void)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)tcp_max_connections + 256;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want
	    ? want : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur < want)
		LM_WARN("open files limit is %lu, below tcp_max_connections "
		    "(%d); raise the hard limit (ulimit -Hn)",
		    (unsigned long)rl.rlim_cur, tcp_max_connections);
}

static int
setup_tcp(void)
{
	struct socket_info *si;
	int w;

	tcp_workers = 0;
	for (si = sock_list; si != NULL; si = si->next)
		if (si->proto == PROTO_TCP || si->proto == PROTO_TLS)
			tcp_workers = cfg_tcp_children > 0 ? cfg_tcp_children
							   : cfg_children;
	if (tcp_workers == 0)
		return 0;
	raise_fd_limit();
	if (tcp_index_init(tcp_max_connections, tcp_workers) == -1) {
		LM_ERR("not enough shm for %d TCP connections; raise -m or "
		    "lower tcp_max_connections", tcp_max_connections);
		return -1;
	}
	if (tcp_ipc_init(tcp_workers) == -1
	    || (tcp_fd_chan = calloc((size_t)tcp_workers, sizeof(*tcp_fd_chan)))
		== NULL) {
		LM_ERR("cannot create the tcp worker channels: %s",
		    strerror(errno));
		return -1;
	}
	for (w = 0; w < tcp_workers; w++)
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
		    tcp_fd_chan[w]) == -1) {
			LM_ERR("cannot create the tcp worker channels: %s",
			    strerror(errno));
			return -1;
		}
	return 0;
}

/* In a new child: keep only the descriptors this kind of process uses. */
static void
child_close_fds(const struct proc_kind *k, int idx)
{
	struct socket_info *si;
	int w;

	for (si = sock_list; si != NULL; si = si->next)
		if (si->proto != PROTO_UDP && k->run != run_tcp_main
		    && si->fd != -1) {
			(void)close(si->fd);
			si->fd = -1;
		}
	for (w = 0; w < tcp_workers; w++) {
		if (k->run != run_tcp_main)
			(void)close(tcp_fd_chan[w][0]);
		if (k->run != run_tcp_worker || w != idx)
			(void)close(tcp_fd_chan[w][1]);
	}
	if (tcp_workers > 0)
		tcp_ipc_child(k->run == run_tcp_worker ? idx : -1);
}

static pid_t
spawn(const struct proc_kind *k, int idx, int rank)
{
	static char desc[PROC_DESC_LEN];
	pid_t pid, parent = getpid();

	if ((pid = fork()) != 0)
		return pid;
	pkg_stats_attach(rank);	/* before anything allocates */
	/* the attendant gone, nobody would replace or stop us: stop too */
	(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		exit(0);
	(void)snprintf(desc, sizeof(desc), "%s %d", k->name, idx);
	log_set_proc(desc);
	proc_signals_child();
	child_close_fds(k, idx);
	if (mod_child_init_all(k->run == run_tcp_main ? PROC_TCP_MAIN
	    : k->run == run_timer ? PROC_TIMER
	    : k->run == run_mod_proc ? PROC_MODULE : rank) == -1) {
		LM_CRIT("module initialisation failed in %s", desc);
		exit(1);
	}
	k->run(rank, idx);
	exit(0);
}

static void
on_signal(int sig)
{
	if (sig == SIGCHLD)
		got_child = 1;
	else
		got_stop = 1;
}

static void
attendant_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	(void)sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGCHLD, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
}

/* The core:respawns_* counters.  Attendant, before stats_init(). */
static void
respawn_stats_register(void)
{
	int k;

	for (k = 0; k < NKINDS; k++)
		deaths[k].respawns = stats_register("core", procs[k].stat);
}

static long
now_s(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec;
}

/* Fork child <c> (kind, idx and rank set) and record it.  0 or -1. */
static int
start_child(struct child *c)
{
	char d[PROC_DESC_LEN];
	pid_t pid;

	if ((pid = spawn(&procs[c->kind], c->idx, c->rank)) == -1)
		return -1;
	c->pid = pid;
	(void)snprintf(d, sizeof(d), "%s %d", procs[c->kind].name, c->idx);
	pt_set(c->rank, pid, d);
	return 0;
}

static int
fork_all(void)
{
	int k, i, n, total = 0, rank = 1;
	struct child *c;

	for (k = 0; k < NKINDS; k++)
		total += procs[k].count();
	if ((children = calloc((size_t)total, sizeof(*children))) == NULL
	    || pt_init(total + 1) == -1 || pkg_stats_share(total + 1) == -1)
		return -1;
	pt_set(0, getpid(), "attendant");
	pkg_stats_attach(0);
	for (k = 0; k < NKINDS; k++) {
		n = procs[k].count();
		for (i = 0; i < n; i++) {
			c = &children[nchildren];
			c->kind = k;
			c->idx = i;
			c->rank = rank++;
			if (start_child(c) == -1) {
				LM_CRIT("cannot fork %s %d: %s", procs[k].name,
				    i, strerror(errno));
				return -1;
			}
			nchildren++;
		}
	}
	return 0;
}

/*
 * Child <c> died with wait status <st> while the server was running.
 * Replace it when that is the right answer, else say why the server stops.
 * 0 (replaced), or -1 (shut down).
 */
static int
on_death(struct child *c, pid_t pid, int st)
{
	const struct proc_kind *k = &procs[c->kind];
	struct kind_deaths *d = &deaths[c->kind];
	char desc[PROC_DESC_LEN];
	long now = now_s();
	int sig, dropped = 0;

	(void)snprintf(desc, sizeof(desc), "%s %d", k->name, c->idx);
	if (shm_corrupt()) {
		LM_CRIT("process %d (%s) died and shared memory is corrupt (a "
		    "process died in the middle of changing it); shutting "
		    "down: restart openser", (int)pid, desc);
		return -1;
	}
	if (!WIFSIGNALED(st)) {
		LM_CRIT("process %d (%s) exited with status %d: it stopped on "
		    "an error it cannot recover from (see the lines above); "
		    "shutting down", (int)pid, desc, WEXITSTATUS(st));
		return -1;
	}
	sig = WTERMSIG(st);
	if (cfg_respawn_limit == 0) {
		LM_CRIT("process %d (%s) was killed by signal %d; shutting "
		    "down (respawn_limit = 0: no replacement)", (int)pid,
		    desc, sig);
		return -1;
	}
	if (d->n == 0 || now - d->window_start >= cfg_respawn_window) {
		d->window_start = now;
		d->n = 0;
	}
	if (++d->n > cfg_respawn_limit) {
		LM_CRIT("process %d (%s) was killed by signal %d: %d deaths of "
		    "a %s in %d s, over respawn_limit (%d per respawn_window "
		    "%d s); shutting down instead of restarting it in a loop",
		    (int)pid, desc, sig, d->n, k->name,
		    (int)(now - d->window_start), cfg_respawn_limit,
		    cfg_respawn_window);
		return -1;
	}
	if (k->run == run_tcp_worker)
		dropped = tcp_index_owner_gone(c->idx);
	if (start_child(c) == -1) {
		LM_CRIT("process %d (%s) was killed by signal %d and no "
		    "replacement can be forked: %s; shutting down", (int)pid,
		    desc, sig, strerror(errno));
		return -1;
	}
	if (k->run == run_tcp_worker)
		tcp_index_owner_back(c->idx);
	stats_add(d->respawns, 1);
	if (k->run == run_tcp_worker)
		LM_ERR("process %d (%s) was killed by signal %d; its %d "
		    "connection(s) are closed (the peers reconnect); started "
		    "process %d in its place (death %d of %d allowed per "
		    "respawn_window)", (int)pid, desc, sig, dropped,
		    (int)c->pid, d->n, cfg_respawn_limit);
	else
		LM_ERR("process %d (%s) was killed by signal %d; started "
		    "process %d in its place (death %d of %d allowed per "
		    "respawn_window)", (int)pid, desc, sig, (int)c->pid, d->n,
		    cfg_respawn_limit);
	return 0;
}

/*
 * Reap what exited.  While running, replace what died; 1 when the server
 * must shut down.
 */
static int
reap(int stopping)
{
	int st, i, rc = 0;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		for (i = 0; i < nchildren; i++) {
			if (children[i].pid != pid)
				continue;
			children[i].pid = 0;
			if (!stopping && rc == 0
			    && on_death(&children[i], pid, st) == -1)
				rc = 1;
		}
	return rc;
}

static int
alive(void)
{
	int i, n = 0;

	for (i = 0; i < nchildren; i++)
		n += children[i].pid != 0;
	return n;
}

static void
stop_children(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int i, waited;

	for (i = 0; i < nchildren; i++)
		if (children[i].pid != 0)
			(void)kill(children[i].pid, SIGTERM);
	for (waited = 0; waited < STOP_GRACE_MS && alive() > 0; waited += 20) {
		(void)nanosleep(&ts, NULL);
		(void)reap(1);
	}
	for (i = 0; i < nchildren; i++)
		if (children[i].pid != 0) {
			LM_WARN("process %d did not stop in time; killing it",
			    (int)children[i].pid);
			(void)kill(children[i].pid, SIGKILL);
			(void)waitpid(children[i].pid, NULL, 0);
			children[i].pid = 0;
		}
}

static int
watch_children(void)
{
	sigset_t none;
	int rc = 0;

	(void)sigemptyset(&none);
	while (!got_stop) {
		if (got_child) {
			got_child = 0;
			if (reap(0)) {
				rc = 1;
				break;
			}
		}
		if (!got_stop && !got_child)
			(void)sigsuspend(&none);
	}
	return rc;
}

static void cleanup(const struct options *o);

/* fork = no: this process alone serves the first UDP socket. */
static int
run_single(const struct options *o)
{
	struct socket_info *si = sock_first(PROTO_UDP, 0);

	LM_NOTICE("fork = no: serving only %s in one process, no TCP",
	    si != NULL ? si->sock_str.s : "(no udp socket)");
	proc_signals_child();
	if (si == NULL || mod_child_init_all(1) == -1)
		return 1;
	proc_udp_loop(1, si);
	cleanup(o);
	return 0;
}

static void
cleanup(const struct options *o)
{
	if (shm_corrupt()) {	/* touch nothing that lives in shm */
		if (o->pid_file != NULL)
			(void)unlink(o->pid_file);
		return;
	}
	cfg_destroy();
#ifdef USE_TLS
	destroy_tls();
#endif
	sock_close_all();
	tcp_index_destroy();
	if (o->pid_file != NULL)
		(void)unlink(o->pid_file);
	shm_destroy();
}

int
main(int argc, char **argv)
{
	struct options o;
	sigset_t block;
	char err[256];
	int rc;

	if (parse_options(argc, argv, &o) == -1)
		return 1;
	if (pkg_init(o.pkg_mb << 20) == -1 || shm_init(o.shm_mb << 20) == -1) {
		(void)fprintf(stderr, "openser: cannot map %zu MB of shared "
		    "memory: %s\n", o.shm_mb, strerror(errno));
		return 1;
	}
	if (receive_init() == -1)
		return 1;
#ifdef USE_TLS
	if (pre_init_tls() == -1)
		return 1;
#endif
	if (load_config(&o) == -1)
		return 1;
	if (mi_core_init() == -1)
		return 1;
	log_level += o.debug_plus;
	if (o.check_only) {
		if (o.verbose)
			cfg_print(stdout);
		(void)printf("config file ok\n");
		cfg_destroy();
		return 0;
	}
	log_init("openser");
	respawn_stats_register();
	if (stats_init() == -1) {
		LM_ERR("cannot map the statistics counters");
		return 1;
	}
#ifdef USE_TLS
	if (init_tls() == -1) {
		(void)fprintf(stderr, "openser: TLS set-up failed; see the log\n");
		return 1;
	}
#endif
	if (sock_open_all(err, sizeof(err)) == -1) {
		LM_ERR("%s", err);
		(void)fprintf(stderr, "openser: %s\n", err);
		return 1;
	}
	if (setup_tcp() == -1 || drop_privileges(&o) == -1)
		return 1;
	if (!o.foreground && daemonize() == -1) {
		LM_ERR("cannot become a daemon: %s", strerror(errno));
		return 1;
	}
	if (write_pid_file(o.pid_file) == -1)
		return 1;
	/* signals that arrive while forking are handled after it */
	(void)sigemptyset(&block);
	(void)sigaddset(&block, SIGCHLD);
	(void)sigaddset(&block, SIGTERM);
	(void)sigaddset(&block, SIGINT);
	(void)sigprocmask(SIG_BLOCK, &block, NULL);
	attendant_signals();
	LM_NOTICE("openser %s starting: %d udp socket(s) x %d, %d tcp worker(s)",
	    OPENSER_VERSION, udp_sockets(), cfg_children, tcp_workers);
	if (cfg_dont_fork)
		return run_single(&o);
	rc = fork_all();
	/* stay blocked: sigsuspend() in watch_children() opens the window */
	if (rc == 0)
		rc = watch_children();
	else
		rc = 1;
	LM_NOTICE("shutting down");
	stop_children();
	cleanup(&o);
	return rc;
}

/*
 * pt.c: the process table in shm (pid and description of every process,
 * for "ps"), the shutdown flag and the children's signal handling.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "core/proc.h"
#include "mem/shm.h"

volatile sig_atomic_t proc_stop;
int (*tcp_fd_chan)[2];
int tcp_workers;

static struct pt_entry *pt;
static int pt_n;

/* Room for <n> processes.  Attendant, before fork.  0 or -1. */
int
pt_init(int n)
{
	if ((pt = shm_zalloc(sizeof(*pt) * (size_t)n)) == NULL)
		return -1;
	pt_n = n;
	return 0;
}

/* Record process <i>. */
void
pt_set(int i, pid_t pid, const char *desc)
{
	if (i < 0 || i >= pt_n)
		return;
	pt[i].pid = pid;
	(void)snprintf(pt[i].desc, sizeof(pt[i].desc), "%s", desc);
}

/* Number of table slots. */
int
pt_count(void)
{
	return pt_n;
}

/* Slot <i>, or NULL. */
const struct pt_entry *
pt_get(int i)
{
	return i >= 0 && i < pt_n ? &pt[i] : NULL;
}

static void
on_stop(int sig)
{
	proc_stop = 1;
}

/*
 * In a new child: SIGTERM/SIGINT ask the loop to stop (interrupting
 * blocking calls), SIGPIPE is ignored, SIGCHLD back to default.
 */
void
proc_signals_child(void)
{
	struct sigaction sa;
	sigset_t none;

	(void)sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	(void)sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	(void)sigaction(SIGCHLD, &sa, NULL);
}

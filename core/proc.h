/*
 * proc.h: what the process entry loops share: the shutdown flag, the fd
 * channels between tcp main and the tcp workers, and the process table
 * visible to management commands.
 */
#ifndef CORE_PROC_H
#define CORE_PROC_H

#include <signal.h>
#include <sys/types.h>

#define PROC_DESC_LEN 48

struct socket_info;

extern volatile sig_atomic_t proc_stop;	/* set by SIGTERM/SIGINT */
extern int (*tcp_fd_chan)[2];	/* [w][0] tcp main side, [w][1] worker */
extern int tcp_workers;		/* number of tcp workers, 0 if no TCP */

struct pt_entry {
	pid_t pid;
	char desc[PROC_DESC_LEN];
};

int pt_init(int n);
void pt_set(int i, pid_t pid, const char *desc);
int pt_count(void);
const struct pt_entry *pt_get(int i);

void proc_signals_child(void);

void proc_udp_loop(int rank, struct socket_info *si);
void proc_tcp_worker_loop(int rank, int worker);
void proc_timer_loop(int rank);
void tcp_main_loop(int rank);

#endif

/*
 * pike_table.h: the pike module's table of request sources, in shm and
 * shared by every process.  A source is one IP address (v4 or v6).  The
 * table is a fixed array of sets of PIKE_WAYS entries, one lock per set:
 * its memory is fixed at start whatever the traffic, and a source that
 * finds its set full takes the slot of the one seen least recently that
 * is not blocked.
 *
 * A source's rate is the number of its requests in the last sampling
 * unit, estimated from two counters (this unit and the one before,
 * weighted by how much of it is still in the window).  Above
 * reqs_density_per_unit the source is "hot" and blocked; it stays blocked
 * until it has been calm (never over the limit) for remove_latency; its
 * requests are counted while it is blocked, so a source that keeps
 * flooding stays blocked.
 */
#ifndef MODULES_PIKE_PIKE_TABLE_H
#define MODULES_PIKE_PIKE_TABLE_H

#include "lib/ip_addr.h"

#define PIKE_WAYS 8

/* the parameters, in ms and requests */
struct pike_limits {
	unsigned long long unit_ms;	/* sampling_time_unit */
	unsigned int density;		/* reqs_density_per_unit */
	unsigned long long latency_ms;	/* remove_latency */
};

enum pike_verdict {
	PIKE_OK = 0,		/* under the limit */
	PIKE_BLOCKED,		/* over it, or still blocked */
	PIKE_NEW_BLOCK,		/* just went over it (log it) */
	PIKE_UNTRACKED,		/* its set is full of blocked sources */
	PIKE_UNBLOCKED,		/* calm long enough: let through again
				   (before the timer did it; log it) */
};

/* one blocked source, as pike_table_blocked() reports it */
struct pike_info {
	struct ip_addr ip;
	unsigned int rate;		/* requests in the last unit */
	unsigned long long refused;	/* requests refused while blocked */
	unsigned long long blocked_ms;	/* blocked for */
	unsigned long long calm_ms;	/* since it was last over the limit */
};

/* gauges the table keeps (pike.c registers them) */
struct stat_var;
extern struct stat_var *pike_st_tracked, *pike_st_blocked;

typedef void (*pike_cb)(const struct pike_info *info, void *arg);

int pike_table_init(unsigned int max_sources);
void pike_table_destroy(void);
enum pike_verdict pike_table_hit(const struct ip_addr *ip,
    const struct pike_limits *lim, unsigned long long now,
    struct pike_info *info);
/* expire and unblock; <unblocked> is called for each source unblocked */
void pike_table_sweep(const struct pike_limits *lim, unsigned long long now,
    pike_cb unblocked, void *arg);
void pike_table_blocked(const struct pike_limits *lim,
    unsigned long long now, pike_cb cb, void *arg);
unsigned int pike_table_slots(void);

#endif

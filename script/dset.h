/*
 * dset.h: the destination set built by append_branch() and lookup(): extra
 * branches a stateful forwarder sends the request to in parallel.  Per
 * process, cleared for every message by route_run_request().
 */
#ifndef SCRIPT_DSET_H
#define SCRIPT_DSET_H

#include "lib/str.h"

#define DSET_MAX_BRANCHES 12
#define DSET_MAX_URI	  512

struct socket_info;

/* one branch; strings valid until the next change of the set */
struct dset_branch_info {
	str uri;		/* the branch's R-URI */
	str dst_uri;		/* next hop ($du of the branch), may be empty */
	str path;		/* Path vector (Route set to prepend), may be empty */
	int q;			/* 0..1000, -1 for none */
	unsigned int conn_id;	/* send on this TCP/TLS connection if alive */
	struct socket_info *sock;	/* force this local socket, or NULL */
	unsigned int flags;	/* branch flags */
};

/* Forget every branch.  Any process. */
void dset_clear(void);

/*
 * Add <uri> with <q> (0..1000, or -1 for "none") as a branch.  The URI is
 * copied.  Returns 0, or -1 when the set is full or the URI too long.
 */
int dset_append(const str *uri, int q);

/* Add a branch with all its attributes (strings copied).  0 or -1. */
int dset_append_info(const struct dset_branch_info *b);

/* Number of branches in the set. */
int dset_count(void);

/* Branch <i> (0 based): its URI into <uri> (valid until the next change)
 * and q into <q>.  Returns 0, or -1 if there is no such branch. */
int dset_get(int i, str *uri, int *q);

/* Branch <i> with all its attributes.  0, or -1 if there is none. */
int dset_get_info(int i, struct dset_branch_info *b);

#endif

/*
 * dset.h: the destination set built by append_branch(): extra R-URIs a
 * stateful forwarder sends the request to in parallel.  Per process,
 * cleared for every message by route_run_request().
 */
#ifndef SCRIPT_DSET_H
#define SCRIPT_DSET_H

#include "lib/str.h"

#define DSET_MAX_BRANCHES 12
#define DSET_MAX_URI	  512

/* Forget every branch.  Any process. */
void dset_clear(void);

/*
 * Add <uri> with <q> (0..1000, or -1 for "none") as a branch.  The URI is
 * copied.  Returns 0, or -1 when the set is full or the URI too long.
 */
int dset_append(const str *uri, int q);

/* Number of branches in the set. */
int dset_count(void);

/* Branch <i> (0 based): its URI into <uri> (valid until the next change)
 * and q into <q>.  Returns 0, or -1 if there is no such branch. */
int dset_get(int i, str *uri, int *q);

#endif

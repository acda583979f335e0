/*
 * dset.c: the per-process branch set of append_branch() (see dset.h).
 * Fixed-size static storage: a branch set never needs the heap, so a busy
 * process can never fail to allocate one.
 */
#include <string.h>

#include "script/dset.h"

struct dset_branch {
	char uri[DSET_MAX_URI];
	int len;
	int q;
};

static struct dset_branch branches[DSET_MAX_BRANCHES];
static int nr_branches;

void
dset_clear(void)
{
	nr_branches = 0;
}

int
dset_append(const str *uri, int q)
{
	struct dset_branch *b;

	if (nr_branches == DSET_MAX_BRANCHES || uri->len <= 0
	    || uri->len > DSET_MAX_URI)
		return -1;
	b = &branches[nr_branches++];
	memcpy(b->uri, uri->s, (size_t)uri->len);
	b->len = uri->len;
	b->q = q;
	return 0;
}

int
dset_count(void)
{
	return nr_branches;
}

int
dset_get(int i, str *uri, int *q)
{
	if (i < 0 || i >= nr_branches)
		return -1;
	uri->s = branches[i].uri;
	uri->len = branches[i].len;
	*q = branches[i].q;
	return 0;
}

/*
 * dset.c: the per-process branch set of append_branch() (see dset.h).
 * Fixed-size static storage: a branch set never needs the heap, so a busy
 * process can never fail to allocate one.
 */
#include <string.h>

#include "script/dset.h"

struct dset_branch {
	char uri[DSET_MAX_URI];
	char dst_uri[DSET_MAX_URI];
	char path[DSET_MAX_URI];
	int len, dst_len, path_len;
	int q;
	unsigned int conn_id;
	struct socket_info *sock;
	unsigned int flags;
};

static struct dset_branch branches[DSET_MAX_BRANCHES];
static int nr_branches;

void
dset_clear(void)
{
	nr_branches = 0;
}

static int
copy(char *to, int *len, const str *s)
{
	if (s == NULL || s->len <= 0) {
		*len = 0;
		return 0;
	}
	if (s->len > DSET_MAX_URI)
		return -1;
	memcpy(to, s->s, (size_t)s->len);
	*len = s->len;
	return 0;
}

int
dset_append_info(const struct dset_branch_info *bi)
{
	struct dset_branch *b;

	if (nr_branches == DSET_MAX_BRANCHES || bi->uri.len <= 0)
		return -1;
	b = &branches[nr_branches];
	if (copy(b->uri, &b->len, &bi->uri) == -1
	    || copy(b->dst_uri, &b->dst_len, &bi->dst_uri) == -1
	    || copy(b->path, &b->path_len, &bi->path) == -1)
		return -1;
	b->q = bi->q;
	b->conn_id = bi->conn_id;
	b->sock = bi->sock;
	b->flags = bi->flags;
	nr_branches++;
	return 0;
}

int
dset_append(const str *uri, int q)
{
	struct dset_branch_info bi;

	memset(&bi, 0, sizeof(bi));
	bi.uri = *uri;
	bi.q = q;
	return dset_append_info(&bi);
}

int
dset_count(void)
{
	return nr_branches;
}

int
dset_get_info(int i, struct dset_branch_info *bi)
{
	struct dset_branch *b;

	if (i < 0 || i >= nr_branches)
		return -1;
	b = &branches[i];
	bi->uri.s = b->uri;
	bi->uri.len = b->len;
	bi->dst_uri.s = b->dst_uri;
	bi->dst_uri.len = b->dst_len;
	bi->path.s = b->path;
	bi->path.len = b->path_len;
	bi->q = b->q;
	bi->conn_id = b->conn_id;
	bi->sock = b->sock;
	bi->flags = b->flags;
	return 0;
}

int
dset_get(int i, str *uri, int *q)
{
	struct dset_branch_info bi;

	if (dset_get_info(i, &bi) == -1)
		return -1;
	*uri = bi.uri;
	*q = bi.q;
	return 0;
}

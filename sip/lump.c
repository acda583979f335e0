/*
 * lump.c: edit lists over a message buffer (see lump.h).
 */
#include <stdlib.h>
#include <string.h>

#include "mem/pkg.h"
#include "sip/lump.h"

static unsigned int lump_seq;

/*
 * Add an edit to <list>: delete <del_len> bytes at <offset> and insert a
 * copy of <ins_len> bytes at <ins> there.  The lump, or NULL (out of pkg).
 */
struct lump *
lump_add(struct lump **list, int offset, int del_len, const char *ins,
    int ins_len)
{
	struct lump *l;

	if ((l = pkg_zalloc(sizeof(*l) + (size_t)ins_len + 1)) == NULL)
		return NULL;
	l->offset = offset;
	l->del_len = del_len;
	l->ins.s = (char *)(l + 1);
	l->ins.len = ins_len;
	if (ins_len > 0)
		memcpy(l->ins.s, ins, (size_t)ins_len);
	l->seq = ++lump_seq;
	l->next = *list;
	*list = l;
	return l;
}

/* Free every lump of <list> and empty it. */
void
lump_free_all(struct lump **list)
{
	struct lump *l, *n;

	for (l = *list; l != NULL; l = n) {
		n = l->next;
		pkg_free(l);
	}
	*list = NULL;
}

/* 1 when some lump of <list> deletes any of [offset, offset+len). */
int
lump_deleted(const struct lump *list, int offset, int len)
{
	const struct lump *l;

	for (; list != NULL; list = list->next) {
		l = list;
		if (l->del_len > 0 && l->offset < offset + len
		    && offset < l->offset + l->del_len)
			return 1;
	}
	return 0;
}

/*
 * Copy the inserted text of every lump of <list>, in the order they were
 * added, into <out> (the caller sized it from the ins lengths).  Returns
 * the total length.  For lists of whole header lines (reply_lump).
 */
int
lump_concat(const struct lump *list, char *out)
{
	const struct lump *l, *next;
	unsigned int last = 0;
	int n = 0;

	/* the list is newest first: walk it by increasing seq */
	for (;;) {
		next = NULL;
		for (l = list; l != NULL; l = l->next)
			if (l->seq > last && (next == NULL || l->seq < next->seq))
				next = l;
		if (next == NULL)
			return n;
		memcpy(out + n, next->ins.s, (size_t)next->ins.len);
		n += next->ins.len;
		last = next->seq;
	}
}

static int
lump_cmp(const void *a, const void *b)
{
	const struct lump *x = *(const struct lump *const *)a;
	const struct lump *y = *(const struct lump *const *)b;

	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Build a pkg copy of <buf> (<len> bytes) with the edits of lists <a> and
 * <b> applied; deletions that overlap are merged.  NULL when out of pkg.
 */
char *
lump_apply(const char *buf, int len, struct lump *a, struct lump *b,
    int *out_len)
{
	struct lump *l, **v;
	size_t n = 0, i, total = (size_t)len + 1;
	char *out, *p;
	int pos = 0, end;

	for (l = a; l != NULL; l = l->next, n++)
		total += (size_t)l->ins.len;
	for (l = b; l != NULL; l = l->next, n++)
		total += (size_t)l->ins.len;
	if ((v = pkg_malloc((n + 1) * sizeof(*v))) == NULL)
		return NULL;
	n = 0;
	for (l = a; l != NULL; l = l->next)
		v[n++] = l;
	for (l = b; l != NULL; l = l->next)
		v[n++] = l;
	qsort(v, n, sizeof(*v), lump_cmp);
	if ((out = pkg_malloc(total)) == NULL) {
		pkg_free(v);
		return NULL;
	}
	p = out;
	for (i = 0; i < n; i++) {
		l = v[i];
		if (l->offset < 0 || l->offset > len)
			continue;
		if (l->offset > pos) {
			memcpy(p, buf + pos, (size_t)(l->offset - pos));
			p += l->offset - pos;
			pos = l->offset;
		}
		memcpy(p, l->ins.s, (size_t)l->ins.len);
		p += l->ins.len;
		end = l->offset + l->del_len;
		if (end > len)
			end = len;
		if (end > pos)
			pos = end;
	}
	if (pos < len) {
		memcpy(p, buf + pos, (size_t)(len - pos));
		p += len - pos;
	}
	*p = '\0';
	*out_len = (int)(p - out);
	pkg_free(v);
	return out;
}

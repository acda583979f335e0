/*
 * lump.h: edits of a received message, applied when it is rebuilt for
 * sending.  An edit deletes <del_len> bytes at <offset> of the original
 * buffer and/or inserts bytes there.  Edits at the same offset apply in
 * the order they were added.  pkg memory, owned by the list.
 */
#ifndef SIP_LUMP_H
#define SIP_LUMP_H

#include "lib/str.h"

/* pkg */
struct lump {
	int offset;
	int del_len;
	str ins;		/* pkg copy, may be empty */
	unsigned int seq;	/* insertion order */
	struct lump *next;
};

struct lump *lump_add(struct lump **list, int offset, int del_len,
    const char *ins, int ins_len);
void lump_free_all(struct lump **list);
int lump_deleted(const struct lump *list, int offset, int len);
int lump_concat(const struct lump *list, char *out);
char *lump_apply(const char *buf, int len, struct lump *a, struct lump *b,
    int *out_len);

#endif

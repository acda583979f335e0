/*
 * stats.h: named counters shared by all processes (OpenSER statistics).
 * Counters are registered in the attendant before stats_init() maps their
 * values; after fork every process updates them atomically.
 */
#ifndef LIB_STATS_H
#define LIB_STATS_H

#include <stdint.h>

#define STATS_MAX 256

struct stat_var {
	const char *group;
	const char *name;
	uint64_t *val;		/* in the shared mapping after stats_init() */
};

struct stat_var *stats_register(const char *group, const char *name);
int stats_init(void);
int stats_count(void);
struct stat_var *stats_get(int i);
struct stat_var *stats_find(const char *group, const char *name);

static inline void
stats_add(struct stat_var *s, uint64_t n)
{
	if (s != NULL && s->val != NULL)
		__atomic_fetch_add(s->val, n, __ATOMIC_RELAXED);
}

static inline uint64_t
stats_read(const struct stat_var *s)
{
	return s != NULL && s->val != NULL
	    ? __atomic_load_n(s->val, __ATOMIC_RELAXED) : 0;
}

static inline void
stats_reset(struct stat_var *s)
{
	if (s != NULL && s->val != NULL)
		__atomic_store_n(s->val, 0, __ATOMIC_RELAXED);
}

#endif

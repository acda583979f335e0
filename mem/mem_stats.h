/*
 * mem_stats.h: usage figures shared by the pkg and shm allocators.
 */
#ifndef MEM_STATS_H
#define MEM_STATS_H

#include <stddef.h>

struct mem_stats {
	size_t size;		/* total bytes the pool may hand out */
	size_t used;		/* bytes requested by callers, still live */
	size_t real_used;	/* used + allocator overhead */
	size_t max_used;	/* high-water mark of real_used */
	size_t fragments;	/* live allocations */
	size_t failed;		/* allocations refused for lack of memory */
};

#endif

/*
 * shm.h: the shared arena ("shm").  One mapping made by the attendant
 * before fork (-m MB, default 32) and used by every process: transactions,
 * usrloc, the connection index, statistics.  All calls lock; shm_free(NULL)
 * does nothing.  Exhaustion returns NULL: the caller replies 500 or drops.
 */
#ifndef MEM_SHM_H
#define MEM_SHM_H

#include <stddef.h>

#include "mem/mem_stats.h"

#define SHM_MEM_DEFAULT_MB 32

int shm_init(size_t size);
void shm_destroy(void);
void *shm_malloc(size_t size);
void *shm_zalloc(size_t size);
void *shm_realloc(void *p, size_t size);
void shm_free(void *p);
char *shm_strndup(const char *s, size_t len);
void shm_stats_get(struct mem_stats *st);
int shm_check(void);	/* walk the arena; 0 when consistent */
int shm_corrupt(void);	/* 1: found corrupt, shut down (attendant) */
unsigned long shm_repaired(void); /* rebuilds after a dead lock holder */

#endif

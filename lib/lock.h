/*
 * lock.h: a mutex usable across processes when it lives in shm.
 */
#ifndef LIB_LOCK_H
#define LIB_LOCK_H

#include <pthread.h>

struct lock {
	pthread_mutex_t m;
};

int lock_init(struct lock *l);	/* process-shared, robust; 0 or -1 */
int lock_get(struct lock *l);	/* 1: recovered from a dead owner */
void lock_release(struct lock *l);
void lock_destroy(struct lock *l);

#endif

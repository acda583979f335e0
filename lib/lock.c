/*
 * lock.c: process-shared mutexes.  They are robust: if a process dies
 * holding one (kill -9 of a worker: the attendant starts a replacement),
 * the next owner gets it back instead of hanging forever, and is told so
 * that it can check or repair the data the lock protects.
 */
#include <errno.h>

#include "lib/lock.h"

/* Initialise <l> for use by several processes.  0 or -1. */
int
lock_init(struct lock *l)
{
	pthread_mutexattr_t a;
	int rc;

	if (pthread_mutexattr_init(&a) != 0)
		return -1;
	rc = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	if (rc == 0)
		rc = pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	if (rc == 0)
		rc = pthread_mutex_init(&l->m, &a);
	(void)pthread_mutexattr_destroy(&a);
	return rc == 0 ? 0 : -1;
}

/*
 * Take <l>, recovering it if its previous owner died.  0, or 1 when it was
 * recovered: the data it protects may be half-updated.
 */
int
lock_get(struct lock *l)
{
	if (pthread_mutex_lock(&l->m) == EOWNERDEAD) {
		(void)pthread_mutex_consistent(&l->m);
		return 1;
	}
	return 0;
}

/* Release <l>. */
void
lock_release(struct lock *l)
{
	(void)pthread_mutex_unlock(&l->m);
}

/* Destroy <l> (attendant at exit). */
void
lock_destroy(struct lock *l)
{
	(void)pthread_mutex_destroy(&l->m);
}

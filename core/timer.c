/*
 * timer.c: the table of periodic jobs (see timer.h).
 */
#include <stdlib.h>
#include <time.h>

#include "core/timer.h"

#define TIMER_MAX 32

struct timer_job {
	timer_f f;
	void *param;
	unsigned int interval_ms;
	unsigned long long next_ms;
	unsigned int ticks;
};

static struct timer_job jobs[TIMER_MAX];
static int njobs;

/* Milliseconds on the monotonic clock. */
unsigned long long
timer_now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000ULL
	    + (unsigned long long)ts.tv_nsec / 1000000ULL;
}

/* Run <f>(ticks, <param>) every <interval_ms>.  Attendant.  0 or -1. */
int
timer_register(timer_f f, void *param, unsigned int interval_ms)
{
	if (njobs == TIMER_MAX || interval_ms == 0)
		return -1;
	jobs[njobs].f = f;
	jobs[njobs].param = param;
	jobs[njobs].interval_ms = interval_ms;
	jobs[njobs].next_ms = timer_now_ms() + interval_ms;
	njobs++;
	return 0;
}

/* Run every job that is due at <now_ms>.  Timer process. */
void
timer_run_due(unsigned long long now_ms)
{
	int i;

	for (i = 0; i < njobs; i++)
		if (now_ms >= jobs[i].next_ms) {
			jobs[i].next_ms = now_ms + jobs[i].interval_ms;
			jobs[i].f(++jobs[i].ticks, jobs[i].param);
		}
}

/*
 * proc_timer.c: the timer process: runs the registered periodic jobs
 * (tm retransmissions, usrloc expiry, ...) on a 100 ms tick.
 */
#include <time.h>

#include "core/proc.h"
#include "core/timer.h"

/* Loop of the timer process until asked to stop. */
void
proc_timer_loop(int rank)
{
	struct timespec tick = { 0, 100 * 1000 * 1000 };

	while (!proc_stop) {
		(void)nanosleep(&tick, NULL);
		timer_run_due(timer_now_ms());
	}
}

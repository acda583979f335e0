/*
 * timer.h: periodic jobs run by the timer process.  Registered in the
 * attendant (core and module init) before fork.
 */
#ifndef CORE_TIMER_H
#define CORE_TIMER_H

typedef void (*timer_f)(unsigned int ticks, void *param);

int timer_register(timer_f f, void *param, unsigned int interval_ms);
void timer_run_due(unsigned long long now_ms);
unsigned long long timer_now_ms(void);

#endif

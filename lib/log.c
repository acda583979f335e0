/*
 * log.c: the logger behind LM_*().  Writes to stderr (log_stderror=yes,
 * or -E) or to syslog, one line per call, with process name and pid;
 * LM_*_RL() lines are rate-limited per call site (see log.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"

int log_level = L_NOTICE;
static int no_shift;
int *log_level_shift = &no_shift;
int log_stderr = 0;
int log_facility = LOG_DAEMON;

static const char *proc_name = "main";
static int syslog_open;

static const struct {
	const char *name;
	int value;
} facilities[] = {
	{ "LOG_DAEMON", LOG_DAEMON }, { "LOG_LOCAL0", LOG_LOCAL0 },
	{ "LOG_LOCAL1", LOG_LOCAL1 }, { "LOG_LOCAL2", LOG_LOCAL2 },
	{ "LOG_LOCAL3", LOG_LOCAL3 }, { "LOG_LOCAL4", LOG_LOCAL4 },
	{ "LOG_LOCAL5", LOG_LOCAL5 }, { "LOG_LOCAL6", LOG_LOCAL6 },
	{ "LOG_LOCAL7", LOG_LOCAL7 }, { "LOG_USER", LOG_USER },
};

/* Open syslog under <ident> unless logging to stderr.  Attendant, once. */
void
log_init(const char *ident)
{
	if (!log_stderr && !syslog_open) {
		openlog(ident, LOG_PID | LOG_CONS, log_facility);
		syslog_open = 1;
	}
}

/*
 * Make the level changeable at runtime in every process: map one shared
 * int that LOG_ENABLED() adds to log_level.  Keeping log_level itself a
 * plain per-process int lets the config and -d set it as before; MI
 * "debug" moves all processes at once through the shift.  Attendant,
 * before fork; 0, or -1 when the mapping failed (the level then stays
 * per process).
 */
int
log_level_share(void)
{
	void *p;

	if (log_level_shift != &no_shift)
		return 0;
	p = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	log_level_shift = p;
	*log_level_shift = 0;
	return 0;
}

/* The level in force in this process. */
int
log_level_get(void)
{
	return log_level + __atomic_load_n(log_level_shift, __ATOMIC_RELAXED);
}

/* Set the level of every process (of this one only before sharing). */
void
log_level_set(int level)
{
	__atomic_store_n(log_level_shift, level - log_level, __ATOMIC_RELAXED);
}

/* Name the calling process in every later line ("udp receiver 1"...). */
void
log_set_proc(const char *name)
{
	proc_name = name;
}

/* The name given to log_set_proc(). */
const char *
log_proc_name(void)
{
	return proc_name;
}

/* Syslog facility value for <name> ("LOG_LOCAL0"...), or -1. */
int
log_facility_parse(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (strcasecmp(facilities[i].name, name) == 0)
			return facilities[i].value;
	return -1;
}

static const char *
level_name(int level)
{
	switch (level) {
	case L_ALERT:
		return "ALERT";
	case L_CRIT:
		return "CRIT";
	case L_ERR:
		return "ERROR";
	case L_WARN:
		return "WARNING";
	case L_NOTICE:
		return "NOTICE";
	case L_INFO:
		return "INFO";
	default:
		return "DBG";
	}
}

static int
level_prio(int level)
{
	switch (level) {
	case L_ALERT:
		return LOG_ALERT;
	case L_CRIT:
		return LOG_CRIT;
	case L_ERR:
		return LOG_ERR;
	case L_WARN:
		return LOG_WARNING;
	case L_NOTICE:
		return LOG_NOTICE;
	case L_INFO:
		return LOG_INFO;
	default:
		return LOG_DEBUG;
	}
}

static long
log_clock_monotonic(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec;
}

long (*log_clock)(void) = log_clock_monotonic;

/* limiters with suppressed lines whose summary is not written yet */
static struct log_limit *limits_due;

static void log_emit(int level, const char *func, const char *msg);

static void
log_limit_summary(struct log_limit *ll, long now)
{
	char msg[160];

	(void)snprintf(msg, sizeof(msg), "%u more lines like the last one "
	    "from %s suppressed in %ld s (rate limit: %u lines per %d s)",
	    ll->suppressed, ll->func, now - ll->window, ll->lines,
	    LOG_LIMIT_WINDOW);
	log_emit(ll->level, ll->func, msg);
	ll->suppressed = 0;
}

/* Write the summaries whose window is over; unlink them. */
static void
log_limit_flush(long now)
{
	struct log_limit **pp = &limits_due, *ll;

	while ((ll = *pp) != NULL) {
		if (now - ll->window < LOG_LIMIT_WINDOW) {
			pp = &ll->next;
			continue;
		}
		*pp = ll->next;
		ll->next = NULL;
		if (ll->suppressed > 0)
			log_limit_summary(ll, now);
	}
}

/*
 * The rate limit of one call site (LM_LOG_LIMIT(), log.h): 1 when this
 * line may be written (after any summary that is due), 0 when it is
 * counted as suppressed.  <ll> is the site's static state, <lines> its
 * budget per window.  Any process; state is per process.
 */
int
log_limit_pass(struct log_limit *ll, int level, const char *func,
    unsigned int lines)
{
	long now = log_clock();

	if (ll->func == NULL || now - ll->window >= LOG_LIMIT_WINDOW) {
		if (ll->suppressed > 0)
			log_limit_flush(now);	/* writes ll's summary */
		ll->window = now;
		ll->lines = 0;
	}
	ll->level = level;
	ll->func = func;
	if (ll->lines < lines) {
		ll->lines++;
		return 1;
	}
	if (ll->suppressed++ == 0) {
		ll->next = limits_due;
		limits_due = ll;
	}
	return 0;
}

/* Format and emit one log line; see log.h.  Any process. */
void
log_msg(int level, const char *func, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (limits_due != NULL)
		log_limit_flush(log_clock());
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap); /* truncation is fine */
	va_end(ap);
	log_emit(level, func, msg);
}

static void
log_emit(int level, const char *func, const char *msg)
{
	if (log_stderr) {
		char line[1200];
		int n;

		/* one write() per line, so lines of processes do not mix */
		n = snprintf(line, sizeof(line), "%s [%d] %s: %s: %s\n",
		    proc_name, (int)getpid(), level_name(level), func, msg);
		if (n > (int)sizeof(line) - 1)
			n = (int)sizeof(line) - 1;
		if (n > 0 && write(STDERR_FILENO, line, (size_t)n) < 0)
			return; /* nowhere left to report it */
		return;
	}
	syslog(log_facility | level_prio(level), "%s [%d] %s: %s: %s",
	    proc_name, (int)getpid(), level_name(level), func, msg);
}

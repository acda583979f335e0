/*
 * log.h: the logger.  LM_*() add the process name, pid and function and
 * append the newline; messages never end in "\n" or a period.
 * Levels follow OpenSER 1.x: ALERT -3, CRIT -2, ERR -1, WARN 1, NOTICE 2,
 * INFO 3, DBG 4.  parser/, mem/ and lib/ (apart from this file) never log.
 */
#ifndef LIB_LOG_H
#define LIB_LOG_H

#define L_ALERT	 -3
#define L_CRIT	 -2
#define L_ERR	 -1
#define L_WARN	 1
#define L_NOTICE 2
#define L_INFO	 3
#define L_DBG	 4

extern int log_level;	/* "debug" / "log_level", -d: the start-up level */
extern int *log_level_shift; /* added to it; shared by all processes once
				log_level_share() ran (MI "debug") */
extern int log_stderr;	/* "log_stderror" */
extern int log_facility; /* syslog facility, LOG_DAEMON by default */

void log_init(const char *ident);
void log_set_proc(const char *proc_name);
const char *log_proc_name(void);
int log_facility_parse(const char *name);
int log_level_share(void);
int log_level_get(void);
void log_level_set(int level);
void log_msg(int level, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define LOG_ENABLED(lev) ((lev) <= log_level + *log_level_shift)
#define LM_LOG(lev, ...)                                         \
	do {                                                     \
		if (LOG_ENABLED(lev))                            \
			log_msg((lev), __func__, __VA_ARGS__);   \
	} while (0)
#define LM_ALERT(...)  LM_LOG(L_ALERT, __VA_ARGS__)
#define LM_CRIT(...)   LM_LOG(L_CRIT, __VA_ARGS__)
#define LM_ERR(...)    LM_LOG(L_ERR, __VA_ARGS__)
#define LM_WARN(...)   LM_LOG(L_WARN, __VA_ARGS__)
#define LM_NOTICE(...) LM_LOG(L_NOTICE, __VA_ARGS__)
#define LM_INFO(...)   LM_LOG(L_INFO, __VA_ARGS__)
#define LM_DBG(...)    LM_LOG(L_DBG, __VA_ARGS__)

/*
 * Rate-limited lines, for error paths a peer can trigger once per packet,
 * per message or per connection.  Each call site (the cause) may write
 * <lines> lines per LOG_LIMIT_WINDOW seconds in each process; the rest
 * are counted, and once the window is over one summary line says how many
 * were suppressed ("N more lines like the last one from <func>
 * suppressed in S s").  The summary is written by the next line of that
 * site or, failing that, by the next line the process logs.
 */
#define LOG_LIMIT_WINDOW 10	/* seconds */
#define LOG_LIMIT_LINES	 20	/* default lines per window and call site */

/* per process, one per call site (static inside LM_LOG_LIMIT) */
struct log_limit {
	long window;		/* start of the current window (s) */
	unsigned int lines;	/* lines written in it */
	unsigned int suppressed; /* lines not written in it */
	int level;		/* of the suppressed lines */
	const char *func;	/* where they come from */
	struct log_limit *next;	/* on the list of summaries due */
};

int log_limit_pass(struct log_limit *ll, int level, const char *func,
    unsigned int lines);
extern long (*log_clock)(void);	/* seconds, monotonic; tests replace it */

#define LM_LOG_LIMIT(lev, lines, ...)                                    \
	do {                                                             \
		static struct log_limit log_ll_;                         \
		if (LOG_ENABLED(lev)                                     \
		    && log_limit_pass(&log_ll_, (lev), __func__, (lines))) \
			log_msg((lev), __func__, __VA_ARGS__);           \
	} while (0)
#define LM_ERR_RL(...)	  LM_LOG_LIMIT(L_ERR, LOG_LIMIT_LINES, __VA_ARGS__)
#define LM_WARN_RL(...)	  LM_LOG_LIMIT(L_WARN, LOG_LIMIT_LINES, __VA_ARGS__)
#define LM_NOTICE_RL(...) LM_LOG_LIMIT(L_NOTICE, LOG_LIMIT_LINES, __VA_ARGS__)
#define LM_INFO_RL(...)	  LM_LOG_LIMIT(L_INFO, LOG_LIMIT_LINES, __VA_ARGS__)

/* One wording for every runtime out-of-memory; a full pool makes every
 * request fail the same way, so these are rate-limited. */
#define PKG_MEM_ERROR(what) LM_ERR_RL("out of pkg memory while %s", (what))
#define SHM_MEM_ERROR(what) LM_ERR_RL("out of shm memory while %s", (what))

/* Broken invariant: log file:line and abort, in every build. */
#define BUG_ON(cond)                                                     \
	do {                                                             \
		if (cond) {                                              \
			log_msg(L_CRIT, __func__, "BUG: %s at %s:%d",    \
			    #cond, __FILE__, __LINE__);                  \
			abort();                                         \
		}                                                        \
	} while (0)

#include <stdlib.h>

#endif

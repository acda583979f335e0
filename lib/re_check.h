/*
 * re_check.h: refuse POSIX extended regular expressions that would cost
 * too much to compile.  glibc's regcomp() expands every repetition by
 * copying the repeated part ("x+" is "xx*", "x{1,100}" is 100 copies),
 * so nested or stacked repetitions grow exponentially: "a" followed by 25
 * '+' takes over 2 GB.  Check a pattern with re_check() before regcomp()
 * whenever it does not come from the config alone.
 */
#ifndef LIB_RE_CHECK_H
#define LIB_RE_CHECK_H

/* the most nodes a pattern may expand to: far above any SIP routing
 * pattern ("[0-9]{1,3}" is 3), far below what hurts (a few MB) */
#define RE_CHECK_MAX_NODES 10000

/* 0 when <pattern> expands to at most RE_CHECK_MAX_NODES nodes, else -1.
 * Malformed patterns pass: regcomp() rejects them. */
int re_check(const char *pattern);

#endif

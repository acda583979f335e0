/*
 * cfg.h: reading openser.cfg.  main.c calls, in this order:
 *	cfg_parse_file() -> sock_fix_all() -> cfg_check() -> [cfg_print()]
 * and cfg_destroy() at exit.  Problems are printed on stderr as
 * "file:line:col: message", every one of them in one run; the functions
 * return how many there were.  Attendant only.
 */
#ifndef CFG_CFG_H
#define CFG_CFG_H

#include <stdio.h>

/* Parse <path>: set core parameters, load modules, set their parameters
 * and build the route tree.  Returns the number of errors (printed;
 * "file: cannot open: reason" when the file cannot be read). */
int cfg_parse_file(const char *path);

/* After sock_fix_all(): run every module's init, then fix up every route
 * (arity, route types, fixups, route(N) targets, regexes).  Returns the
 * number of errors (printed). */
int cfg_check(void);

/* Print the parsed configuration in canonical form (the globals that were
 * set, loadmodule, modparam, routes); the output parses again. */
void cfg_print(FILE *f);

/* Run every module's destroy and free the configuration. */
void cfg_destroy(void);

#endif

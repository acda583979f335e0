/*
 * mi_core.h: the core's management commands (OpenSER 1.x MI core): which,
 * ps, uptime, version, pwd, arg, kill, debug, get_statistics,
 * reset_statistics, and in a TLS build tls_list and tls_info
 * (tls/tls_mi.c).  A transport module (mi_fifo) runs them.
 */
#ifndef CORE_MI_CORE_H
#define CORE_MI_CORE_H

/*
 * Register the core commands, note the start time for "uptime" and share
 * the log level so that "debug" reaches every process.  Attendant, after
 * the config is loaded and before fork.  0, or -1 after printing why (a
 * module already took a core command's name).
 */
int mi_core_init(void);

#endif

/*
 * cfg_core.h: core parameters set from openser.cfg that belong to no
 * lower layer (the others live in lib/log.h, net/net_cfg.h, sip/sip_cfg.h
 * and net/socket_info.h; cfg/cfg_core.c points its table at all of them).
 */
#ifndef CFG_CFG_CORE_H
#define CFG_CFG_CORE_H

extern int cfg_children;	/* children, default 8 */
extern int cfg_tcp_children;	/* tcp_children, -1 = same as children */
extern int cfg_dont_fork;	/* fork = no */
extern int cfg_respawn_limit;	/* respawn_limit: deaths of one kind of
				   process restarted per window, 0 = none */
extern int cfg_respawn_window;	/* respawn_window, seconds */
extern char *cfg_user;		/* user / uid, NULL if unset */
extern char *cfg_group;		/* group / gid */
extern char *cfg_mpath;		/* mpath: where loadmodule looks */

enum cfg_param_type {
	CFG_INT = 0,
	CFG_BOOL,
	CFG_STR,	/* a string or a bare word; int variables get numbers */
	CFG_ADDR,	/* [proto:]host[:port], repeatable */
};

struct cfg_ctx;
struct cfg_loc;
struct route_val;
struct cfg_param;

typedef int (*cfg_apply_fn)(struct cfg_ctx *cx, const struct cfg_loc *loc,
    const struct cfg_param *p, const struct route_val *v);

/* One core parameter: a row of the table in cfg_core.c. */
struct cfg_param {
	const char *name;
	enum cfg_param_type type;
	void *var;		/* int * or char **, NULL when apply does it */
	long min, max;		/* CFG_INT range */
	cfg_apply_fn apply;	/* NULL: store into var */
};

/* The row for <name>, or NULL.  The table is sorted (bsearch). */
const struct cfg_param *cfg_core_find(const char *name);
/* The table and its size (unit tests). */
const struct cfg_param *cfg_core_table(int *n);

#endif

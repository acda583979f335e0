/*
 * sr_module.h: the module interface.  A module is a shared object that
 * exports one `const struct module_exports exports`, filled with designated
 * initializers:
 *
 *	const struct module_exports exports = {
 *		.abi = MODULE_ABI,
 *		.name = "sl",
 *		.cmds = cmds,		(terminated by { 0 })
 *		.params = params,	(terminated by { 0 })
 *		.init = mod_init,
 *	};
 *
 * The core checks each call's arity and route type when it fixes up the
 * script, runs the fixups once at start-up, and only then calls handlers,
 * so handlers never re-check their arguments or where they were called.
 */
#ifndef SCRIPT_SR_MODULE_H
#define SCRIPT_SR_MODULE_H

#include "parser/msg_parser.h"
#include "script/mi.h"
#include "script/route.h"

/* Bumped whenever a struct below changes; a module built against another
 * value is refused at load time. */
#define MODULE_ABI 0x4f530003u

/* Script return convention (OpenSER): >0 true, <0 false, 0 stops. */
#define CMD_TRUE  1
#define CMD_FALSE -1
#define CMD_ERROR -2 /* false, and already logged */
#define CMD_DROP  0  /* stop the script */

#define CMD_MAX_ARGS 2

typedef int (*cmd_function)(struct sip_msg *msg, void *p1, void *p2);
/*
 * Turn the script argument *<param> (argument <param_no>, 1-based; on
 * entry a NUL-terminated string in config memory) into what the handler
 * wants.  Returns 0, or -1 after logging why.  Attendant, at start-up.
 */
typedef int (*fixup_function)(void **param, int param_no);

struct cmd_export {
	const char *name;
	cmd_function function;
	int nargs;		/* 0 .. CMD_MAX_ARGS */
	fixup_function fixup;	/* NULL: handlers get the strings */
	int routes;		/* ROUTE_* mask where the command is allowed */
};

enum param_type {
	PARAM_INT = 0,	/* int * */
	PARAM_UINT,	/* unsigned int *, refuses negative values */
	PARAM_STR,	/* char **, set to a NUL-terminated config string */
};

struct param_export {
	const char *name;
	enum param_type type;
	void *var;
};

/* a process of its own a module needs (mi_fifo's reader, ...) */
struct proc_export {
	const char *name;	/* "MI FIFO" */
	int *count;		/* how many; NULL or 0: none */
	void (*run)(int rank);	/* its loop; returns when proc_stop is set */
};

/* process ranks given to child_init() besides 1..N for workers */
#define PROC_MAIN     0
#define PROC_TIMER    -1
#define PROC_MODULE   -2
#define PROC_TCP_MAIN -4

struct module_exports {
	unsigned int abi;			/* MODULE_ABI */
	const char *name;
	const struct cmd_export *cmds;
	const struct param_export *params;
	const struct mi_export *mi_cmds;	/* terminated by { 0 } */
	const struct proc_export *procs;	/* terminated by { 0 } */
	/* every received reply, before onreply_route{} and stateless
	 * forwarding; return 0 to consume it (tm), 1 to let it go on */
	int (*response_f)(struct sip_msg *msg);
	/* after every message is done with (routed, answered or dropped),
	 * before it is freed: drop what was kept for it (tm) */
	void (*msg_done)(struct sip_msg *msg);
	int (*init)(void);		/* attendant, after parsing; 0/-1 */
	int (*child_init)(int rank);	/* each process after fork; 0/-1 */
	void (*destroy)(void);		/* attendant at exit */
};

/* ---- fixup helpers for module commands -------------------------------- */

/* A fixup that fails calls this with why (no location, no newline); the
 * core prints it as "file:line:col: cmd: argument N: why". */
void fix_param_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
/* The last message given to fix_param_error() (core side). */
const char *fix_param_last_error(void);

/* Leave the string as is (a char *); for symmetry in tables. */
int fix_param_str(void **param, int param_no);
/* Turn the string into a str * (config memory). */
int fix_param_pstr(void **param, int param_no);
/* Turn the string into an integer stored in the pointer itself: read it
 * back with (int)(intptr_t)param. */
int fix_param_int(void **param, int param_no);

/* ---- the module registry (core side) ---------------------------------- */

/*
 * Load the module at <path> (already resolved).  On failure writes why into
 * <err> and returns -1.  Attendant, config time.
 */
int mod_load(const char *path, char *err, int errlen);

/* The loaded module called <name>, or NULL. */
const struct module_exports *mod_find(const char *name);

/* Command <name> of any loaded module (first loaded wins), or NULL; the
 * module is stored in *<mod> when not NULL. */
const struct cmd_export *mod_find_cmd(const char *name,
    const struct module_exports **mod);
/* The same with exactly <nargs> arguments: a module may export one name
 * several times with different arities (t_relay(), t_relay("udp:h:p")). */
const struct cmd_export *mod_find_cmd_nargs(const char *name, int nargs,
    const struct module_exports **mod);

/* Parameter <name> of module <m>, or NULL. */
const struct param_export *mod_find_param(const struct module_exports *m,
    const char *name);

/* Loaded module number <i> (load order), or NULL. */
const struct module_exports *mod_get(int i);

/* Comma-separated names of loaded modules ("none" if none) into <buf>. */
void mod_list_names(char *buf, int size);

/* Offer reply <msg> to every module's response_f; 0 when one consumed
 * it, 1 when it should go on.  Receiving processes. */
int mod_response_all(struct sip_msg *msg);

/* Tell every module's msg_done that <msg> is finished.  Receiving
 * processes. */
void mod_msg_done_all(struct sip_msg *msg);

/* Run every module's init in load order; returns the number that failed
 * (each logged).  Attendant, once, after parsing. */
int mod_init_all(void);

/* Run every module's child_init(<rank>).  Returns 0, or -1 when one
 * failed (logged).  Each process, after fork. */
int mod_child_init_all(int rank);

/* Run every module's destroy and unload them.  Attendant, at exit. */
void mod_destroy_all(void);

#endif

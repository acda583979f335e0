/*
 * route_struct.h: the route tree.  Built by the config parser (cfg/),
 * fixed up by fix_routes(), walked by the interpreter (action.c).
 * Everything here is config memory (malloc at parse time, read-only after
 * cfg_check(), inherited by forked processes, freed by route_free_all()).
 */
#ifndef SCRIPT_ROUTE_STRUCT_H
#define SCRIPT_ROUTE_STRUCT_H

#include <regex.h>

#include "lib/ip_addr.h"
#include "lib/str.h"
#include "parser/msg_parser.h"
#include "script/pv.h"
#include "script/route.h"
#include "script/sr_module.h"

/* Where something was written: for file:line:col messages. */
struct route_pos {
	const char *file;	/* owned by the config context */
	int line;
	int col;
};

enum route_val_type {
	RVAL_NONE = 0,
	RVAL_NUM,	/* 42, -1 */
	RVAL_STR,	/* "quoted" */
	RVAL_WORD,	/* unquoted: yes, udp:127.0.0.1:5060, 10.0.0.0/8 */
	RVAL_PV,	/* a pseudo-variable as written: $avp(i:1), $ru */
};

/* A literal as written in the script. */
struct route_val {
	enum route_val_type type;
	long num;
	char *s;		/* STR and WORD: malloc'ed, NUL-terminated */
	struct route_pos pos;
};

enum expr_kind {
	EXPR_AND = 0,
	EXPR_OR,
	EXPR_NOT,
	EXPR_CMP,
	EXPR_CALL,
};

enum expr_lhs {
	LHS_METHOD = 0,
	LHS_URI,
	LHS_FROM_URI,
	LHS_TO_URI,
	LHS_SRC_IP,
	LHS_DST_IP,
	LHS_SRC_PORT,
	LHS_DST_PORT,
	LHS_PROTO,
	LHS_AF,
	LHS_MSG_LEN,
	LHS_STATUS,
	LHS_PV,		/* $ru, $avp(i:1) ...: expr->pv */
};

enum expr_op {
	OP_EQ = 0,
	OP_NE,
	OP_MATCH,
	OP_NOMATCH,
	OP_LT,
	OP_GT,
	OP_LE,
	OP_GE,
};

/* The right-hand side once checked (at parse time; regexes at fixup). */
enum expr_rhs {
	RHS_STR = 0,	/* compare as a string, case-insensitively */
	RHS_NUM,
	RHS_MYSELF,
	RHS_NET,	/* ip/bits (a plain address has all bits) */
	RHS_REGEX,
	RHS_PV,		/* another PV: expr->rpv (val.s as written) */
	RHS_NULL,	/* the word null: "has no value" */
};

struct action;

struct expr {
	enum expr_kind kind;
	struct route_pos pos;
	struct expr *left, *right;	/* AND, OR; NOT uses left */
	struct action *call;		/* CALL: a command node */
	enum expr_lhs lhs;		/* CMP */
	enum expr_op op;
	struct route_val val;		/* right-hand side as written */
	enum expr_rhs rhs;
	long num;			/* NUM; also proto and af values */
	struct ip_addr ip;		/* NET */
	unsigned int bits;
	regex_t *re;			/* REGEX, compiled by fix_routes() */
	char *pv;			/* LHS_PV as written (kept by
					   pv_fix_keep(): freed at exit) */
	struct pv_spec lpv, rpv;	/* LHS_PV, RHS_PV: by fix_routes() */
};

enum act_kind {
	ACT_CMD = 0,	/* a core action or a module command */
	ACT_IF,
};

enum act_flow {
	FLOW_NONE = 0,	/* an ordinary command: call the handler */
	FLOW_DROP,
	FLOW_EXIT,
	FLOW_RETURN,
	FLOW_ROUTE,
};

#define ACT_MAX_ARGS 4	/* stored; more are counted to report the arity */

/* Core actions (script/core_cmds.c): checked and fixed up like module
 * commands, but with a fixup that sees the whole action. */
struct act_core {
	const char *name;
	cmd_function handler;
	int min_args, max_args;
	int (*fixup)(struct action *a, char *err, int errlen);
	int routes;		/* ROUTE_* mask */
	enum act_flow flow;
};

struct action {
	enum act_kind kind;
	struct route_pos pos;
	struct action *next;
	/* ACT_CMD */
	char *name;
	int nargs;
	struct route_val args[ACT_MAX_ARGS];
	const struct act_core *core;		/* core action, or NULL */
	const struct cmd_export *cmd;		/* module command (fixup) */
	const struct module_exports *mod;
	void *param[CMD_MAX_ARGS];		/* after fixup */
	unsigned int param_owned;		/* bit i: free(param[i]) */
	int route_idx;				/* FLOW_ROUTE target slot */
	/* ACT_IF */
	struct expr *cond;
	struct action *then_list, *else_list;
};

#define ROUTE_TYPES 5	/* request, failure, onreply, branch, error */
#define ROUTE_SLOTS 64	/* 0..39 numbered, then named routes */

struct route_def {
	int defined;
	char *name;		/* named route[foo], else NULL */
	struct route_pos pos;
	struct action *body;
	int called_from;	/* ROUTE_* types that reach it (fix_routes) */
};

extern struct route_def route_tab[ROUTE_TYPES][ROUTE_SLOTS];

/* 0..4 for ROUTE_REQUEST..ROUTE_ERROR, -1 for anything else. */
int route_type_index(int type);
/* "route", "failure_route" ... for a ROUTE_* type. */
const char *route_type_name(int type);
/* Slot of named route <name> of <type>, or -1. */
int route_find_named(int type, const char *name);
/* A free slot for a new named route of <type>, or -1 when full. */
int route_new_named_slot(int type);

struct action *route_act_new(const struct route_pos *pos);
struct expr *route_expr_new(enum expr_kind kind, const struct route_pos *pos);
/* Append list <b> to list <a>; returns the head. */
struct action *route_act_append(struct action *a, struct action *b);
void route_val_clear(struct route_val *v);
void route_expr_free(struct expr *e);
void route_act_free(struct action *a);	/* the whole list */
/* Free every route body.  Attendant at exit. */
void route_free_all(void);

/* "file:line:col: message" on stderr, or queued while buffering. */
void route_error(const struct route_pos *pos, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Queue route_error() messages until route_error_flush(), which prints
 * them sorted by position: fix_routes() visits routes by type, not in the
 * order of the file. */
void route_error_buffer(void);
void route_error_flush(void);

/* The core action called <name>, or NULL. */
const struct act_core *act_core_find(const char *name);
/* The sorted core action table and its size (for tests and listings). */
const struct act_core *act_core_table(int *n);

/*
 * Fix up every route: resolve module commands, check arity and route type,
 * run fixups, compile regexes, check route(N) targets.  Prints each
 * problem as "file:line:col: message"; returns the number of problems.
 * Attendant, after mod_init_all().
 */
int fix_routes(void);

/* Parse "[proto:]host[:port]" (host an IPv4, [IPv6] or name).  <host>
 * gets the host (brackets kept for IPv6).  Returns 0 or -1. */
int fix_hostport_parse(const char *in, enum sip_proto *proto, char *host,
    int hsize, unsigned short *port);

#endif

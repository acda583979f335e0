/*
 * cfg_ctx.h: state of one config parse, shared by the grammar (cfg.y), the
 * scanner (cfg.lex) and the cfg_*() helpers they call.  Internal to cfg/.
 */
#ifndef CFG_CFG_CTX_H
#define CFG_CFG_CTX_H

#include <stddef.h>

#include "script/route_struct.h"

/* Bison location (api.location.type); 1-based lines and columns. */
struct cfg_loc {
	int first_line;
	int first_column;
	int last_line;
	int last_column;
};

/* The arguments of a call, as parsed. */
struct cfg_args {
	int n;			/* may exceed ACT_MAX_ARGS: extras dropped */
	struct route_val v[ACT_MAX_ARGS];
};

/* One top-level statement kept for cfg_print(), in file order. */
enum cfg_item_kind {
	CFG_ITEM_GLOBAL = 0,
	CFG_ITEM_LOADMODULE,
	CFG_ITEM_MODPARAM,
	CFG_ITEM_ROUTE,
};

struct cfg_item {
	enum cfg_item_kind kind;
	char *name;		/* global name, module path, modparam module */
	char *param;		/* modparam parameter */
	struct route_val val;	/* global or modparam value */
	int type, slot;		/* ROUTE */
	struct cfg_item *next;
};

struct cfg_ctx {
	char *file;		/* lives until cfg_destroy(): positions use it */
	int errors;
	/* scanner state */
	int line, col;		/* where the next token starts */
	int braces, parens;	/* nesting: '\n' is a token only at 0/0 */
	int eof_sent;
	char *sbuf;		/* string being scanned */
	size_t slen, scap;
	struct cfg_loc sloc;	/* where it started */
	/* parsed */
	struct cfg_item *items, **items_tail;
	int tls_block;		/* inside a tls_*_domain block */
};

void cfg_error(struct cfg_ctx *cx, const struct cfg_loc *loc,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void cfg_notice(struct cfg_ctx *cx, const struct cfg_loc *loc,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void cfg_pos(struct cfg_ctx *cx, const struct cfg_loc *loc,
    struct route_pos *pos);
void *cfg_zalloc(size_t size);
char *cfg_strdup(const char *s);

/* values */
void cfg_val_num(struct cfg_ctx *cx, struct route_val *v,
    const struct cfg_loc *loc, long n);
void cfg_val_str(struct cfg_ctx *cx, struct route_val *v,
    const struct cfg_loc *loc, char *s);
void cfg_val_word(struct cfg_ctx *cx, struct route_val *v,
    const struct cfg_loc *loc, char *s);
char *cfg_join(char *a, const char *sep, char *b);
char *cfg_join_num(char *a, const char *sep, long n);
int cfg_val_bool(const struct route_val *v, int *out);

/* top level */
void cfg_item_add(struct cfg_ctx *cx, struct cfg_item *it);
void cfg_loadmodule(struct cfg_ctx *cx, const struct cfg_loc *loc,
    char *path);
void cfg_modparam(struct cfg_ctx *cx, const struct cfg_loc *loc, char *mod,
    char *param, struct route_val *v);

/* cfg_core.c */
void cfg_set_global(struct cfg_ctx *cx, const struct cfg_loc *loc,
    char *name, struct route_val *v);
void cfg_core_reset(void);

/* cfg_script.c: routes */
int cfg_route_begin(struct cfg_ctx *cx, const struct cfg_loc *loc, int type,
    struct route_val *name);
void cfg_route_end(struct cfg_ctx *cx, int slot, struct action *body);
struct action *cfg_cmd(struct cfg_ctx *cx, const struct cfg_loc *loc,
    char *name, struct cfg_args *args);
struct action *cfg_route_call(struct cfg_ctx *cx, const struct cfg_loc *loc,
    struct route_val *target);
struct action *cfg_if(struct cfg_ctx *cx, const struct cfg_loc *loc,
    struct expr *cond, struct action *then_list, struct action *else_list);
struct expr *cfg_cmp(struct cfg_ctx *cx, const struct cfg_loc *loc,
    char *lhs, char *lhs2, int op, struct route_val *v);
struct expr *cfg_call_expr(struct cfg_ctx *cx, const struct cfg_loc *loc,
    struct action *call);
struct expr *cfg_bool(struct cfg_ctx *cx, const struct cfg_loc *loc,
    enum expr_kind kind, struct expr *l, struct expr *r);
struct cfg_args *cfg_args_add(struct cfg_args *args, struct route_val *v);
/* pseudo-variables: a PV value, `$pv = value;` and `$pv op rhs` / `$pv`
 * (<v> NULL, <op> ignored: true when the PV has a value) */
void cfg_val_pv(struct cfg_ctx *cx, struct route_val *v,
    const struct cfg_loc *loc, char *s);
struct action *cfg_assign(struct cfg_ctx *cx, const struct cfg_loc *loc,
    struct route_val *pv, struct route_val *v);
struct expr *cfg_cmp_pv(struct cfg_ctx *cx, const struct cfg_loc *loc,
    struct route_val *pv, int op, struct route_val *v);
void cfg_args_free(struct cfg_args *args);
const char *cfg_lhs_name(enum expr_lhs lhs);
const char *cfg_op_name(enum expr_op op);

/* cfg_tls.c */
int cfg_tls_is_keyword(const char *name);
void cfg_tls_global(struct cfg_ctx *cx, const struct cfg_loc *loc,
    char *name, struct route_val *v);
void cfg_tls_domain_begin(struct cfg_ctx *cx, const struct cfg_loc *loc,
    int server, struct route_val *name);
void cfg_tls_domain_set(struct cfg_ctx *cx, const struct cfg_loc *loc,
    char *name, struct route_val *v);
void cfg_tls_domain_end(struct cfg_ctx *cx, const struct cfg_loc *loc);
int cfg_tls_listen(struct cfg_ctx *cx, const struct cfg_loc *loc);

/* the items of the last parse, for cfg_print.c */
const struct cfg_item *cfg_items(void);

/* cfg.y / cfg.lex */
int cfg_lex_keywords_sorted(void);
int cfg_yyparse_run(struct cfg_ctx *cx, void *in_file);

#endif

/*
 * txt_funcs.h: the textops module's work (header edits, regex search and
 * replace, sed-like substitutions).  Edits are lumps on the request.
 */
#ifndef MODULES_TEXTOPS_TXT_FUNCS_H
#define MODULES_TEXTOPS_TXT_FUNCS_H

#include <regex.h>

#include "parser/msg_parser.h"
#include "script/pv.h"

enum txt_mode {
	TXT_APPEND = 0,		/* insert after the first match */
	TXT_REPLACE,		/* replace the first match */
	TXT_REPLACE_ALL,	/* replace every match */
};

#define TXT_MAX_LEN 4096	/* longest generated text */

/* a parsed "/re/replacement/flags"; config memory */
struct txt_subst;

/* Keep a compiled regex / substitution until txt_free_all().  0, or -1
 * (the object is freed, fix_param_error() set). */
int txt_keep_re(regex_t *re);
int txt_keep_subst(struct txt_subst *se);
void txt_free_all(void);

struct txt_subst *txt_subst_parse(const char *in, char *err, int errlen);

/* Header <name> of <msg> (compact forms too), or NULL. */
/* Add the printed <fmt> after the last header (<first>: before the
 * first).  0 or -1 (logged). */
int txt_add_hf(struct sip_msg *msg, const struct pv_fmt *fmt, int first);
/* Add "<pre><R-URI><post>" after the last header. */
int txt_add_urihf(struct sip_msg *msg, const struct pv_fmt *pre,
    const struct pv_fmt *post);
/* Add the printed <fmt> to the headers of local replies. */
int txt_add_reply_hf(struct sip_msg *msg, const struct pv_fmt *fmt);
/* Remove every header named <name>; returns how many, or -1. */
int txt_remove_hf(struct sip_msg *msg, const str *name);
/* Search the message from byte <from>: 1 with the match in [*so, *eo)
 * of msg->buf (when <so> is not NULL), 0 when none. */
int txt_search(struct sip_msg *msg, regex_t *re, int *so_eo, int from);
/* search_append / replace / replace_all: how many matches were edited,
 * or -1 (logged). */
int txt_replace(struct sip_msg *msg, regex_t *re, const struct pv_fmt *fmt,
    enum txt_mode mode);
/* subst on the whole message: how many matches, or -1. */
int txt_subst_msg(struct sip_msg *msg, const struct txt_subst *se);
/* subst on <in>: 1 with a malloc'ed result in *<out>, 0 no match, -1. */
int txt_subst_str(struct sip_msg *msg, const struct txt_subst *se,
    const str *in, char **out);

#endif

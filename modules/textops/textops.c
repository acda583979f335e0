/*
 * textops.c: the textops module: header and text edits of the request
 * through lumps (append_hf, remove_hf, replace, subst ...) and headers
 * for locally generated replies (append_to_reply).  Header names compare
 * case-insensitively and match their compact forms.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/re_check.h"
#include "modules/textops/txt_funcs.h"
#include "script/pv.h"
#include "script/sr_module.h"

#define TX_ROUTES (ROUTE_REQUEST | ROUTE_FAILURE | ROUTE_BRANCH | ROUTE_ERROR)

static int mod_init(void);
static int fixup_re(void **param, int param_no);
static int fixup_subst(void **param, int param_no);
static int fixup_re_fmt(void **param, int param_no);
static int fixup_hname(void **param, int param_no);

static int w_append_hf(struct sip_msg *msg, void *fmt, void *unused);
static int w_insert_hf(struct sip_msg *msg, void *fmt, void *unused);
static int w_remove_hf(struct sip_msg *msg, void *name, void *unused);
static int w_is_present_hf(struct sip_msg *msg, void *name, void *unused);
static int w_search(struct sip_msg *msg, void *re, void *unused);
static int w_search_append(struct sip_msg *msg, void *re, void *fmt);
static int w_replace(struct sip_msg *msg, void *re, void *fmt);
static int w_replace_all(struct sip_msg *msg, void *re, void *fmt);
static int w_subst(struct sip_msg *msg, void *se, void *unused);
static int w_subst_uri(struct sip_msg *msg, void *se, void *unused);
static int w_append_to_reply(struct sip_msg *msg, void *fmt, void *unused);
static int w_append_urihf(struct sip_msg *msg, void *pre, void *post);

static const struct cmd_export cmds[] = {
	/* name, handler, nargs, fixup, allowed in */
	{ "append_hf", w_append_hf, 1, pv_fix_fmt, TX_ROUTES },
	{ "append_to_reply", w_append_to_reply, 1, pv_fix_fmt, TX_ROUTES },
	{ "append_urihf", w_append_urihf, 2, pv_fix_fmt, TX_ROUTES },
	{ "insert_hf", w_insert_hf, 1, pv_fix_fmt, TX_ROUTES },
	{ "is_present_hf", w_is_present_hf, 1, fixup_hname, ROUTE_ANY },
	{ "remove_hf", w_remove_hf, 1, fixup_hname, TX_ROUTES | ROUTE_ONREPLY },
	{ "replace", w_replace, 2, fixup_re_fmt, TX_ROUTES },
	{ "replace_all", w_replace_all, 2, fixup_re_fmt, TX_ROUTES },
	{ "search", w_search, 1, fixup_re, ROUTE_ANY },
	{ "search_append", w_search_append, 2, fixup_re_fmt, TX_ROUTES },
	{ "subst", w_subst, 1, fixup_subst, TX_ROUTES },
	{ "subst_uri", w_subst_uri, 1, fixup_subst, TX_ROUTES },
	{ 0 },
};

const struct module_exports exports = {
	.abi = MODULE_ABI,
	.name = "textops",
	.cmds = cmds,
	.init = mod_init,
	.destroy = txt_free_all,
};

static char ruri_name[] = "$ru";
static struct pv_spec ruri_spec;

static int
mod_init(void)
{
	char err[128];

	if (pv_parse_all(ruri_name, &ruri_spec, err, (int)sizeof(err)) == -1) {
		LM_ERR("textops: %s", err);
		return -1;
	}
	return 0;
}

/* ---- fixups -------------------------------------------------------------- */

static int
fixup_re(void **param, int param_no)
{
	regex_t *re;
	char err[128];
	int rc;

	if (re_check(*param) == -1) {
		fix_param_error("regular expression too complex (nested or "
		    "stacked repetitions expand to more than %d nodes); "
		    "simplify it", RE_CHECK_MAX_NODES);
		return -1;
	}
	if ((re = malloc(sizeof(*re))) == NULL) {
		fix_param_error("out of memory");
		return -1;
	}
	rc = regcomp(re, *param, REG_EXTENDED | REG_ICASE | REG_NEWLINE);
	if (rc != 0) {
		(void)regerror(rc, re, err, sizeof(err));
		free(re);
		fix_param_error("bad regular expression: %s", err);
		return -1;
	}
	if (txt_keep_re(re) == -1)
		return -1;
	free(*param);
	*param = re;
	return 0;
}

/* (regex, text with PVs) */
static int
fixup_re_fmt(void **param, int param_no)
{
	return param_no == 1 ? fixup_re(param, param_no)
			     : pv_fix_fmt(param, param_no);
}

static int
fixup_subst(void **param, int param_no)
{
	struct txt_subst *se;
	char err[160];

	if ((se = txt_subst_parse(*param, err, (int)sizeof(err))) == NULL) {
		fix_param_error("%s", err);
		return -1;
	}
	if (txt_keep_subst(se) == -1)
		return -1;
	free(*param);
	*param = se;
	return 0;
}

static int
fixup_hname(void **param, int param_no)
{
	if (((char *)*param)[0] == '\0') {
		fix_param_error("empty header name");
		return -1;
	}
	return fix_param_pstr(param, param_no);
}

/* ---- handlers -------------------------------------------------------------- */

static int
w_append_hf(struct sip_msg *msg, void *fmt, void *unused)
{
	return txt_add_hf(msg, fmt, 0) == 0 ? CMD_TRUE : CMD_ERROR;
}

static int
w_insert_hf(struct sip_msg *msg, void *fmt, void *unused)
{
	return txt_add_hf(msg, fmt, 1) == 0 ? CMD_TRUE : CMD_ERROR;
}

static int
w_remove_hf(struct sip_msg *msg, void *name, void *unused)
{
	int n = txt_remove_hf(msg, name);

	if (n < 0)
		return CMD_ERROR;
	return n > 0 ? CMD_TRUE : CMD_FALSE;
}

static int
w_is_present_hf(struct sip_msg *msg, void *name, void *unused)
{
	return msg_find_hf(msg, name) != NULL ? CMD_TRUE : CMD_FALSE;
}

static int
w_search(struct sip_msg *msg, void *re, void *unused)
{
	return txt_search(msg, re, NULL, 0) == 1 ? CMD_TRUE : CMD_FALSE;
}

static int
w_search_append(struct sip_msg *msg, void *re, void *fmt)
{
	int rc = txt_replace(msg, re, fmt, TXT_APPEND);

	return rc < 0 ? CMD_ERROR : rc > 0 ? CMD_TRUE : CMD_FALSE;
}

static int
w_replace(struct sip_msg *msg, void *re, void *fmt)
{
	int rc = txt_replace(msg, re, fmt, TXT_REPLACE);

	return rc < 0 ? CMD_ERROR : rc > 0 ? CMD_TRUE : CMD_FALSE;
}

static int
w_replace_all(struct sip_msg *msg, void *re, void *fmt)
{
	int rc = txt_replace(msg, re, fmt, TXT_REPLACE_ALL);

	return rc < 0 ? CMD_ERROR : rc > 0 ? CMD_TRUE : CMD_FALSE;
}

static int
w_subst(struct sip_msg *msg, void *se, void *unused)
{
	int rc = txt_subst_msg(msg, se);

	return rc < 0 ? CMD_ERROR : rc > 0 ? CMD_TRUE : CMD_FALSE;
}

static int
w_subst_uri(struct sip_msg *msg, void *se, void *unused)
{
	struct pv_value v;
	char *out;
	int rc;

	if ((rc = txt_subst_str(msg, se, msg_ruri(msg), &out)) <= 0)
		return rc < 0 ? CMD_ERROR : CMD_FALSE;
	v.flags = PV_VAL_STR;
	v.s.s = out;
	v.s.len = (int)strlen(out);
	rc = pv_set(msg, &ruri_spec, &v);
	free(out);
	return rc == 0 ? CMD_TRUE : CMD_ERROR;
}

static int
w_append_to_reply(struct sip_msg *msg, void *fmt, void *unused)
{
	return txt_add_reply_hf(msg, fmt) == 0 ? CMD_TRUE : CMD_ERROR;
}

static int
w_append_urihf(struct sip_msg *msg, void *pre, void *post)
{
	return txt_add_urihf(msg, pre, post) == 0 ? CMD_TRUE : CMD_ERROR;
}

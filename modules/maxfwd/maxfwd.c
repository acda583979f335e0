/*
 * maxfwd.c: the maxfwd module's exports: mf_process_maxfwd_header(max)
 * adds Max-Forwards when absent and decrements it otherwise.
 */
#include <stdint.h>

#include "lib/log.h"
#include "modules/maxfwd/mf_funcs.h"
#include "script/sr_module.h"

#define MF_ROUTES (ROUTE_REQUEST | ROUTE_FAILURE | ROUTE_BRANCH)

static int mod_init(void);
static int fixup_max(void **param, int param_no);
static int w_mf_process_maxfwd(struct sip_msg *msg, void *max, void *unused);

/* outgoing values are capped to this; 256 means no cap */
static unsigned int max_limit = 256;

static const struct cmd_export cmds[] = {
	/* name, handler, nargs, fixup, allowed in */
	{ "mf_process_maxfwd_header", w_mf_process_maxfwd, 1, fixup_max,
	    MF_ROUTES },
	{ 0 },
};

static const struct param_export params[] = {
	{ "max_limit", PARAM_UINT, &max_limit },
	{ 0 },
};

const struct module_exports exports = {
	.abi = MODULE_ABI,
	.name = "maxfwd",
	.cmds = cmds,
	.params = params,
	.init = mod_init,
};

static int
mod_init(void)
{
	if (max_limit > 256) {
		LM_ERR("maxfwd: max_limit must be 0..256 (256: no cap), not %u",
		    max_limit);
		return -1;
	}
	return 0;
}

static int
fixup_max(void **param, int param_no)
{
	int n;

	if (fix_param_int(param, param_no) != 0)
		return -1;
	n = (int)(intptr_t)*param;
	if (n < 0 || n > 255) {
		fix_param_error("max must be 0..255, not %d", n);
		return -1;
	}
	return 0;
}

/*
 * mf_process_maxfwd_header(max): 2 when the header was absent and
 * "Max-Forwards: max" was added, 1 when it was decremented, -1 (false)
 * when it is already 0 (the script answers 483), -2 on a bad header.
 */
static int
w_mf_process_maxfwd(struct sip_msg *msg, void *max, void *unused)
{
	unsigned int hops = 0, lim = (unsigned int)(intptr_t)max;

	switch (maxfwd_get(msg, &hops)) {
	case MAXFWD_ABSENT:
		if (lim > max_limit)
			lim = max_limit;
		return maxfwd_add(msg, lim) == 0 ? 2 : CMD_ERROR;
	case MAXFWD_PRESENT:
		if (hops == 0)
			return CMD_FALSE;
		hops--;
		if (hops > max_limit)
			hops = max_limit;
		return maxfwd_set(msg, hops) == 0 ? CMD_TRUE : CMD_ERROR;
	case MAXFWD_BAD:
		break;
	}
	LM_ERR("maxfwd: unparsable Max-Forwards header");
	return CMD_ERROR;
}

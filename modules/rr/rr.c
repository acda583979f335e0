/*
 * rr.c: the rr module's exports: record_route(), record_route("params"),
 * record_route_preset("uri") (rr_record.c) and loose_route() (rr_loose.c).
 */
#include "lib/log.h"
#include "modules/rr/rr_mod.h"
#include "script/sr_module.h"
#include "sip/msg_translator.h"

int rr_enable_full_lr = 0;	/* ";lr=on" instead of ";lr" */
int rr_append_fromtag = 1;	/* ";ftag=<From tag>" */
int rr_enable_double_rr = 1;	/* two RRs when in/out sockets differ */

#define RR_ROUTES (ROUTE_REQUEST | ROUTE_FAILURE | ROUTE_BRANCH)

static const struct cmd_export cmds[] = {
	/* name, handler, nargs, fixup, allowed in */
	{ "record_route", w_rr_record_route, 0, NULL, RR_ROUTES },
	{ "record_route", w_rr_record_route, 1, fix_param_pstr, RR_ROUTES },
	{ "record_route_preset", w_rr_record_route_preset, 1, fix_param_pstr,
	  RR_ROUTES },
	{ "loose_route", w_rr_loose_route, 0, NULL, ROUTE_REQUEST },
	{ 0 },
};

static const struct param_export params[] = {
	{ "enable_full_lr", PARAM_INT, &rr_enable_full_lr },
	{ "append_fromtag", PARAM_INT, &rr_append_fromtag },
	{ "enable_double_rr", PARAM_INT, &rr_enable_double_rr },
	{ 0 },
};

static int
rr_mod_init(void)
{
	/* the outgoing socket is only known when the request is built */
	if (rr_enable_double_rr && msg_build_hook_set(rr_build_hook) == -1) {
		LM_ERR("rr: enable_double_rr needs the request build hook, "
		    "which another module already holds");
		return -1;
	}
	return 0;
}

/* protected: the loader uses RTLD_GLOBAL, and without it references to
 * "exports" inside this module would bind to the first module loaded */
__attribute__((visibility("protected")))
const struct module_exports exports = {
	.abi = MODULE_ABI,
	.name = "rr",
	.cmds = cmds,
	.params = params,
	.init = rr_mod_init,
};

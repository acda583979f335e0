/*
 * sl.c: the stateless reply module's exports.  Commands and their rules
 * are declared here; the core checks arity and route type before any
 * handler runs.
 */
#include "modules/sl/sl_funcs.h"
#include "script/sr_module.h"

#define SL_ROUTES (ROUTE_REQUEST | ROUTE_FAILURE | ROUTE_ERROR)

static const struct cmd_export cmds[] = {
	/* name, handler, nargs, fixup, allowed in */
	{ "sl_send_reply", w_sl_send_reply, 2, sl_fixup_reply, SL_ROUTES },
	{ "sl_reply_error", w_sl_reply_error, 0, NULL, SL_ROUTES },
	{ 0 },
};

const struct module_exports exports = {
	.abi = MODULE_ABI,
	.name = "sl",
	.cmds = cmds,
};

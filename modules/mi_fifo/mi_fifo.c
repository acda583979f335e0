/*
 * mi_fifo.c: the management FIFO module's exports (OpenSER 1.x mi_fifo).
 * One process of its own reads requests from the FIFO and runs them
 * through the MI registry; see fifo_server.c and README.
 */
#include "modules/mi_fifo/fifo_server.h"
#include "script/sr_module.h"

static int fifo_procs = 1;

static const struct param_export params[] = {
	{ "fifo_name", PARAM_STR, &fifo_name },
	{ "fifo_mode", PARAM_INT, &fifo_mode },
	{ "fifo_group", PARAM_STR, &fifo_group },
	{ "fifo_user", PARAM_STR, &fifo_user },
	{ "reply_dir", PARAM_STR, &fifo_reply_dir },
	{ 0 },
};

static const struct proc_export procs[] = {
	{ "MI FIFO", &fifo_procs, fifo_server_loop },
	{ 0 },
};

const struct module_exports exports = {
	.abi = MODULE_ABI,
	.name = "mi_fifo",
	.params = params,
	.procs = procs,
	.init = fifo_server_check,
};

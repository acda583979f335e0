/*
 * usrloc.c: the usrloc module's exports: parameters, management commands
 * and the expiry timer.  Tables are created by the registrar's fixups
 * (save/lookup/registered name them); the storage is ul_table.c.
 */
#include <time.h>

#include "core/timer.h"
#include "lib/log.h"
#include "modules/usrloc/ul_table.h"
#include "script/sr_module.h"

static unsigned int ul_timer_interval = 60;	/* seconds */

static const struct param_export params[] = {
	{ "use_domain", PARAM_INT, &ul_use_domain },
	{ "hash_size", PARAM_UINT, &ul_hash_size },
	{ "timer_interval", PARAM_UINT, &ul_timer_interval },
	{ 0 },
};

static const struct mi_export mi_cmds[] = {
	{ "ul_dump", ul_mi_dump, "every table, AoR and contact" },
	{ "ul_show_contact", ul_mi_show_contact,
	  "<table> <aor>: the AoR's contacts" },
	{ "ul_rm", ul_mi_rm, "<table> <aor>: remove the AoR" },
	{ "ul_rm_contact", ul_mi_rm_contact,
	  "<table> <aor> <contact>: remove one contact" },
	{ "ul_add", ul_mi_add, "<table> <aor> <contact> <expires> <q> "
	  "[<unused> [<flags> [<cflags> [<methods>]]]]: add a contact "
	  "(expires 0: permanent)" },
	{ "ul_flush", ul_mi_flush, "no database: does nothing" },
	{ 0 },
};

/* Timer process: drop expired contacts every timer_interval. */
static void
ul_timer(unsigned int ticks, void *param)
{
	int n;

	if ((n = ul_expire_all(time(NULL))) > 0)
		LM_DBG("usrloc: %d contact%s expired", n, n == 1 ? "" : "s");
}

static int
ul_mod_init(void)
{
	if (ul_hash_size < 1 || ul_hash_size > 16) {
		LM_ERR("usrloc: hash_size %u out of range 1..16", ul_hash_size);
		return -1;
	}
	if (ul_timer_interval == 0)
		ul_timer_interval = 1;
	if (timer_register(ul_timer, NULL, ul_timer_interval * 1000) == -1) {
		LM_ERR("usrloc: cannot register the expiry timer");
		return -1;
	}
	return 0;
}

/* protected: the loader uses RTLD_GLOBAL, and without it references to
 * "exports" inside this module would bind to the first module loaded */
__attribute__((visibility("protected")))
const struct module_exports exports = {
	.abi = MODULE_ABI,
	.name = "usrloc",
	.params = params,
	.mi_cmds = mi_cmds,
	.init = ul_mod_init,
};

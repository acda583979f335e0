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
	{ "db_mode", PARAM_INT, &ul_db_mode },
	{ "db_url", PARAM_STR, &ul_db_url },
	{ "user_column", PARAM_STR, &ul_col_user },
	{ "domain_column", PARAM_STR, &ul_col_domain },
	{ "contact_column", PARAM_STR, &ul_col_contact },
	{ "expires_column", PARAM_STR, &ul_col_expires },
	{ "q_column", PARAM_STR, &ul_col_q },
	{ "callid_column", PARAM_STR, &ul_col_callid },
	{ "cseq_column", PARAM_STR, &ul_col_cseq },
	{ "flags_column", PARAM_STR, &ul_col_flags },
	{ "cflags_column", PARAM_STR, &ul_col_cflags },
	{ "user_agent_column", PARAM_STR, &ul_col_user_agent },
	{ "received_column", PARAM_STR, &ul_col_received },
	{ "path_column", PARAM_STR, &ul_col_path },
	{ "socket_column", PARAM_STR, &ul_col_socket },
	{ "methods_column", PARAM_STR, &ul_col_methods },
	{ "last_mod_column", PARAM_STR, &ul_col_last_mod },
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
	{ "ul_flush", ul_mi_flush, "db_mode 2: write changed contacts now" },
	{ 0 },
};

/* Timer process: every timer_interval, write back changed contacts
 * (db_mode 2) and drop expired ones from memory and the database. */
static void
ul_timer(unsigned int ticks, void *param)
{
	time_t now = time(NULL);
	int n;

	if (ul_db_mode == 2)
		(void)ul_flush_all();
	if ((n = ul_expire_all(now)) > 0)
		LM_DBG("usrloc: %d contact%s expired", n, n == 1 ? "" : "s");
	if (ul_db_mode != 0)
		ul_db_expire_all(now);
}

static int
ul_child_init(int rank)
{
	return ul_db_child_init(rank);
}

/* attendant at exit: db_mode 2 writes what is left */
static void
ul_destroy(void)
{
	if (ul_db_mode == 2 && ul_flush_all() == -1)
		LM_ERR("usrloc: db_url: changed contacts could not be written "
		    "at exit");
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
	if (ul_db_init() == -1)
		return -1;
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
	.child_init = ul_child_init,
	.destroy = ul_destroy,
};

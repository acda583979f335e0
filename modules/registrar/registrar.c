/*
 * registrar.c: the registrar module's exports.  save() handles REGISTER
 * (reg_save.c), lookup() and registered() read the bindings (reg_lookup.c);
 * both name a usrloc table, created by the fixup before fork.
 */
#include <stdint.h>
#include <stdlib.h>

#include "lib/log.h"
#include "modules/registrar/reg_mod.h"
#include "modules/usrloc/usrloc.h"
#include "parser/parse_uri.h"
#include "script/sr_module.h"

unsigned int reg_default_expires = 3600;
unsigned int reg_min_expires = 60;
unsigned int reg_max_expires = 0;	/* 0: no limit */
int reg_default_q = UL_Q_NONE;
int reg_append_branches = 1;
unsigned int reg_max_contacts = 0;	/* 0: no limit */
int reg_use_path = 0;
unsigned int reg_retry_after = 0;	/* 0: REG_DB_RETRY_AFTER on DB errors */

/*
 * Argument 1 of save/lookup/registered: a table name, turned into its
 * usrloc table; argument 2 of save: flags, decimal or 0x hex.  Attendant.
 */
int
reg_fixup_table(void **param, int param_no)
{
	struct ul_domain *d;
	char *end;
	long v;

	if (param_no == 2) {
		v = strtol(*param, &end, 0);
		if (*(char *)*param == '\0' || *end != '\0' || v < 0) {
			fix_param_error("flags must be a number, not '%s'",
			    (char *)*param);
			return -1;
		}
		free(*param);
		*param = (void *)(intptr_t)v;
		return 0;
	}
	if (*(char *)*param == '\0') {
		fix_param_error("empty table name");
		return -1;
	}
	if ((d = ul_register_domain(*param)) == NULL) {
		fix_param_error("cannot create usrloc table '%s'",
		    (char *)*param);
		return -1;
	}
	free(*param);
	*param = d;
	return 0;
}

int
reg_aor_from_uri(const str *uri, char *buf, str *aor)
{
	struct sip_uri u;

	if (parse_uri(uri->s, uri->len, &u) == -1 || u.user.len == 0)
		return -1;
	return ul_aor_normalize(&u.user, &u.host, buf, REG_AOR_MAX, aor);
}

#define REG_ROUTES ROUTE_REQUEST
#define LOOKUP_ROUTES (ROUTE_REQUEST | ROUTE_FAILURE)

static const struct cmd_export cmds[] = {
	/* name, handler, nargs, fixup, allowed in */
	{ "save", w_reg_save, 1, reg_fixup_table, REG_ROUTES },
	{ "save", w_reg_save, 2, reg_fixup_table, REG_ROUTES },
	{ "lookup", w_reg_lookup, 1, reg_fixup_table, LOOKUP_ROUTES },
	{ "registered", w_reg_registered, 1, reg_fixup_table, LOOKUP_ROUTES },
	{ 0 },
};

static const struct param_export params[] = {
	{ "default_expires", PARAM_UINT, &reg_default_expires },
	{ "min_expires", PARAM_UINT, &reg_min_expires },
	{ "max_expires", PARAM_UINT, &reg_max_expires },
	{ "default_q", PARAM_INT, &reg_default_q },
	{ "append_branches", PARAM_INT, &reg_append_branches },
	{ "max_contacts", PARAM_UINT, &reg_max_contacts },
	{ "use_path", PARAM_INT, &reg_use_path },
	{ "retry_after", PARAM_UINT, &reg_retry_after },
	{ 0 },
};

static int
reg_mod_init(void)
{
	if (reg_default_q != UL_Q_NONE
	    && (reg_default_q < 0 || reg_default_q > 1000)) {
		LM_ERR("registrar: default_q %d is not -1 or 0..1000",
		    reg_default_q);
		return -1;
	}
	return 0;
}

/* protected: the loader uses RTLD_GLOBAL, and without it references to
 * "exports" inside this module would bind to the first module loaded */
__attribute__((visibility("protected")))
const struct module_exports exports = {
	.abi = MODULE_ABI,
	.name = "registrar",
	.cmds = cmds,
	.params = params,
	.init = reg_mod_init,
};

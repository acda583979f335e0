/*
 * reg_mod.h: what the registrar's files share: parameters and the script
 * commands.  Bindings themselves live in usrloc (modules/usrloc/usrloc.h).
 */
#ifndef MODULES_REGISTRAR_REG_MOD_H
#define MODULES_REGISTRAR_REG_MOD_H

#include "parser/msg_parser.h"

#define REG_NO_REPLY 0x02	/* save() flag: the script replies */

#define REG_AOR_MAX 256

extern unsigned int reg_default_expires;
extern unsigned int reg_min_expires;
extern unsigned int reg_max_expires;
extern int reg_default_q;
extern int reg_append_branches;
extern unsigned int reg_max_contacts;
extern int reg_use_path;
/* "retry_after": seconds in the Retry-After of a 5xx reply; 0: the
 * default, REG_DB_RETRY_AFTER, when the location database failed */
extern unsigned int reg_retry_after;
#define REG_DB_RETRY_AFTER 5

int reg_fixup_table(void **param, int param_no);
int w_reg_save(struct sip_msg *msg, void *table, void *flags);
int w_reg_lookup(struct sip_msg *msg, void *table, void *unused);
int w_reg_registered(struct sip_msg *msg, void *table, void *unused);

/* The AoR key of <uri> (user@host or user, per usrloc's use_domain) into
 * <buf> (REG_AOR_MAX bytes).  0, or -1 when the URI is not usable. */
int reg_aor_from_uri(const str *uri, char *buf, str *aor);

#endif

/*
 * ul_table.h: usrloc internals shared by its files (walks for the timer
 * and the management commands).  The public API is usrloc.h.
 */
#ifndef MODULES_USRLOC_UL_TABLE_H
#define MODULES_USRLOC_UL_TABLE_H

#include "modules/usrloc/usrloc.h"
#include "script/mi.h"

extern unsigned int ul_hash_size;

struct ul_domain *ul_first_domain(void);
struct ul_domain *ul_next_domain(struct ul_domain *d);
unsigned int ul_domain_size(const struct ul_domain *d);
void ul_lock_slot(struct ul_domain *d, unsigned int i);
void ul_unlock_slot(struct ul_domain *d, unsigned int i);
struct ul_record *ul_slot_first_locked(struct ul_domain *d, unsigned int i);
int ul_expire_all(time_t now);
int ul_flush_all(void);
void ul_db_expire_all(time_t now);

/* memory only (the database side is the caller's) */
struct ul_record *ul_get_record_mem_locked(struct ul_domain *d,
    const str *aor);
struct ul_contact *ul_add_contact_mem_locked(struct ul_record *r,
    const str *c, const struct ul_info *ci);
void ul_drop_contact_mem_locked(struct ul_record *r, struct ul_contact *c);
void ul_drop_record_mem_locked(struct ul_domain *d, struct ul_record *r);

/* the database (ul_db.c) */
extern char *ul_db_url;
extern char *ul_col_user, *ul_col_domain, *ul_col_contact, *ul_col_expires,
    *ul_col_q, *ul_col_callid, *ul_col_cseq, *ul_col_flags, *ul_col_cflags,
    *ul_col_user_agent, *ul_col_received, *ul_col_path, *ul_col_socket,
    *ul_col_methods, *ul_col_last_mod;
int ul_db_init(void);
int ul_db_child_init(int rank);
int ul_db_table_start(struct ul_domain *d);
int ul_db_store(struct ul_domain *d, const str *aor,
    const struct ul_contact *c);
int ul_db_delete(struct ul_domain *d, const str *aor, const str *c);
int ul_db_expire(struct ul_domain *d, time_t now);
int ul_db_refresh_locked(struct ul_domain *d, const str *aor);

/* management commands (ul_mi.c) */
int ul_mi_dump(int argc, const str *argv, struct mi_reply *r);
int ul_mi_show_contact(int argc, const str *argv, struct mi_reply *r);
int ul_mi_rm(int argc, const str *argv, struct mi_reply *r);
int ul_mi_rm_contact(int argc, const str *argv, struct mi_reply *r);
int ul_mi_add(int argc, const str *argv, struct mi_reply *r);
int ul_mi_flush(int argc, const str *argv, struct mi_reply *r);

#endif

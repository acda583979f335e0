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

/* management commands (ul_mi.c) */
int ul_mi_dump(int argc, const str *argv, struct mi_reply *r);
int ul_mi_show_contact(int argc, const str *argv, struct mi_reply *r);
int ul_mi_rm(int argc, const str *argv, struct mi_reply *r);
int ul_mi_rm_contact(int argc, const str *argv, struct mi_reply *r);
int ul_mi_add(int argc, const str *argv, struct mi_reply *r);
int ul_mi_flush(int argc, const str *argv, struct mi_reply *r);

#endif

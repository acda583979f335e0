/*
 * usrloc.h: the in-memory location service, as the registrar sees it.
 *
 * A table ("domain" in OpenSER words, e.g. "location") maps an address of
 * record to its contacts.  Tables live in shm, hashed by AoR, one lock per
 * slot; any process may read or change them while it holds the slot's lock
 * (ul_lock()/ul_unlock()).  Functions ending in _locked need that lock.
 *
 * registrar.so calls these functions directly: modules are loaded with
 * RTLD_GLOBAL, so load usrloc.so before registrar.so.
 */
#ifndef MODULES_USRLOC_USRLOC_H
#define MODULES_USRLOC_USRLOC_H

#include <time.h>

#include "lib/ip_addr.h"
#include "lib/str.h"

struct socket_info;
struct ul_domain;

#define UL_Q_NONE	-1	/* no q given */

/* contact flags */
#define UL_FL_PERMANENT 1	/* added by ul_add with expires 0: never expires */

/* what the registrar gives for a new or refreshed contact */
struct ul_info {
	str received;		/* "sip:ip:port[;transport=x]" the REGISTER came
				   from, may be empty */
	str path;		/* Path header value, may be empty */
	str user_agent;		/* may be empty */
	str callid;
	unsigned int cseq;
	time_t expires;		/* absolute (time()); ignored when
				   UL_FL_PERMANENT */
	int q;			/* 0..1000 or UL_Q_NONE */
	unsigned int flags;	/* UL_FL_* */
	unsigned int methods;	/* enum request_method mask, 0: all */
	struct socket_info *sock;	/* where the REGISTER arrived */
	enum sip_proto proto;	/* and over which transport */
	unsigned int conn_id;	/* its TCP/TLS connection, 0 for UDP */
};

/* shm; one binding, owned by its record */
struct ul_contact {
	str c;			/* contact URI */
	str received, path, user_agent, callid;
	unsigned int cseq;
	time_t expires;
	int q;
	unsigned int flags;
	unsigned int methods;
	struct socket_info *sock;
	enum sip_proto proto;
	unsigned int conn_id;
	time_t last_modified;
	unsigned int dirty;	/* db_mode 2: not written yet */
	struct ul_contact *next;
};

/* shm; one address of record, owned by its table slot */
struct ul_record {
	str aor;
	unsigned int hash;
	struct ul_domain *domain;	/* config memory: same in every process */
	struct ul_contact *contacts;
	struct ul_record *next;
};

extern int ul_use_domain;	/* usrloc "use_domain": AoR is user@host */
/* "db_mode": 0 memory only, 1 write-through, 2 write-back every
 * timer_interval, 3 database only (several proxies share the table) */
extern int ul_db_mode;
/* Set to 1 when a change or a read of this process failed in the
 * database (the registrar answers 500 with Retry-After); the caller
 * clears it before the operation.  Per process. */
extern int ul_db_error;

/*
 * The table called <name>, created on first use.  Attendant only, before
 * fork (a registrar fixup).  NULL when out of memory (logged).
 */
struct ul_domain *ul_register_domain(const char *name);

/* The table called <name>, or NULL.  Any process. */
struct ul_domain *ul_find_domain(const str *name);

/* The table's name (NUL-terminated, config memory). */
const char *ul_domain_name(const struct ul_domain *d);

/* Lock / unlock the slot of <aor> in <d>.  Any process. */
void ul_lock(struct ul_domain *d, const str *aor);
void ul_unlock(struct ul_domain *d, const str *aor);

/* The record of <aor>, or NULL (db_mode 3: read from the database
 * first; NULL with ul_db_error set when that failed).  Slot lock held. */
struct ul_record *ul_get_record_locked(struct ul_domain *d, const str *aor);

/* A new empty record for <aor> (not there yet), or NULL when out of shm
 * (logged).  Slot lock held. */
struct ul_record *ul_insert_record_locked(struct ul_domain *d,
    const str *aor);

/* Remove and free <r> if it has no contacts left.  Slot lock held. */
void ul_release_record_locked(struct ul_domain *d, struct ul_record *r);

/* Remove and free <r> with all its contacts.  Slot lock held. */
void ul_delete_record_locked(struct ul_domain *d, struct ul_record *r);

/* The contact of <r> whose URI is exactly <c>, or NULL.  Slot lock. */
struct ul_contact *ul_get_contact_locked(struct ul_record *r, const str *c);

/* Add contact <c> described by <ci> to <r> (written to the database in
 * db_mode 1, 3).  The contact, or NULL when out of shm (logged) or the
 * database failed (ul_db_error).  Slot lock held. */
struct ul_contact *ul_insert_contact_locked(struct ul_record *r,
    const str *c, const struct ul_info *ci);

/* Replace what <ci> describes in contact <c> of <r>.  0, or -1 when out
 * of shm (logged; <c> keeps its old values).  Slot lock held. */
int ul_update_contact_locked(struct ul_record *r, struct ul_contact *c,
    const struct ul_info *ci);

/* Unlink and free <c> from <r> (db_mode 1-3: after removing its row;
 * when that fails <c> stays and ul_db_error is set).  Slot lock held. */
void ul_delete_contact_locked(struct ul_record *r, struct ul_contact *c);

/* 1 when <c> has not expired at <now>. */
int ul_contact_valid(const struct ul_contact *c, time_t now);

/*
 * Split AoR text <in> ("user@host" or "user") into what the tables key
 * on: user@host (host lowercased) with use_domain, else user.  Writes at
 * most <size> bytes to <buf> and sets <out>.  0, or -1 when too long.
 */
int ul_aor_normalize(const str *user, const str *host, char *buf, int size,
    str *out);

/* q (0..1000) as OpenSER writes it: "1", "0.5", "0.125"; "" for none.
 * <buf> needs 6 bytes. */
void ul_q_str(int q, char *buf);

/* Parse a q value ("0", "1", "0.5", "1.000"): 0..1000 into <q>.  0, or
 * -1 when it is not a valid q. */
int ul_q_parse(const str *s, int *q);

#endif

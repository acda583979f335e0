/*
 * ul_table.c: location tables in shm (see usrloc.h).  A table is an array
 * of slots, each a lock and a list of records hashed by AoR; a record holds
 * its contacts ordered by q, highest first, the newest first among equal q.
 * The list of tables itself is config memory, built in the attendant by
 * registrar fixups and only read after fork.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/lock.h"
#include "lib/log.h"
#include "lib/stats.h"
#include "mem/shm.h"
#include "modules/usrloc/ul_table.h"

struct ul_slot {
	struct lock lock;
	struct ul_record *first;
	unsigned int records;
};

/* config memory; the slots are shm */
struct ul_domain {
	char *name;
	unsigned int size;	/* a power of two */
	struct ul_slot *slots;
	struct stat_var *st_users, *st_contacts, *st_expired;
	struct ul_domain *next;
};

int ul_use_domain;
unsigned int ul_hash_size = 9;	/* "hash_size": 2^9 slots per table */

static struct ul_domain *domains;

static unsigned int
ul_hash(const str *s)
{
	unsigned int h = 2166136261u;
	int i;

	for (i = 0; i < s->len; i++) {
		h ^= (unsigned char)s->s[i];
		h *= 16777619u;
	}
	return h;
}

static struct ul_slot *
ul_slot_of(struct ul_domain *d, unsigned int h)
{
	return &d->slots[h & (d->size - 1)];
}

/*
 * Create table <name> with 2^hash_size slots.  Attendant, before fork.
 * Returns it, an existing one of that name, or NULL (logged).
 */
struct ul_domain *
ul_register_domain(const char *name)
{
	struct ul_domain *d;
	char sname[96];
	unsigned int i;

	for (d = domains; d != NULL; d = d->next)
		if (strcmp(d->name, name) == 0)
			return d;
	if ((d = calloc(1, sizeof(*d))) == NULL
	    || (d->name = strdup(name)) == NULL) {
		LM_ERR("usrloc table %s: out of memory", name);
		goto fail;
	}
	d->size = 1u << (ul_hash_size > 16 ? 16 : ul_hash_size);
	if ((d->slots = shm_zalloc(d->size * sizeof(*d->slots))) == NULL) {
		SHM_MEM_ERROR("creating a usrloc table");
		goto fail;
	}
	for (i = 0; i < d->size; i++)
		if (lock_init(&d->slots[i].lock) == -1) {
			LM_ERR("usrloc table %s: cannot create its locks", name);
			goto fail;
		}
	/* OpenSER's names: <table>-users, <table>-contacts, <table>-expires */
	(void)snprintf(sname, sizeof(sname), "%s-users", name);
	d->st_users = stats_register("usrloc", strdup(sname));
	(void)snprintf(sname, sizeof(sname), "%s-contacts", name);
	d->st_contacts = stats_register("usrloc", strdup(sname));
	(void)snprintf(sname, sizeof(sname), "%s-expires", name);
	d->st_expired = stats_register("usrloc", strdup(sname));
	d->next = domains;
	domains = d;
	if (ul_db_mode != 0 && ul_db_table_start(d) == -1)
		return NULL;
	return d;
fail:
	if (d != NULL) {
		shm_free(d->slots);
		free(d->name);
		free(d);
	}
	return NULL;
}

/* The table called <name>, or NULL.  Any process. */
struct ul_domain *
ul_find_domain(const str *name)
{
	struct ul_domain *d;

	for (d = domains; d != NULL; d = d->next)
		if (str_eq_cstr(name, d->name))
			return d;
	return NULL;
}

/* The first table (for walks), or NULL. */
struct ul_domain *
ul_first_domain(void)
{
	return domains;
}

/* The table after <d>, or NULL. */
struct ul_domain *
ul_next_domain(struct ul_domain *d)
{
	return d->next;
}

const char *
ul_domain_name(const struct ul_domain *d)
{
	return d->name;
}

/* Number of slots of <d>. */
unsigned int
ul_domain_size(const struct ul_domain *d)
{
	return d->size;
}

void
ul_lock(struct ul_domain *d, const str *aor)
{
	lock_get(&ul_slot_of(d, ul_hash(aor))->lock);
}

void
ul_unlock(struct ul_domain *d, const str *aor)
{
	lock_release(&ul_slot_of(d, ul_hash(aor))->lock);
}

/* Lock / unlock slot <i> of <d> (walks: timer, ul_dump). */
void
ul_lock_slot(struct ul_domain *d, unsigned int i)
{
	lock_get(&d->slots[i].lock);
}

void
ul_unlock_slot(struct ul_domain *d, unsigned int i)
{
	lock_release(&d->slots[i].lock);
}

/* The first record of slot <i>; slot lock held. */
struct ul_record *
ul_slot_first_locked(struct ul_domain *d, unsigned int i)
{
	return d->slots[i].first;
}

struct ul_record *
ul_get_record_mem_locked(struct ul_domain *d, const str *aor)
{
	unsigned int h = ul_hash(aor);
	struct ul_record *r;

	for (r = ul_slot_of(d, h)->first; r != NULL; r = r->next)
		if (r->hash == h && str_eq(&r->aor, aor))
			return r;
	return NULL;
}

/* db_mode 3 reads the database first: other proxies share the table */
struct ul_record *
ul_get_record_locked(struct ul_domain *d, const str *aor)
{
	if (ul_db_mode == 3 && ul_db_refresh_locked(d, aor) == -1)
		return NULL;
	return ul_get_record_mem_locked(d, aor);
}

struct ul_record *
ul_insert_record_locked(struct ul_domain *d, const str *aor)
{
	struct ul_slot *sl;
	struct ul_record *r;

	if ((r = shm_zalloc(sizeof(*r) + (size_t)aor->len + 1)) == NULL) {
		SHM_MEM_ERROR("adding an address of record");
		return NULL;
	}
	r->aor.s = (char *)(r + 1);
	r->aor.len = aor->len;
	memcpy(r->aor.s, aor->s, (size_t)aor->len);
	r->hash = ul_hash(aor);
	r->domain = d;
	sl = ul_slot_of(d, r->hash);
	r->next = sl->first;
	sl->first = r;
	sl->records++;
	stats_add(d->st_users, 1);
	return r;
}

static void
ul_stats_contacts(struct ul_record *r, int delta)
{
	struct stat_var *st = r->domain->st_contacts;

	if (delta > 0)
		stats_add(st, (uint64_t)delta);
	else if (stats_read(st) >= (uint64_t)-delta)
		stats_add(st, (uint64_t)delta);
}

static void
ul_contact_free(struct ul_contact *c)
{
	shm_free(c->c.s);
	shm_free(c);
}

void
ul_drop_record_mem_locked(struct ul_domain *d, struct ul_record *r)
{
	struct ul_slot *sl = ul_slot_of(d, r->hash);
	struct ul_record **pp;

	while (r->contacts != NULL)
		ul_drop_contact_mem_locked(r, r->contacts);
	for (pp = &sl->first; *pp != NULL; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	sl->records--;
	if (d->st_users != NULL && stats_read(d->st_users) > 0)
		stats_add(d->st_users, (uint64_t)-1);
	shm_free(r);
}

void
ul_delete_record_locked(struct ul_domain *d, struct ul_record *r)
{
	if (ul_db_mode != 0 && ul_db_delete(d, &r->aor, NULL) == -1)
		return;
	ul_drop_record_mem_locked(d, r);
}

void
ul_release_record_locked(struct ul_domain *d, struct ul_record *r)
{
	if (r->contacts == NULL)
		ul_drop_record_mem_locked(d, r);
}

struct ul_contact *
ul_get_contact_locked(struct ul_record *r, const str *c)
{
	struct ul_contact *uc;

	for (uc = r->contacts; uc != NULL; uc = uc->next)
		if (str_eq(&uc->c, c))
			return uc;
	return NULL;
}

/*
 * One shm block holding the strings of <c> and <ci>: the URI first, so
 * freeing c.s frees them all.  0, or -1 when out of shm.
 */
static int
ul_contact_strings(struct ul_contact *uc, const str *c,
    const struct ul_info *ci)
{
	const str *src[5] = { c, &ci->received, &ci->path, &ci->user_agent,
		&ci->callid };
	str *dst[5] = { &uc->c, &uc->received, &uc->path, &uc->user_agent,
		&uc->callid };
	size_t total = 0;
	char *p;
	int i;

	for (i = 0; i < 5; i++)
		total += (size_t)src[i]->len + 1;
	if ((p = shm_malloc(total)) == NULL)
		return -1;
	for (i = 0; i < 5; i++) {
		dst[i]->s = p;
		dst[i]->len = src[i]->len;
		if (src[i]->len > 0)
			memcpy(p, src[i]->s, (size_t)src[i]->len);
		p[src[i]->len] = '\0';
		p += src[i]->len + 1;
	}
	return 0;
}

static void
ul_contact_fill(struct ul_contact *uc, const struct ul_info *ci)
{
	uc->cseq = ci->cseq;
	uc->expires = ci->expires;
	uc->q = ci->q;
	uc->flags = ci->flags;
	uc->methods = ci->methods;
	uc->sock = ci->sock;
	uc->proto = ci->proto;
	uc->conn_id = ci->conn_id;
	uc->last_modified = time(NULL);
}

/* Put <uc> in <r>'s list: by q, highest first, newest first on a tie. */
static void
ul_contact_link(struct ul_record *r, struct ul_contact *uc)
{
	struct ul_contact **pp;

	for (pp = &r->contacts; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->q <= uc->q)
			break;
	uc->next = *pp;
	*pp = uc;
}

static void
ul_contact_unlink(struct ul_record *r, struct ul_contact *uc)
{
	struct ul_contact **pp;

	for (pp = &r->contacts; *pp != NULL; pp = &(*pp)->next)
		if (*pp == uc) {
			*pp = uc->next;
			return;
		}
}

struct ul_contact *
ul_add_contact_mem_locked(struct ul_record *r, const str *c,
    const struct ul_info *ci)
{
	struct ul_contact *uc;

	if ((uc = shm_zalloc(sizeof(*uc))) == NULL
	    || ul_contact_strings(uc, c, ci) == -1) {
		shm_free(uc);
		SHM_MEM_ERROR("adding a contact");
		return NULL;
	}
	ul_contact_fill(uc, ci);
	ul_contact_link(r, uc);
	ul_stats_contacts(r, 1);
	return uc;
}

/* Write <c> of <r> through (db_mode 1, 3) or mark it (2).  0 or -1. */
static int
ul_contact_sync(struct ul_record *r, struct ul_contact *c)
{
	if (ul_db_mode == 2)
		c->dirty = 1;
	else if (ul_db_mode != 0)
		return ul_db_store(r->domain, &r->aor, c);
	return 0;
}

struct ul_contact *
ul_insert_contact_locked(struct ul_record *r, const str *c,
    const struct ul_info *ci)
{
	struct ul_contact *uc;

	if ((uc = ul_add_contact_mem_locked(r, c, ci)) == NULL)
		return NULL;
	if (ul_contact_sync(r, uc) == -1) {
		ul_drop_contact_mem_locked(r, uc);
		return NULL;
	}
	return uc;
}

int
ul_update_contact_locked(struct ul_record *r, struct ul_contact *c,
    const struct ul_info *ci)
{
	struct ul_contact tmp;
	str uri = c->c;

	memset(&tmp, 0, sizeof(tmp));
	if (ul_contact_strings(&tmp, &uri, ci) == -1) {
		SHM_MEM_ERROR("updating a contact");
		return -1;
	}
	shm_free(c->c.s);
	c->c = tmp.c;
	c->received = tmp.received;
	c->path = tmp.path;
	c->user_agent = tmp.user_agent;
	c->callid = tmp.callid;
	ul_contact_fill(c, ci);
	/* its q may have changed, and it is now the newest */
	ul_contact_unlink(r, c);
	ul_contact_link(r, c);
	return ul_contact_sync(r, c);
}

void
ul_drop_contact_mem_locked(struct ul_record *r, struct ul_contact *c)
{
	ul_contact_unlink(r, c);
	ul_stats_contacts(r, -1);
	ul_contact_free(c);
}

/* in every db_mode but 0 the row goes at once: a write-back of a
 * removal could bring a binding back after a restart */
void
ul_delete_contact_locked(struct ul_record *r, struct ul_contact *c)
{
	if (ul_db_mode != 0 && ul_db_delete(r->domain, &r->aor, &c->c) == -1)
		return;
	ul_drop_contact_mem_locked(r, c);
}

int
ul_contact_valid(const struct ul_contact *c, time_t now)
{
	return (c->flags & UL_FL_PERMANENT) || c->expires > now;
}

int
ul_aor_normalize(const str *user, const str *host, char *buf, int size,
    str *out)
{
	int i, n = user->len;

	if (n >= size)
		return -1;
	memcpy(buf, user->s, (size_t)n);
	if (ul_use_domain && host->len > 0) {
		if (n + 1 + host->len >= size)
			return -1;
		buf[n++] = '@';
		for (i = 0; i < host->len; i++)
			buf[n++] = (char)tolower((unsigned char)host->s[i]);
	}
	buf[n] = '\0';
	out->s = buf;
	out->len = n;
	return 0;
}

/* ---- expiry ------------------------------------------------------------ */

/*
 * Remove every expired contact of every table, and records left empty.
 * Timer process (or any, under the slot locks).  Returns how many
 * contacts were removed.
 */
int
ul_expire_all(time_t now)
{
	struct ul_domain *d;
	struct ul_record *r, *rn;
	struct ul_contact *c, *cn;
	unsigned int i;
	int n = 0;

	for (d = domains; d != NULL; d = d->next) {
		for (i = 0; i < d->size; i++) {
			lock_get(&d->slots[i].lock);
			for (r = d->slots[i].first; r != NULL; r = rn) {
				rn = r->next;
				for (c = r->contacts; c != NULL; c = cn) {
					cn = c->next;
					if (ul_contact_valid(c, now))
						continue;
					LM_DBG("usrloc %s: %.*s: contact %.*s "
					    "expired", d->name, STR_FMT(&r->aor),
					    STR_FMT(&c->c));
					ul_drop_contact_mem_locked(r, c);
					stats_add(d->st_expired, 1);
					n++;
				}
				ul_release_record_locked(d, r);
			}
			lock_release(&d->slots[i].lock);
		}
	}
	return n;
}

/*
 * db_mode 2: write every changed contact.  Timer or MI process.  The
 * number written, or -1 when the database failed (the rest stay marked
 * for the next flush).
 */
int
ul_flush_all(void)
{
	struct ul_domain *d;
	struct ul_record *r;
	struct ul_contact *c;
	unsigned int i;
	int n = 0, failed = 0;

	for (d = domains; d != NULL && !failed; d = d->next) {
		for (i = 0; i < d->size && !failed; i++) {
			lock_get(&d->slots[i].lock);
			for (r = d->slots[i].first; r != NULL && !failed;
			    r = r->next)
				for (c = r->contacts; c != NULL; c = c->next) {
					if (!c->dirty)
						continue;
					if (ul_db_store(d, &r->aor, c) == -1) {
						failed = 1;
						break;
					}
					c->dirty = 0;
					n++;
				}
			lock_release(&d->slots[i].lock);
		}
	}
	return failed ? -1 : n;
}

/* Remove expired rows from every table's database.  Timer process. */
void
ul_db_expire_all(time_t now)
{
	struct ul_domain *d;

	for (d = domains; d != NULL; d = d->next)
		(void)ul_db_expire(d, now);
}

/* ---- q values ------------------------------------------------------------ */

void
ul_q_str(int q, char *buf)
{
	int n;

	if (q < 0 || q > 1000) {
		buf[0] = '\0';
		return;
	}
	if (q == 1000 || q == 0) {
		buf[0] = q == 0 ? '0' : '1';
		buf[1] = '\0';
		return;
	}
	buf[0] = '0';
	buf[1] = '.';
	buf[2] = (char)('0' + q / 100);
	buf[3] = (char)('0' + q / 10 % 10);
	buf[4] = (char)('0' + q % 10);
	for (n = 4; n > 2 && buf[n] == '0'; n--)
		;
	buf[n + 1] = '\0';
}

int
ul_q_parse(const str *s, int *q)
{
	int i = 0, v, digits = 0;

	if (s->len == 0 || (s->s[0] != '0' && s->s[0] != '1'))
		return -1;
	v = (s->s[0] - '0') * 1000;
	i = 1;
	if (i < s->len && s->s[i] == '.') {
		for (i++; i < s->len && digits < 3; i++, digits++) {
			if (!isdigit((unsigned char)s->s[i]))
				return -1;
			v += (s->s[i] - '0') * (digits == 0 ? 100 : digits == 1
			    ? 10 : 1);
		}
	}
	if (i != s->len || v > 1000)
		return -1;
	*q = v;
	return 0;
}

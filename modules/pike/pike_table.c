/*
 * pike_table.c: the table of request sources (see pike_table.h).
 */
#include <string.h>

#include "lib/lock.h"
#include "lib/stats.h"
#include "mem/shm.h"
#include "modules/pike/pike_table.h"

/* shm; one source */
struct pike_entry {
	struct ip_addr ip;
	int used;
	int blocked;
	unsigned long long win;		/* the sampling unit cur counts */
	unsigned int cur, prev;		/* requests in it, in the one before */
	unsigned long long last_seen;	/* ms */
	unsigned long long hot_at;	/* last time over the limit, ms */
	unsigned long long blocked_at;	/* ms */
	unsigned long long refused;	/* requests refused since blocked */
};

/* shm; PIKE_WAYS sources under one lock */
struct pike_set {
	struct lock lock;
	struct pike_entry e[PIKE_WAYS];
};

static struct pike_set *sets;
static unsigned int nsets;	/* a power of two */

struct stat_var *pike_st_tracked, *pike_st_blocked;

/*
 * Map the table in shm: room for at least <max_sources> sources.
 * Attendant, mod_init.  0, or -1 (shm exhausted or no lock).
 */
int
pike_table_init(unsigned int max_sources)
{
	unsigned int i;

	for (nsets = 1; nsets * PIKE_WAYS < max_sources; nsets <<= 1)
		;
	if ((sets = shm_zalloc(sizeof(*sets) * nsets)) == NULL)
		return -1;
	for (i = 0; i < nsets; i++)
		if (lock_init(&sets[i].lock) == -1)
			return -1;
	return 0;
}

/* Forget the table at exit (the arena goes away with shm). */
void
pike_table_destroy(void)
{
	sets = NULL;
	nsets = 0;
}

unsigned int
pike_table_slots(void)
{
	return nsets * PIKE_WAYS;
}

static struct pike_set *
set_of(const struct ip_addr *ip)
{
	unsigned int h = 2166136261u, i;

	for (i = 0; i < ip->len && i < sizeof(ip->u.addr); i++) {
		h ^= ip->u.addr[i];
		h *= 16777619u;
	}
	h ^= h >> 15;
	return &sets[h & (nsets - 1)];
}

/* Requests of <e> in the last unit: this unit's, and the part of the
 * previous one still inside the window. */
static unsigned int
rate_of(const struct pike_entry *e, const struct pike_limits *lim,
    unsigned long long now)
{
	unsigned long long into = now - e->win * lim->unit_ms;

	if (into > lim->unit_ms)
		into = lim->unit_ms;
	return e->cur + (unsigned int)((unsigned long long)e->prev
	    * (lim->unit_ms - into) / lim->unit_ms);
}

/* Move <e>'s counters to the unit of <now>. */
static void
advance(struct pike_entry *e, const struct pike_limits *lim,
    unsigned long long now)
{
	unsigned long long w = now / lim->unit_ms;

	if (w == e->win)
		return;
	e->prev = w == e->win + 1 ? e->cur : 0;
	e->cur = 0;
	e->win = w;
}

static void
unblock(struct pike_entry *e)
{
	e->blocked = 0;
	e->refused = 0;
	stats_add(pike_st_blocked, (uint64_t)-1);
}

static void
info_of(const struct pike_entry *e, const struct pike_limits *lim,
    unsigned long long now, struct pike_info *in)
{
	struct pike_entry cur = *e;

	advance(&cur, lim, now);	/* a count of units long gone is 0 */
	in->ip = e->ip;
	in->rate = rate_of(&cur, lim, now);
	in->refused = e->refused;
	in->blocked_ms = now - e->blocked_at;
	in->calm_ms = now - e->hot_at;
}

/* The entry of <ip> in <s>, made if needed (NULL: the set is full of
 * blocked sources).  Set lock held. */
static struct pike_entry *
entry_get(struct pike_set *s, const struct ip_addr *ip,
    const struct pike_limits *lim, unsigned long long now)
{
	struct pike_entry *e, *victim = NULL;
	int i;

	for (i = 0; i < PIKE_WAYS; i++) {
		e = &s->e[i];
		if (e->used && ip_addr_eq(&e->ip, ip))
			return e;
	}
	for (i = 0; i < PIKE_WAYS; i++) {
		e = &s->e[i];
		if (!e->used) {
			victim = e;
			stats_add(pike_st_tracked, 1);
			break;
		}
		if (!e->blocked && (victim == NULL
		    || e->last_seen < victim->last_seen))
			victim = e;
	}
	if (victim == NULL)
		return NULL;
	memset(victim, 0, sizeof(*victim));
	victim->used = 1;
	victim->ip = *ip;
	victim->win = now / lim->unit_ms;
	return victim;
}

/*
 * Count a request from <ip> at <now> (ms); the source's figures into
 * *<info> (before an unblock: as it was while blocked).  Any process.
 */
enum pike_verdict
pike_table_hit(const struct ip_addr *ip, const struct pike_limits *lim,
    unsigned long long now, struct pike_info *info)
{
	struct pike_set *s = set_of(ip);
	struct pike_entry *e;
	enum pike_verdict v = PIKE_OK;
	unsigned int rate;

	memset(info, 0, sizeof(*info));
	lock_get(&s->lock);
	if ((e = entry_get(s, ip, lim, now)) == NULL) {
		lock_release(&s->lock);
		return PIKE_UNTRACKED;
	}
	advance(e, lim, now);
	e->cur++;
	e->last_seen = now;
	rate = rate_of(e, lim, now);
	if (e->blocked && now - e->hot_at >= lim->latency_ms) {
		/* calm long enough; the timer has not seen it yet */
		info_of(e, lim, now, info);
		unblock(e);
		v = PIKE_UNBLOCKED;
	}
	if (rate > lim->density) {
		e->hot_at = now;
		if (!e->blocked) {
			e->blocked = 1;
			e->blocked_at = now;
			stats_add(pike_st_blocked, 1);
			v = PIKE_NEW_BLOCK;
		}
	}
	if (e->blocked) {
		e->refused++;
		if (v != PIKE_NEW_BLOCK)
			v = PIKE_BLOCKED;
	}
	if (v != PIKE_UNBLOCKED)
		info_of(e, lim, now, info);
	lock_release(&s->lock);
	return v;
}

/*
 * Unblock the sources calm for remove_latency (calling <unblocked> for
 * each, set lock held: it must not call back into the table) and forget
 * those not seen for remove_latency (and two units).  Timer process.
 */
void
pike_table_sweep(const struct pike_limits *lim, unsigned long long now,
    pike_cb unblocked, void *arg)
{
	unsigned long long idle = lim->latency_ms > 2 * lim->unit_ms
	    ? lim->latency_ms : 2 * lim->unit_ms;
	struct pike_info in;
	struct pike_entry *e;
	unsigned int i;
	int j;

	for (i = 0; i < nsets; i++) {
		lock_get(&sets[i].lock);
		for (j = 0; j < PIKE_WAYS; j++) {
			e = &sets[i].e[j];
			if (!e->used)
				continue;
			if (e->blocked && now - e->hot_at >= lim->latency_ms) {
				info_of(e, lim, now, &in);
				unblock(e);
				if (unblocked != NULL)
					unblocked(&in, arg);
			}
			if (!e->blocked && now - e->last_seen >= idle) {
				e->used = 0;
				stats_add(pike_st_tracked, (uint64_t)-1);
			}
		}
		lock_release(&sets[i].lock);
	}
}

/* Call <cb> for every source blocked now (set lock held).  Any
 * process. */
void
pike_table_blocked(const struct pike_limits *lim, unsigned long long now,
    pike_cb cb, void *arg)
{
	struct pike_info in;
	struct pike_entry *e;
	unsigned int i;
	int j;

	for (i = 0; i < nsets; i++) {
		lock_get(&sets[i].lock);
		for (j = 0; j < PIKE_WAYS; j++) {
			e = &sets[i].e[j];
			if (!e->used || !e->blocked
			    || now - e->hot_at >= lim->latency_ms)
				continue;
			info_of(e, lim, now, &in);
			cb(&in, arg);
		}
		lock_release(&sets[i].lock);
	}
}

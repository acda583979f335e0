/*
 * tcp_conn.c: the shared connection index (see tcp_conn.h) and the TCP
 * tunables.  Entries sit in one shm array sized tcp_max_connections with a
 * free list, hashed twice: by id and by (proto, remote address).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/lock.h"
#include "mem/shm.h"
#include "net/net_cfg.h"
#include "net/tcp_conn.h"

int tcp_disable;
int tcp_connection_lifetime = 120;
int tcp_max_connections = 2048;
int tcp_connect_timeout = 10;
int tcp_send_timeout = 10;
int tcp_max_msg_len = 65535;
int tcp_read_buffer_budget;		/* KB per worker, 0: half of -M */
int tcp_max_unfinished_per_ip = 64;

#define TCP_HASH 1024

/*
 * Unfinished work per source address (handshakes and partial messages of
 * accepted connections), estimated with two counter arrays indexed by two
 * hashes of the address: the estimate is the smaller counter, so two
 * sources share a count only if both hashes collide (a count-min sketch;
 * it can only over-count, and increments and decrements cancel exactly).
 */
#define SRC_SLOTS 8192

/* shm */
struct tcp_entry {
	struct tcp_conn_info info;
	int used;
	struct tcp_entry *id_next, *addr_next, *free_next;
};

/* shm; one per server */
struct tcp_index {
	struct lock lock;
	unsigned int next_id;
	int max, count, workers;
	struct tcp_conn_stats st;
	struct tcp_entry *free;
	struct tcp_entry *by_id[TCP_HASH];
	struct tcp_entry *by_addr[TCP_HASH];
	int *load;		/* connections owned, per worker */
	unsigned short src_count[2][SRC_SLOTS];
	int *down;		/* worker died, not yet replaced: assign no
				   connection to it */
	struct tcp_entry entries[];
};

static struct tcp_index *ix;

static unsigned int addr_hash(enum sip_proto proto,
    const union sockaddr_union *su);
#define addr_hash_of(e) addr_hash((e)->info.proto, &(e)->info.remote)

/*
 * Rebuild the hash chains, the free list and the counts from the entries'
 * <used> flags: a process died holding the lock, maybe in the middle of
 * linking or unlinking an entry.  An entry is marked used only once it is
 * filled in, and unused only once it is unlinked, so the flags are right.
 */
static void
rebuild_locked(void)
{
	struct tcp_entry *e;
	unsigned int h;
	int i;

	memset(ix->by_id, 0, sizeof(ix->by_id));
	memset(ix->by_addr, 0, sizeof(ix->by_addr));
	memset(ix->load, 0, sizeof(int) * (size_t)(ix->workers + 1));
	ix->free = NULL;
	ix->count = 0;
	for (i = ix->max - 1; i >= 0; i--) {
		e = &ix->entries[i];
		if (!e->used) {
			e->free_next = ix->free;
			ix->free = e;
			continue;
		}
		e->id_next = ix->by_id[e->info.id % TCP_HASH];
		ix->by_id[e->info.id % TCP_HASH] = e;
		h = addr_hash_of(e);
		e->addr_next = ix->by_addr[h];
		ix->by_addr[h] = e;
		ix->count++;
		if (e->info.owner >= 0 && e->info.owner < ix->workers)
			ix->load[e->info.owner]++;
	}
	ix->st.opened = (unsigned long)ix->count;
	ix->st.recovered++;
}

/* Take the index lock; repair the index if its last holder died. */
static void
ix_lock(void)
{
	if (lock_get(&ix->lock) == 1)
		rebuild_locked();
}

/* Monotonic seconds, for deadlines and ages. */
long
tcp_now(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec;
}

/*
 * Create the index for <max_conns> connections and <workers> owners.
 * Attendant, after shm_init() and before fork.  0 or -1 (out of shm).
 */
int
tcp_index_init(int max_conns, int workers)
{
	int i;

	ix = shm_zalloc(sizeof(*ix) + (size_t)max_conns * sizeof(ix->entries[0]));
	if (ix == NULL)
		return -1;
	if ((ix->load = shm_zalloc(sizeof(int) * (size_t)(workers + 1))) == NULL
	    || (ix->down = shm_zalloc(sizeof(int) * (size_t)(workers + 1)))
		== NULL
	    || lock_init(&ix->lock) == -1) {
		shm_free(ix->down);
		shm_free(ix->load);
		shm_free(ix);
		ix = NULL;
		return -1;
	}
	ix->max = max_conns;
	ix->workers = workers;
	ix->next_id = 1;
	for (i = max_conns - 1; i >= 0; i--) {
		ix->entries[i].free_next = ix->free;
		ix->free = &ix->entries[i];
	}
	return 0;
}

/* Release the index (attendant, at exit). */
void
tcp_index_destroy(void)
{
	if (ix == NULL)
		return;
	lock_destroy(&ix->lock);
	shm_free(ix->down);
	shm_free(ix->load);
	shm_free(ix);
	ix = NULL;
}

static unsigned int
addr_hash(enum sip_proto proto, const union sockaddr_union *su)
{
	struct ip_addr ip;
	unsigned int h = (unsigned int)proto * 31u + su_port(su), i;

	su_to_ip(su, &ip);
	for (i = 0; i < ip.len; i++)
		h = h * 33u + ip.u.addr[i];
	return h % TCP_HASH;
}

/*
 * Add a connection owned by worker <owner>.  Returns its id, or 0 when
 * tcp_max_connections entries are in use.  Any process.
 */
unsigned int
tcp_index_add(enum sip_proto proto, const union sockaddr_union *remote,
    struct socket_info *local, int owner, enum tcp_conn_state state, int cdom)
{
	struct tcp_entry *e;
	unsigned int h, id;

	ix_lock();
	if ((e = ix->free) == NULL) {
		ix->st.refused++;
		lock_release(&ix->lock);
		return 0;
	}
	ix->free = e->free_next;
	id = ix->next_id++;
	if (ix->next_id == 0)
		ix->next_id = 1;
	memset(&e->info, 0, sizeof(e->info));
	e->info.id = id;
	e->info.proto = proto;
	e->info.owner = owner;
	e->info.state = state;
	e->info.remote = *remote;
	e->info.local = local;
	e->info.created = tcp_now();
	e->info.cdom = cdom;
	e->used = 1;
	e->id_next = ix->by_id[id % TCP_HASH];
	ix->by_id[id % TCP_HASH] = e;
	h = addr_hash(proto, remote);
	e->addr_next = ix->by_addr[h];
	ix->by_addr[h] = e;
	ix->count++;
	ix->st.opened++;
	if (owner >= 0 && owner < ix->workers)
		ix->load[owner]++;
	lock_release(&ix->lock);
	return id;
}

static struct tcp_entry *
find_id_locked(unsigned int id)
{
	struct tcp_entry *e;

	for (e = ix->by_id[id % TCP_HASH]; e != NULL; e = e->id_next)
		if (e->info.id == id)
			return e;
	return NULL;
}

static void
unlink_locked(struct tcp_entry *e)
{
	struct tcp_entry **pp;

	for (pp = &ix->by_id[e->info.id % TCP_HASH]; *pp != e;
	     pp = &(*pp)->id_next)
		;
	*pp = e->id_next;
	for (pp = &ix->by_addr[addr_hash(e->info.proto, &e->info.remote)];
	     *pp != e; pp = &(*pp)->addr_next)
		;
	*pp = e->addr_next;
}

/* Forget connection <id> (its owner, when it closes it). */
void
tcp_index_remove(unsigned int id)
{
	struct tcp_entry *e;

	ix_lock();
	if ((e = find_id_locked(id)) != NULL) {
		unlink_locked(e);
		if (e->info.owner >= 0 && e->info.owner < ix->workers)
			ix->load[e->info.owner]--;
		e->used = 0;
		e->free_next = ix->free;
		ix->free = e;
		ix->count--;
		ix->st.opened--;
	}
	lock_release(&ix->lock);
}

/* Record the new <state> of connection <id>. */
void
tcp_index_set_state(unsigned int id, enum tcp_conn_state state)
{
	struct tcp_entry *e;

	ix_lock();
	if ((e = find_id_locked(id)) != NULL)
		e->info.state = state;
	lock_release(&ix->lock);
}

/*
 * Keep connection <id> open at least until <until> (tcp_now() seconds)
 * even when idle: a UA registered over it must stay reachable (usrloc).
 * Any process.  0, or -1 when the connection is gone.
 */
int
tcp_index_keepalive(unsigned int id, long until)
{
	struct tcp_entry *e;

	ix_lock();
	if ((e = find_id_locked(id)) != NULL && e->info.keep_until < until)
		e->info.keep_until = until;
	lock_release(&ix->lock);
	return e != NULL ? 0 : -1;
}

/* Record a one-line description of connection <id> (for management). */
void
tcp_index_set_desc(unsigned int id, const char *desc)
{
	struct tcp_entry *e;

	ix_lock();
	if ((e = find_id_locked(id)) != NULL)
		(void)snprintf(e->info.desc, sizeof(e->info.desc), "%s", desc);
	lock_release(&ix->lock);
}

/*
 * Call <f> with a copy of every entry, outside the lock (copies are taken
 * first, at most 4096 per call).  Stops when <f> returns non-zero.  Returns
 * the number of entries visited.  Any process (management commands).
 */
int
tcp_index_walk(int (*f)(const struct tcp_conn_info *ci, void *arg), void *arg)
{
	struct tcp_conn_info *copy;
	int i, n = 0;

	if ((copy = shm_malloc(sizeof(*copy) * 4096)) == NULL)
		return -1;
	ix_lock();
	for (i = 0; i < ix->max && n < 4096; i++)
		if (ix->entries[i].used)
			copy[n++] = ix->entries[i].info;
	lock_release(&ix->lock);
	for (i = 0; i < n; i++)
		if (f(&copy[i], arg) != 0)
			break;
	shm_free(copy);
	return i;
}

/* Copy the entry of <id> into <out>.  0, or -1 when unknown. */
int
tcp_index_by_id(unsigned int id, struct tcp_conn_info *out)
{
	struct tcp_entry *e;

	ix_lock();
	if ((e = find_id_locked(id)) != NULL)
		*out = e->info;
	lock_release(&ix->lock);
	return e != NULL ? 0 : -1;
}

/*
 * Copy a usable (not closing) connection to <remote> over <proto> into
 * <out>: one the peer opened, or one we opened with client domain <cdom>
 * (never another domain's).  0, or -1 when there is none.
 */
int
tcp_index_by_addr(enum sip_proto proto, const union sockaddr_union *remote,
    int cdom, struct tcp_conn_info *out)
{
	struct tcp_entry *e;
	int rc = -1;

	ix_lock();
	for (e = ix->by_addr[addr_hash(proto, remote)]; e != NULL;
	     e = e->addr_next)
		if (e->info.proto == proto && e->info.state != TCP_CONN_CLOSING
		    && (e->info.cdom == 0 || e->info.cdom == cdom)
		    && su_eq(&e->info.remote, remote)) {
			*out = e->info;
			rc = 0;
			break;
		}
	lock_release(&ix->lock);
	return rc;
}

/*
 * The worker owning the fewest connections, among those alive (any worker
 * if none is: the descriptor then waits in the channel for a replacement).
 */
int
tcp_index_least_loaded(void)
{
	int i, best = -1;

	ix_lock();
	for (i = 0; i < ix->workers; i++)
		if (!ix->down[i] && (best == -1 || ix->load[i] < ix->load[best]))
			best = i;
	lock_release(&ix->lock);
	return best == -1 ? 0 : best;
}

/*
 * Worker <w> died: forget every connection it owned (the kernel closed
 * their descriptors with the process, so the peers see the close and
 * reconnect; lookups by id or address no longer find them, so sends to
 * them fail or open a new connection) and assign it nothing until
 * tcp_index_owner_back().  Attendant.  The number of connections dropped.
 */
int
tcp_index_owner_gone(int w)
{
	struct tcp_entry *e;
	int i, n = 0;

	if (ix == NULL || w < 0 || w >= ix->workers)
		return 0;
	ix_lock();
	ix->down[w] = 1;
	for (i = 0; i < ix->max; i++) {
		e = &ix->entries[i];
		if (!e->used || e->info.owner != w)
			continue;
		unlink_locked(e);
		e->used = 0;
		e->free_next = ix->free;
		ix->free = e;
		ix->count--;
		ix->st.opened--;
		n++;
	}
	ix->load[w] = 0;
	ix->st.dropped += (unsigned long)n;
	lock_release(&ix->lock);
	return n;
}

/* Worker <w> was replaced: assign it connections again.  Attendant. */
void
tcp_index_owner_back(int w)
{
	if (ix == NULL || w < 0 || w >= ix->workers)
		return;
	ix_lock();
	ix->down[w] = 0;
	lock_release(&ix->lock);
}

/* Connections in the index. */
int
tcp_index_count(void)
{
	int n;

	ix_lock();
	n = ix->count;
	lock_release(&ix->lock);
	return n;
}

/* Copy the TCP statistics into <out>. */
void
tcp_index_stats(struct tcp_conn_stats *out)
{
	ix_lock();
	*out = ix->st;
	lock_release(&ix->lock);
}

static unsigned int
src_hash(const union sockaddr_union *su, unsigned int seed)
{
	struct ip_addr ip;
	unsigned int h = seed, i;

	su_to_ip(su, &ip);
	for (i = 0; i < ip.len; i++)
		h = (h ^ ip.u.addr[i]) * 16777619u;	/* FNV-1a */
	return (h ^ (h >> 15)) % SRC_SLOTS;
}

/*
 * Add <delta> (+1 or -1) to the unfinished handshakes and messages of
 * the source address of <su> (port ignored).  Returns the count after
 * the change (an estimate that never under-counts).  Tcp workers.
 */
int
tcp_index_unfinished(const union sockaddr_union *su, int delta)
{
	unsigned int a = src_hash(su, 2166136261u), b = src_hash(su, 40503u);
	unsigned short *ca = &ix->src_count[0][a], *cb = &ix->src_count[1][b];
	int n;

	ix_lock();
	if (delta > 0) {
		if (*ca < 65535)
			(*ca)++;
		if (*cb < 65535)
			(*cb)++;
	} else {
		if (*ca > 0)
			(*ca)--;
		if (*cb > 0)
			(*cb)--;
	}
	n = *ca < *cb ? *ca : *cb;
	lock_release(&ix->lock);
	return n;
}

/* Count a connection closed for the read-buffer budget or for the
 * per-source limit. */
void
tcp_index_count_drop(int evicted, int over_source_limit)
{
	ix_lock();
	ix->st.evicted += (unsigned long)evicted;
	ix->st.over_source_limit += (unsigned long)over_source_limit;
	lock_release(&ix->lock);
}

/* Count one accept, connect, error and/or refusal. */
void
tcp_index_count_event(int accepted, int connected, int error, int refused)
{
	ix_lock();
	ix->st.accepted += (unsigned long)accepted;
	ix->st.connected += (unsigned long)connected;
	ix->st.errors += (unsigned long)error;
	ix->st.refused += (unsigned long)refused;
	lock_release(&ix->lock);
}

/*
 * shm.c: allocator over one shared mapping.  Blocks carry a header with
 * their size and the size of the block before them, so a freed block merges
 * with free neighbours at once.  Free blocks sit in segregated lists: one
 * list per exact size below SHM_SMALL (16-byte steps), and above it eight
 * lists per power of two.  A bitmap of non-empty lists makes allocation
 * constant time: the first non-empty list whose every block fits, first
 * block of it, the rest split off.  (Walking a power-of-two list for a
 * fitting block cost a third of the CPU of a TLS call benchmark.)  The
 * mapping is made before
 * fork, so it sits at the same address in every process and raw pointers
 * are valid everywhere.  Under ASan freed payloads are poisoned.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "lib/lock.h"
#include "mem/shm.h"

#if defined(__SANITIZE_ADDRESS__)
#include <pthread.h>
#include <sanitizer/asan_interface.h>
/*
 * ASan's shadow memory is private to each process, so what one process
 * allocates in shm after fork still looks poisoned to the others (usrloc
 * contacts saved by a receiver, read by the timer).  Poisoning is kept in
 * the attendant before fork; after the first fork every process, the
 * attendant included (its children change the arena under it), unpoisons
 * the whole arena once (pthread_atfork) and never poisons again.
 */
static int shm_no_poison;
#define POISON(p, n)                                        \
	do {                                                \
		if (!shm_no_poison)                         \
			ASAN_POISON_MEMORY_REGION((p), (n)); \
	} while (0)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n)   ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define SHM_ALIGN   16
#define SHM_USED    ((size_t)1)
/* exact-size lists below SHM_SMALL, then SHM_SUB lists per power of two */
#define SHM_SMALL_SHIFT 12
#define SHM_SMALL	((size_t)1 << SHM_SMALL_SHIFT)
#define SHM_SUB_SHIFT	3
#define SHM_SUB		(1 << SHM_SUB_SHIFT)
#define SHM_NSMALL	((int)(SHM_SMALL / SHM_ALIGN))
#define SHM_BUCKETS	(SHM_NSMALL + (64 - SHM_SMALL_SHIFT) * SHM_SUB)
#define SHM_MAPWORDS	((SHM_BUCKETS + 63) / 64)

/* shm; one per block, immediately before the payload */
struct shm_block {
	size_t size;		/* whole block incl. header; bit 0 = used */
	size_t prev_size;	/* previous physical block, 0 for the first */
	struct shm_block *next;	/* bucket list (free blocks) */
	union {
		struct shm_block *prev;	/* bucket list (free blocks) */
		size_t req;		/* bytes asked for (used blocks) */
	} u;
};

/* shm; at the start of the mapping */
struct shm_arena {
	struct lock lock;
	int corrupt;		/* set once, never cleared: see shm_corrupt() */
	unsigned long repaired;	/* lock recoveries that rebuilt the lists */
	struct mem_stats st;
	char *start, *end;	/* block area */
	uint64_t map[SHM_MAPWORDS];	/* bit set: bucket non-empty */
	struct shm_block *bucket[SHM_BUCKETS];
};

#define HDR	  ((sizeof(struct shm_block) + SHM_ALIGN - 1) & ~(size_t)(SHM_ALIGN - 1))
#define MIN_BLOCK (HDR + SHM_ALIGN)

static struct shm_arena *arena;
static size_t map_size;

static size_t
bsize(const struct shm_block *b)
{
	return b->size & ~SHM_USED;
}

static int
floor_log2(size_t size)
{
	return 63 - __builtin_clzll((unsigned long long)size);
}

/* the list a free block of <size> bytes (a multiple of SHM_ALIGN) sits on */
static int
bucket_of(size_t size)
{
	int fl;

	if (size < SHM_SMALL)
		return (int)(size / SHM_ALIGN);
	fl = floor_log2(size);
	return SHM_NSMALL + (fl - SHM_SMALL_SHIFT) * SHM_SUB
	    + (int)((size >> (fl - SHM_SUB_SHIFT)) & (SHM_SUB - 1));
}

/*
 * The first list whose every block holds <need> bytes: <need> rounded up
 * to the next list boundary.  SHM_BUCKETS when none can.
 */
static int
bucket_fitting(size_t need)
{
	size_t step;

	if (need < SHM_SMALL)
		return (int)(need / SHM_ALIGN);
	step = ((size_t)1 << (floor_log2(need) - SHM_SUB_SHIFT)) - 1;
	if (need + step < need)
		return SHM_BUCKETS;
	return bucket_of((need + step) & ~step);
}

static void
map_set(int i, int on)
{
	uint64_t bit = (uint64_t)1 << (i % 64);

	if (on)
		arena->map[i / 64] |= bit;
	else
		arena->map[i / 64] &= ~bit;
}

static struct shm_block *
next_block(struct shm_block *b)
{
	char *n = (char *)b + bsize(b);

	return n < arena->end ? (struct shm_block *)n : NULL;
}

static void
bucket_insert(struct shm_block *b)
{
	int i = bucket_of(bsize(b));

	b->u.prev = NULL;
	b->next = arena->bucket[i];
	if (b->next != NULL)
		b->next->u.prev = b;
	arena->bucket[i] = b;
	map_set(i, 1);
}

static void
bucket_remove(struct shm_block *b)
{
	int i;

	if (b->u.prev != NULL) {
		b->u.prev->next = b->next;
	} else {
		i = bucket_of(bsize(b));
		arena->bucket[i] = b->next;
		if (b->next == NULL)
			map_set(i, 0);
	}
	if (b->next != NULL)
		b->next->u.prev = b->u.prev;
}

/*
 * Block <x> follows <p> but its prev_size disagrees with <p>'s size: a
 * split or merge was interrupted after some sizes were written and before
 * the others (a free may merge with both neighbours).  Follow prev_size
 * back from <x>, at most four blocks: if the links land exactly on <p>,
 * the blocks on the way still exist; give each the size its follower's
 * prev_size says (the rebuild then merges free neighbours).  0, or -1
 * when the links do not lead to <p>.
 */
static int
fix_prev_locked(struct shm_block *p, struct shm_block *x)
{
	struct shm_block *chain[5];
	size_t link;
	int k = 0, i;

	chain[0] = x;
	while (chain[k] != p) {
		link = chain[k]->prev_size;
		if (k == 4 || link < MIN_BLOCK || link % SHM_ALIGN != 0
		    || (size_t)((char *)chain[k] - (char *)p) < link)
			return -1;
		chain[k + 1] = (struct shm_block *)((char *)chain[k] - link);
		k++;
	}
	if (k < 2)
		return -1;	/* x->prev_size already names p: not this */
	for (i = k; i >= 1; i--)
		chain[i]->size = (size_t)((char *)chain[i - 1]
		    - (char *)chain[i]) | (chain[i]->size & SHM_USED);
	return 0;
}

/*
 * A process died holding the arena lock, maybe in the middle of a malloc
 * or a free.  Walk the blocks, undoing a half-done split or merge (see
 * fix_prev_locked()); if they then tile the arena, rebuild the free lists,
 * the bitmap and the figures from them, merging free neighbours left by
 * an interrupted free: the arena is whole again (a block being allocated
 * for the dead process leaks).  If not, mark the arena corrupt: the
 * caller stops, and the attendant shuts the server down instead of
 * replacing the process.
 */
static void
repair_locked(void)
{
	struct shm_block *b, *prev = NULL, *n;
	size_t size = arena->st.size;
	int fixes = 0;

	b = (struct shm_block *)arena->start;
	while (b != NULL) {
		if (bsize(b) < MIN_BLOCK
		    || (size_t)(arena->end - (char *)b) < bsize(b))
			goto corrupt;
		if (b->prev_size != (prev != NULL ? bsize(prev) : 0)) {
			if (prev == NULL || ++fixes > 4
			    || fix_prev_locked(prev, b) == -1)
				goto corrupt;
			b = next_block(prev);	/* the block found inside */
			continue;
		}
		prev = b;
		b = next_block(b);
	}
	memset(arena->map, 0, sizeof(arena->map));
	memset(arena->bucket, 0, sizeof(arena->bucket));
	arena->st.used = arena->st.real_used = arena->st.fragments = 0;
	arena->st.size = size;
	prev = NULL;
	for (b = (struct shm_block *)arena->start; b != NULL; b = next_block(b)) {
		if (b->size & SHM_USED) {
			arena->st.used += b->u.req;
			arena->st.real_used += bsize(b);
			arena->st.fragments++;
			prev = b;
			continue;
		}
		if (prev != NULL && !(prev->size & SHM_USED)) {
			prev->size += bsize(b);	/* interrupted merge */
			if ((n = next_block(prev)) != NULL)
				n->prev_size = bsize(prev);
			b = prev;
			continue;
		}
		prev = b;
	}
	for (b = (struct shm_block *)arena->start; b != NULL; b = next_block(b))
		if (!(b->size & SHM_USED))
			bucket_insert(b);
	arena->repaired++;
	return;
corrupt:
	__atomic_store_n(&arena->corrupt, 1, __ATOMIC_SEQ_CST);
}

/* Take the arena lock; repair the arena if its last holder died. */
static void
arena_lock(void)
{
	if (lock_get(&arena->lock) == 1)
		repair_locked();
	if (__atomic_load_n(&arena->corrupt, __ATOMIC_SEQ_CST))
		abort();	/* nothing in shm can be trusted any more */
}

/*
 * 1 once the arena was found corrupt (a process died in the middle of
 * changing it, or a double free): the process that found it aborted; the
 * attendant must shut down rather than start a replacement.  Lock-free.
 */
int
shm_corrupt(void)
{
	return arena != NULL
	    && __atomic_load_n(&arena->corrupt, __ATOMIC_SEQ_CST) != 0;
}

/* Times the arena was rebuilt after a process died holding its lock. */
unsigned long
shm_repaired(void)
{
	return arena != NULL ? __atomic_load_n(&arena->repaired,
	    __ATOMIC_RELAXED) : 0;
}

#if defined(__SANITIZE_ADDRESS__)
static void
shm_atfork_child(void)
{
	shm_no_poison = 1;
	if (arena != NULL)
		UNPOISON(arena, map_size);
}
#endif

/*
 * Map <size> bytes shared and anonymous and make them one free block.
 * Attendant only, before fork.  0 or -1.
 */
int
shm_init(size_t size)
{
	struct shm_block *b;
	void *p;
	size_t hdr = (sizeof(*arena) + SHM_ALIGN - 1) & ~(size_t)(SHM_ALIGN - 1);

	if (arena != NULL || size < hdr + MIN_BLOCK * 4)
		return -1;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	    -1, 0);
	if (p == MAP_FAILED)
		return -1;
	map_size = size;
	arena = p;
	memset(arena, 0, sizeof(*arena));
	if (lock_init(&arena->lock) == -1) {
		(void)munmap(p, size);
		arena = NULL;
		return -1;
	}
	arena->start = (char *)p + hdr;
	arena->end = arena->start + ((size - hdr) & ~(size_t)(SHM_ALIGN - 1));
	arena->st.size = (size_t)(arena->end - arena->start);
	b = (struct shm_block *)arena->start;
	b->size = arena->st.size;
	b->prev_size = 0;
	bucket_insert(b);
	POISON((char *)b + HDR, bsize(b) - HDR);
#if defined(__SANITIZE_ADDRESS__)
	(void)pthread_atfork(NULL, shm_atfork_child, shm_atfork_child);
#endif
	return 0;
}

/* Unmap the arena.  Attendant only, after every child has exited. */
void
shm_destroy(void)
{
	if (arena == NULL)
		return;
	lock_destroy(&arena->lock);
	UNPOISON(arena, map_size);
	(void)munmap(arena, map_size);
	arena = NULL;
}

/*
 * The first block of the first non-empty list that surely fits <need>;
 * failing that, a fitting block of <need>'s own list (a request for nearly
 * the largest free block), else NULL.
 */
static struct shm_block *
find_fit(size_t need)
{
	struct shm_block *b;
	uint64_t w;
	int i = bucket_fitting(need), k;

	if (i < SHM_BUCKETS) {
		k = i / 64;
		w = arena->map[k] & (~(uint64_t)0 << (i % 64));
		while (w == 0 && ++k < SHM_MAPWORDS)
			w = arena->map[k];
		if (w != 0)
			return arena->bucket[k * 64 + __builtin_ctzll(w)];
	}
	for (b = arena->bucket[bucket_of(need)]; b != NULL; b = b->next)
		if (bsize(b) >= need)
			return b;
	return NULL;
}

static void *
alloc_locked(size_t size)
{
	struct shm_block *b, *rest, *n;
	size_t need;

	need = (size + HDR + SHM_ALIGN - 1) & ~(size_t)(SHM_ALIGN - 1);
	if (need < size || (b = find_fit(need)) == NULL) {
		arena->st.failed++;
		return NULL;
	}
	bucket_remove(b);
	if (bsize(b) - need >= MIN_BLOCK) {
		rest = (struct shm_block *)((char *)b + need);
		UNPOISON(rest, HDR);
		rest->size = bsize(b) - need;
		rest->prev_size = need;
		if ((n = next_block(rest)) != NULL)
			n->prev_size = rest->size;
		b->size = need;
		bucket_insert(rest);
	}
	b->size |= SHM_USED;
	b->u.req = size;
	arena->st.used += size;
	arena->st.real_used += bsize(b);
	arena->st.fragments++;
	if (arena->st.real_used > arena->st.max_used)
		arena->st.max_used = arena->st.real_used;
	UNPOISON((char *)b + HDR, size);
	return (char *)b + HDR;
}

/* <size> bytes of shared memory, or NULL when the arena is full. */
void *
shm_malloc(size_t size)
{
	void *p;

	arena_lock();
	p = alloc_locked(size);
	lock_release(&arena->lock);
	return p;
}

/* shm_malloc() and zero-fill. */
void *
shm_zalloc(size_t size)
{
	void *p = shm_malloc(size);

	if (p != NULL)
		memset(p, 0, size);
	return p;
}

static size_t
payload_size(const struct shm_block *b)
{
	return bsize(b) - HDR;
}

static void
free_locked(void *p)
{
	struct shm_block *b = (struct shm_block *)((char *)p - HDR), *n, *pv;

	if (!(b->size & SHM_USED)) {
		/* double free: a broken invariant in shared memory */
		__atomic_store_n(&arena->corrupt, 1, __ATOMIC_SEQ_CST);
		abort();
	}
	b->size &= ~SHM_USED;
	arena->st.used -= b->u.req;
	arena->st.real_used -= bsize(b);
	arena->st.fragments--;
	if ((n = next_block(b)) != NULL && !(n->size & SHM_USED)) {
		bucket_remove(n);
		b->size += bsize(n);
	}
	if (b->prev_size != 0) {
		pv = (struct shm_block *)((char *)b - b->prev_size);
		if (!(pv->size & SHM_USED)) {
			bucket_remove(pv);
			pv->size += bsize(b);
			b = pv;
		}
	}
	if ((n = next_block(b)) != NULL)
		n->prev_size = bsize(b);
	bucket_insert(b);
	POISON((char *)b + HDR, payload_size(b));
}

/* Release <p>; NULL is fine. */
void
shm_free(void *p)
{
	if (p == NULL)
		return;
	arena_lock();
	free_locked(p);
	lock_release(&arena->lock);
}

/* Resize <p>; NULL on failure with <p> intact. */
void *
shm_realloc(void *p, size_t size)
{
	struct shm_block *b;
	void *n;
	size_t have;

	if (p == NULL)
		return shm_malloc(size);
	b = (struct shm_block *)((char *)p - HDR);
	arena_lock();
	have = b->u.req;
	if (payload_size(b) >= size) {
		UNPOISON(p, size);
		arena->st.used += size - have;
		b->u.req = size;
		lock_release(&arena->lock);
		return p;
	}
	if ((n = alloc_locked(size)) != NULL) {
		memcpy(n, p, have);
		free_locked(p);
	}
	lock_release(&arena->lock);
	return n;
}

/* NUL-terminated shm copy of <len> bytes at <s>, or NULL. */
char *
shm_strndup(const char *s, size_t len)
{
	char *p = shm_malloc(len + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* Copy the arena's figures into <st>. */
void
shm_stats_get(struct mem_stats *st)
{
	arena_lock();
	*st = arena->st;
	lock_release(&arena->lock);
}

/*
 * Walk every block: sizes must tile the arena, prev_size must match and no
 * two free blocks may be neighbours.  0 when consistent, -1 otherwise.
 */
int
shm_check(void)
{
	struct shm_block *b, *prev = NULL;
	int rc = 0;

	arena_lock();
	for (b = (struct shm_block *)arena->start; b != NULL;
	     prev = b, b = next_block(b)) {
		if (bsize(b) < MIN_BLOCK || (char *)b + bsize(b) > arena->end
		    || b->prev_size != (prev != NULL ? bsize(prev) : 0)
		    || (prev != NULL && !(prev->size & SHM_USED)
			&& !(b->size & SHM_USED))) {
			rc = -1;
			break;
		}
	}
	lock_release(&arena->lock);
	return rc;
}

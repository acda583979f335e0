/*
 * pkg.c: per-process allocator.  Blocks come from the C library with a
 * small header that records their size, so each process can count what it
 * uses and refuse to go past its budget (OpenSER's PKG_MEM_POOL_SIZE).
 * Process-private: after fork each child keeps counting on its own copy.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem/pkg.h"
#include "mem/shm.h"

/* the header keeps the returned pointer aligned for any type */
struct pkg_hdr {
	size_t size;
	size_t magic;
};

#define PKG_MAGIC ((size_t)0x706b6721u)

/*
 * This process's figures: private until pkg_stats_attach() moves them to
 * the process's slot in shm, where management commands of any process
 * read them.  Only the owning process writes its slot (no lock: readers
 * may see a figure one allocation old).
 */
static struct mem_stats own = { .size = (size_t)PKG_MEM_DEFAULT_MB << 20 };
static struct mem_stats *cur = &own;
static struct mem_stats *slots;	/* shm, one per process, or NULL */
static int nslots;

#define st (*cur)

/* Set the per-process budget to <size> bytes.  0 or -1 (size 0). */
int
pkg_init(size_t size)
{
	if (size == 0)
		return -1;
	st.size = size;
	return 0;
}

static int
pkg_reserve(size_t size)
{
	size_t real = size + sizeof(struct pkg_hdr);

	if (real < size || st.real_used + real > st.size) {
		st.failed++;
		return -1;
	}
	return 0;
}

static void
pkg_account(size_t size, int sign)
{
	size_t real = size + sizeof(struct pkg_hdr);

	if (sign > 0) {
		st.used += size;
		st.real_used += real;
		st.fragments++;
		if (st.real_used > st.max_used)
			st.max_used = st.real_used;
	} else {
		st.used -= size;
		st.real_used -= real;
		st.fragments--;
	}
}

/* <size> bytes of per-process memory, or NULL when over budget. */
void *
pkg_malloc(size_t size)
{
	struct pkg_hdr *h;

	if (pkg_reserve(size) == -1)
		return NULL;
	if ((h = malloc(sizeof(*h) + size)) == NULL) {
		st.failed++;
		return NULL;
	}
	h->size = size;
	h->magic = PKG_MAGIC;
	pkg_account(size, 1);
	return h + 1;
}

/* pkg_malloc() and zero-fill. */
void *
pkg_zalloc(size_t size)
{
	void *p = pkg_malloc(size);

	if (p != NULL)
		memset(p, 0, size);
	return p;
}

/* Resize <p> (NULL: allocate).  NULL on failure, <p> left intact. */
void *
pkg_realloc(void *p, size_t size)
{
	struct pkg_hdr *h, *n;

	if (p == NULL)
		return pkg_malloc(size);
	h = (struct pkg_hdr *)p - 1;
	if (size > h->size && pkg_reserve(size - h->size) == -1)
		return NULL;
	if ((n = realloc(h, sizeof(*n) + size)) == NULL) {
		st.failed++;
		return NULL;
	}
	pkg_account(n->size, -1);
	n->size = size;
	pkg_account(size, 1);
	return n + 1;
}

/* Release <p>; NULL is fine. */
void
pkg_free(void *p)
{
	struct pkg_hdr *h;

	if (p == NULL)
		return;
	h = (struct pkg_hdr *)p - 1;
	if (h->magic != PKG_MAGIC)
		abort(); /* double free or foreign pointer: stop here */
	h->magic = 0;
	pkg_account(h->size, -1);
	free(h);
}

/* NUL-terminated pkg copy of <len> bytes at <s>, or NULL. */
char *
pkg_strndup(const char *s, size_t len)
{
	char *p = pkg_malloc(len + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* Copy this process's figures into <out>. */
void
pkg_stats_get(struct mem_stats *out)
{
	*out = st;
}

/*
 * Room in shm for the figures of <n> processes (slot = process table
 * index).  Attendant, after shm_init() and before fork.  0 or -1.
 */
int
pkg_stats_share(int n)
{
	if (n <= 0 || (slots = shm_zalloc(sizeof(*slots) * (size_t)n)) == NULL)
		return -1;
	nslots = n;
	return 0;
}

/*
 * Publish this process's figures in slot <i> from now on.  First thing
 * in a new process (before it allocates): a child inherits its parent's
 * slot pointer along with its heap.
 */
void
pkg_stats_attach(int i)
{
	struct mem_stats now = st;

	if (slots == NULL || i < 0 || i >= nslots) {
		own = now;
		cur = &own;
		return;
	}
	slots[i] = now;
	cur = &slots[i];
}

/* The figures of the process in slot <i>.  0, or -1 if there is none. */
int
pkg_stats_of(int i, struct mem_stats *out)
{
	if (slots == NULL || i < 0 || i >= nslots)
		return -1;
	*out = slots[i];
	return 0;
}

/*
 * Unit tests for mem/shm.c: allocation, coalescing, exhaustion (NULL, not
 * a crash), statistics, reuse of freed holes by size, a random mix of
 * sizes across every kind of free list, and use from two processes.
 */
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mem/shm.h"
#include "test/lib/tap.h"

static void
test_shm_basic(void)
{
	struct mem_stats st;
	char *a, *b, *c;

	a = shm_malloc(100);
	b = shm_malloc(1000);
	c = shm_zalloc(50);
	ok(a != NULL && b != NULL && c != NULL, "three allocations succeed");
	ok(((uintptr_t)a % 16) == 0 && ((uintptr_t)b % 16) == 0,
	    "blocks are 16-byte aligned");
	ok(c[0] == 0 && c[49] == 0, "zalloc zero-fills");
	memset(a, 'x', 100);
	memset(b, 'y', 1000);
	ok(a[99] == 'x' && b[0] == 'y', "blocks do not overlap");
	shm_stats_get(&st);
	is_int(st.fragments, 3, "three live fragments");
	shm_free(b);
	shm_free(a);
	shm_free(c);
	shm_free(NULL);
	shm_stats_get(&st);
	is_int(st.fragments, 0, "all freed");
	is_int(st.used, 0, "used back to 0");
	ok(shm_check() == 0, "arena consistent after frees (coalesced)");
}

static void
test_shm_exhaustion(void)
{
	struct mem_stats st;
	void *p[4096];
	int n = 0, i;

	while (n < 4096 && (p[n] = shm_malloc(4096)) != NULL)
		n++;
	ok(n > 100 && n < 4096, "arena fills up and then returns NULL");
	shm_stats_get(&st);
	ok(st.failed >= 1, "failed allocation counted");
	for (i = 0; i < n; i += 2)
		shm_free(p[i]);
	for (i = 1; i < n; i += 2)
		shm_free(p[i]);
	ok(shm_check() == 0, "arena consistent after freeing in odd order");
	p[0] = shm_malloc(st.size / 2);
	ok(p[0] != NULL, "big block fits again: free space merged");
	shm_free(p[0]);
}

static void
test_shm_realloc(void)
{
	char *a = shm_malloc(10), *b;

	memcpy(a, "0123456789", 10);
	b = shm_realloc(a, 5000);
	ok(b != NULL && memcmp(b, "0123456789", 10) == 0,
	    "realloc keeps the content");
	shm_free(b);
}

/*
 * A freed hole of the requested size is reused before the big free block
 * is split, and holes too small are skipped without being handed out.
 */
static void
test_shm_reuse(void)
{
	enum { N = 200 };
	char *small[N], *sep[N], *p, *big;
	int i, inside;

	for (i = 0; i < N; i++) {
		small[i] = shm_malloc(600);
		sep[i] = shm_malloc(16);	/* keeps the holes apart */
	}
	for (i = 0; i < N; i++)
		shm_free(small[i]);
	big = shm_malloc(900);	/* no 600-byte hole fits 900 */
	inside = 0;
	for (i = 0; i < N; i++)
		if (big >= small[i] && big < small[i] + 600)
			inside = 1;
	ok(big != NULL && !inside, "a too-small hole is never returned");
	p = shm_malloc(600);
	inside = 0;
	for (i = 0; i < N; i++)
		if (p == small[i])
			inside = 1;
	ok(inside, "an exact-size hole is reused");
	shm_free(p);
	shm_free(big);
	for (i = 0; i < N; i++)
		shm_free(sep[i]);
	ok(shm_check() == 0, "arena consistent after the hole test");
}

/* sizes from 1 byte to 64 KB, freed in random order, contents checked */
static void
test_shm_random(void)
{
	enum { SLOTS = 256, ROUNDS = 20000 };
	static char *slot[SLOTS];
	static size_t len[SLOTS];
	uint32_t x = 12345;
	int i, r, bad = 0, fails = 0;
	size_t n, k;
	struct mem_stats st;
	char *big;

	for (r = 0; r < ROUNDS; r++) {
		x = x * 1103515245u + 12345u;
		i = (int)((x >> 8) % SLOTS);
		if (slot[i] != NULL) {
			for (k = 0; k < len[i]; k++)
				if (slot[i][k] != (char)(i + (int)k))
					bad++;
			shm_free(slot[i]);
			slot[i] = NULL;
			continue;
		}
		x = x * 1103515245u + 12345u;
		n = (size_t)1 << ((x >> 10) % 16);	/* 1 byte .. 64 KB */
		n += (x >> 4) % n;
		if ((slot[i] = shm_malloc(n)) == NULL) {
			fails++;
			continue;
		}
		len[i] = n;
		for (k = 0; k < n; k++)
			slot[i][k] = (char)(i + (int)k);
	}
	for (i = 0; i < SLOTS; i++)
		shm_free(slot[i]);
	is_int(bad, 0, "random mix: no block overwrote another");
	ok(fails < ROUNDS / 100, "random mix: allocations fit (few failures)");
	shm_stats_get(&st);
	ok(shm_check() == 0 && st.fragments == 0 && st.used == 0,
	    "random mix: all merged back, nothing leaked");
	big = shm_malloc(st.size - 64);
	ok(big != NULL, "random mix: nearly the whole arena fits in one block");
	shm_free(big);
}

static void
test_shm_shared(void)
{
	int *v = shm_zalloc(sizeof(int)), st;
	pid_t pid;

	if ((pid = fork()) == 0) {
		void *q = shm_malloc(64);

		*v = 42;
		shm_free(q);
		_exit(0);
	}
	(void)waitpid(pid, &st, 0);
	is_int(*v, 42, "a child's write is seen by the parent");
	ok(shm_check() == 0, "child's alloc/free kept the arena consistent");
	shm_free(v);
}

int
main(void)
{
	plan(22);
	if (shm_init(4 << 20) == -1)
		return 1;
	test_shm_basic();
	test_shm_exhaustion();
	test_shm_realloc();
	test_shm_reuse();
	test_shm_random();
	test_shm_shared();
	shm_destroy();
	return done_testing();
}

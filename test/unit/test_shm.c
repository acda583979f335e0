/*
 * Unit tests for mem/shm.c: allocation, coalescing, exhaustion (NULL, not
 * a crash), statistics, and use from two processes.
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
	plan(15);
	if (shm_init(4 << 20) == -1)
		return 1;
	test_shm_basic();
	test_shm_exhaustion();
	test_shm_realloc();
	test_shm_shared();
	shm_destroy();
	return done_testing();
}

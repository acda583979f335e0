/*
 * Unit tests for what a process killed by the attendant's children leaves
 * behind: lib/lock.c reports a lock recovered from a dead owner; the
 * connection index (net/tcp_conn.c) forgets a dead worker's connections,
 * assigns nothing to it until it is replaced, and stays consistent when
 * a process is killed at any point while adding and removing entries.
 */
#include <arpa/inet.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/lock.h"
#include "mem/shm.h"
#include "net/tcp_conn.h"
#include "test/lib/tap.h"

static void
test_lock_dead_owner(void)
{
	struct lock *l = shm_zalloc(sizeof(*l));
	pid_t pid;
	int st;

	ok(l != NULL && lock_init(l) == 0, "lock in shm");
	is_int(lock_get(l), 0, "free lock: taken normally");
	lock_release(l);
	if ((pid = fork()) == 0) {
		(void)lock_get(l);
		_exit(0);	/* dies holding it */
	}
	(void)waitpid(pid, &st, 0);
	is_int(lock_get(l), 1, "owner died: taken and reported recovered");
	lock_release(l);
	is_int(lock_get(l), 0, "consistent again afterwards");
	lock_release(l);
	lock_destroy(l);
	shm_free(l);
}

static void
addr(union sockaddr_union *su, int port)
{
	memset(su, 0, sizeof(*su));
	su->sin.sin_family = AF_INET;
	su->sin.sin_port = htons((unsigned short)port);
	su->sin.sin_addr.s_addr = htonl(0x7f000001);
}

static int
count_cb(const struct tcp_conn_info *ci, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static void
test_owner_gone(void)
{
	union sockaddr_union su;
	struct tcp_conn_info ci;
	unsigned int id[6];
	int i, n = 0, dropped;

	for (i = 0; i < 6; i++) {
		addr(&su, 5000 + i);
		id[i] = tcp_index_add(PROTO_TCP, &su, NULL, i % 3,
		    TCP_CONN_OPEN, 0);
	}
	ok(id[0] != 0 && id[5] != 0, "six connections over three workers");
	dropped = tcp_index_owner_gone(1);
	is_int(dropped, 2, "worker 1 died: its two connections dropped");
	ok(tcp_index_by_id(id[1], &ci) == -1 && tcp_index_by_id(id[4], &ci)
	    == -1, "they are no longer found by id");
	addr(&su, 5001);
	ok(tcp_index_by_addr(PROTO_TCP, &su, 0, &ci) == -1,
	    "nor by address");
	ok(tcp_index_by_id(id[0], &ci) == 0 && tcp_index_by_id(id[5], &ci)
	    == 0, "the other workers' connections stay");
	is_int(tcp_index_count(), 4, "four left");
	(void)tcp_index_walk(count_cb, &n);
	is_int(n, 4, "walk sees four");
	ok(tcp_index_least_loaded() != 1, "the dead worker (load 0) gets "
	    "nothing");
	tcp_index_owner_back(1);
	is_int(tcp_index_least_loaded(), 1, "its replacement gets the next "
	    "one");
	for (i = 0; i < 6; i++)
		tcp_index_remove(id[i]);
	is_int(tcp_index_count(), 0, "all removed");
}

static int
check_cb(const struct tcp_conn_info *ci, void *arg)
{
	struct tcp_conn_info a, b;
	int *bad = arg;

	if (tcp_index_by_id(ci->id, &a) == -1
	    || tcp_index_by_addr(ci->proto, &ci->remote, 0, &b) == -1)
		(*bad)++;
	return 0;
}

/*
 * A child adds and removes connections in a loop and is killed at varied
 * moments, sometimes holding the index lock: the index must stay whole.
 */
static void
test_killed_while_updating(void)
{
	struct tcp_conn_stats st;
	union sockaddr_union su;
	struct timespec ts;
	unsigned int ids[16];
	int round, i, bad = 0, n = 0, walked = 0, mismatch = 0;
	pid_t pid;

	for (round = 0; round < 40; round++) {
		if ((pid = fork()) == 0) {
			for (;;) {
				for (i = 0; i < 16; i++) {
					addr(&su, 6000 + i);
					ids[i] = tcp_index_add(PROTO_TCP, &su,
					    NULL, i % 3, TCP_CONN_OPEN, 0);
				}
				for (i = 0; i < 16; i++)
					tcp_index_remove(ids[i]);
			}
		}
		ts.tv_sec = 0;
		ts.tv_nsec = 200000L + 37000L * round;
		(void)nanosleep(&ts, NULL);
		(void)kill(pid, SIGKILL);
		(void)waitpid(pid, NULL, 0);
		n = 0;
		walked = tcp_index_walk(check_cb, &bad);
		(void)tcp_index_walk(count_cb, &n);
		if (n != tcp_index_count() || walked != n)
			mismatch++;
		/* empty it for the next round */
		(void)tcp_index_owner_gone(0);
		(void)tcp_index_owner_gone(1);
		(void)tcp_index_owner_gone(2);
		tcp_index_owner_back(0);
		tcp_index_owner_back(1);
		tcp_index_owner_back(2);
		if (tcp_index_count() != 0)
			mismatch++;
	}
	is_int(bad, 0, "every entry left is found by id and by address");
	is_int(mismatch, 0, "the count matches the entries, every round");
	addr(&su, 7000);
	ok(tcp_index_add(PROTO_TCP, &su, NULL, 0, TCP_CONN_OPEN, 0) != 0,
	    "the index still adds");
	tcp_index_stats(&st);
	printf("# index rebuilt %lu time(s) in 40 kills\n", st.recovered);
}

/* In a child: does the arena work?  Exits 0 when consistent. */
static void
shm_probe(void)
{
	void *p = shm_malloc(100);

	shm_free(p);
	_exit(p != NULL && shm_check() == 0 ? 0 : 1);
}

/*
 * A child allocates and frees in a loop and is killed at varied moments,
 * sometimes holding the arena lock: afterwards the arena is either whole
 * (rebuilt if needed) or, when the kill broke the block chain itself,
 * flagged corrupt so that the attendant shuts down; never silently broken.
 */
static void
test_shm_killed_while_updating(void)
{
	struct timespec ts;
	void *p[32];
	int round, i, st, whole = 0, flagged = 0, other = 0;
	pid_t pid;

	for (round = 0; round < 40 && !shm_corrupt(); round++) {
		if ((pid = fork()) == 0) {
			for (;;) {
				for (i = 0; i < 32; i++)
					p[i] = shm_malloc((size_t)(16 + i * 40));
				for (i = 0; i < 32; i += 2)
					shm_free(p[i]);
				for (i = 1; i < 32; i += 2)
					shm_free(p[i]);
			}
		}
		ts.tv_sec = 0;
		ts.tv_nsec = 200000L + 37000L * round;
		(void)nanosleep(&ts, NULL);
		(void)kill(pid, SIGKILL);
		(void)waitpid(pid, NULL, 0);
		if ((pid = fork()) == 0)
			shm_probe();
		(void)waitpid(pid, &st, 0);
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			whole++;
		else if (WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT
		    && shm_corrupt())
			flagged++;
		else
			other++;
	}
	is_int(other, 0, "after every kill the arena is whole or flagged "
	    "corrupt");
	ok(whole + flagged == round, "every round checked");
	printf("# arena rebuilt %lu time(s); %d whole, %d flagged corrupt\n",
	    shm_repaired(), whole, flagged);
}

int
main(void)
{
	plan(19);
	if (shm_init(4 << 20) == -1 || tcp_index_init(64, 3) == -1)
		return 1;
	test_lock_dead_owner();
	test_owner_gone();
	test_killed_while_updating();
	tcp_index_destroy();
	test_shm_killed_while_updating();	/* last: may leave it corrupt */
	if (!shm_corrupt())
		shm_destroy();
	return done_testing();
}

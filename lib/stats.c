/*
 * stats.c: the counter registry (see stats.h).  Values live in one
 * anonymous shared mapping made by stats_init(), before fork.
 */
#include <string.h>
#include <sys/mman.h>

#include "lib/stats.h"

static struct stat_var vars[STATS_MAX];
static int nvars;
static uint64_t *values;

/*
 * Register counter <group>:<name> (static strings).  Before stats_init(),
 * in the attendant.  The counter, or NULL when the table is full.  A name
 * registered twice returns the same counter.
 */
struct stat_var *
stats_register(const char *group, const char *name)
{
	struct stat_var *s;

	if ((s = stats_find(group, name)) != NULL)
		return s;
	if (nvars == STATS_MAX || values != NULL)
		return NULL;
	s = &vars[nvars++];
	s->group = group;
	s->name = name;
	return s;
}

/* Map the shared values of every registered counter.  0 or -1. */
int
stats_init(void)
{
	void *p;
	int i;

	p = mmap(NULL, sizeof(uint64_t) * STATS_MAX, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	values = p;
	for (i = 0; i < nvars; i++)
		vars[i].val = &values[i];
	return 0;
}

/* Number of registered counters. */
int
stats_count(void)
{
	return nvars;
}

/* Counter number <i>, or NULL. */
struct stat_var *
stats_get(int i)
{
	return i >= 0 && i < nvars ? &vars[i] : NULL;
}

/* The counter <group>:<name>, or NULL. */
struct stat_var *
stats_find(const char *group, const char *name)
{
	int i;

	for (i = 0; i < nvars; i++)
		if (strcmp(vars[i].group, group) == 0
		    && strcmp(vars[i].name, name) == 0)
			return &vars[i];
	return NULL;
}

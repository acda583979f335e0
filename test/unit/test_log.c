/*
 * Unit tests for lib/log.c: the per-call-site rate limit (LM_*_RL) and its
 * summary line.  The log goes to a temporary file standing in for stderr;
 * the clock is a variable.  Output is TAP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "test/lib/tap.h"

static long fake_now = 1000;

static long
fake_clock(void)
{
	return fake_now;
}

static FILE *logf_;
static long log_off;

/* Lines written since the last call, and whether one contains <needle>. */
static int
new_lines(const char *needle, int *found)
{
	char line[1400];
	int n = 0;

	fflush(logf_);
	if (fseek(logf_, log_off, SEEK_SET) != 0)
		return -1;
	*found = 0;
	while (fgets(line, sizeof(line), logf_) != NULL) {
		n++;
		if (needle != NULL && strstr(line, needle) != NULL)
			*found = 1;
	}
	log_off = ftell(logf_);
	return n;
}

static void
flood(int n)
{
	int i;

	for (i = 0; i < n; i++)
		LM_ERR_RL("peer 192.0.2.1:%d: out of pkg memory", i);
}

static void
other_site(void)
{
	LM_ERR("an unrelated line");
}

int
main(void)
{
	int found, n;

	plan(12);
	logf_ = tmpfile();
	if (logf_ == NULL || dup2(fileno(logf_), STDERR_FILENO) == -1) {
		printf("Bail out! cannot redirect stderr\n");
		return 1;
	}
	log_stderr = 1;
	log_level = L_INFO;
	log_clock = fake_clock;

	flood(100000);
	n = new_lines(NULL, &found);
	is_int(n, LOG_LIMIT_LINES, "100000 lines from one site: the budget");

	fake_now += 1;
	flood(5);
	other_site();
	n = new_lines("suppressed", &found);
	is_int(n, 1, "within the window: only the other site's line");
	ok(!found, "no summary before the window is over");

	fake_now += LOG_LIMIT_WINDOW;
	flood(1);
	n = new_lines("99985 more lines like the last one from flood "
	    "suppressed", &found);
	is_int(n, 2, "next window: the summary and the new line");
	ok(found, "summary counts every suppressed line, names the site");

	flood(LOG_LIMIT_LINES - 1);
	n = new_lines(NULL, &found);
	is_int(n, LOG_LIMIT_LINES - 1, "a fresh budget in the new window");

	/* the summary comes with another site's line if the flood stops */
	flood(3);
	fake_now += LOG_LIMIT_WINDOW;
	other_site();
	n = new_lines("3 more lines like the last one", &found);
	is_int(n, 2, "another site's line writes the due summary first");
	ok(found, "with the count of 3");
	other_site();
	n = new_lines("suppressed", &found);
	is_int(n, 1, "a summary is written once");
	ok(!found, "and not again");

	/* a disabled level costs nothing and counts nothing */
	log_level = L_CRIT;
	flood(10);
	log_level = L_INFO;
	fake_now += LOG_LIMIT_WINDOW;
	flood(1);
	n = new_lines("suppressed", &found);
	is_int(n, 1, "lines below the level are not counted");
	ok(!found, "so no summary for them");
	return done_testing();
}

/*
 * Torture tests of parser/: every message of test/corpus/rfc4475/valid
 * (RFC 4475 3.1.1) and test/corpus/valid must pass the steps a proxy runs
 * on a request (parse_msg, parse_headers(HDR_EOH_F), parse_sip_msg_uri,
 * To, From, CSeq, Contact) with a Content-Length that fits the body;
 * every message of test/corpus/rfc4475/invalid (3.1.2) must fail one of
 * them or declare more body than it carries.  No pkg memory may be left
 * behind.  Usage: test_msg_rfc4475 [corpus dir], default "test/corpus",
 * run from the repository root.  Output is TAP.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem/pkg.h"
#include "parser/msg_parser.h"
#include "parser/parse_contact.h"
#include "parser/parse_cseq.h"
#include "parser/parse_to.h"
#include "test/lib/tap.h"

#define TEST_MAX_FILES 128

static int
test_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read <path> into a malloc buffer of exactly its size. */
static char *
test_load(const char *path, unsigned int *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0
	    && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n)) != NULL
	    && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf != NULL)
		*len = (unsigned int)n;
	fclose(f);
	return buf;
}

/*
 * Run the proxy's steps on the message at <path>.  Returns the name of
 * the first step that rejected it, or NULL when it was accepted.
 */
static const char *
test_check(const char *path, int *loaded)
{
	struct sip_msg msg;
	unsigned int len, cl;
	const char *fail = NULL;
	char *buf;

	*loaded = 0;
	if ((buf = test_load(path, &len)) == NULL)
		return "load";
	*loaded = 1;
	memset(&msg, 0, sizeof(msg));
	if (parse_msg(buf, len, &msg) < 0)
		fail = "parse_msg";
	else if (parse_headers(&msg, HDR_EOH_F, 0) < 0)
		fail = "parse_headers";
	else if (IS_SIP_REQUEST(&msg) && parse_sip_msg_uri(&msg) < 0)
		fail = "parse_sip_msg_uri";
	else if (parse_to_header(&msg) < 0)
		fail = "parse_to_header";
	else if (parse_from_header(&msg) < 0)
		fail = "parse_from_header";
	else if (msg.cseq == NULL || get_cseq(&msg)->error)
		fail = "cseq";
	else if (parse_contact_all(&msg) < 0)
		fail = "parse_contact";
	else if (msg_content_length(&msg, &cl) == 0
	    && cl > (unsigned int)(msg.buf + msg.len - msg_body(&msg)))
		fail = "content-length > body";
	msg_free(&msg);
	free(buf);
	return fail;
}

static int
test_dir(const char *corpus, const char *sub, int want_valid, int run)
{
	char path[1024], *names[TEST_MAX_FILES];
	struct dirent *de;
	const char *fail;
	DIR *d;
	int n = 0, i, loaded;

	snprintf(path, sizeof(path), "%s/%s", corpus, sub);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL && n < TEST_MAX_FILES) {
		size_t l = strlen(de->d_name);

		if (l > 4 && strcmp(de->d_name + l - 4, ".sip") == 0)
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), test_cmp);
	for (i = 0; i < n; i++) {
		char name[1200];

		if (run) {
			snprintf(path, sizeof(path), "%s/%s/%s", corpus, sub,
			    names[i]);
			fail = test_check(path, &loaded);
			snprintf(name, sizeof(name), "%s/%s %s", sub, names[i],
			    want_valid ? "accepted" : "rejected");
			ok(loaded && (want_valid ? fail == NULL : fail != NULL),
			    name);
			if (fail != NULL)
				printf("#   %s: rejected by %s\n", names[i],
				    fail);
		}
		free(names[i]);
	}
	return n;
}

int
main(int argc, char **argv)
{
	const char *corpus = argc > 1 ? argv[1] : "test/corpus";
	int nv, nr, ni, n;
	struct mem_stats st;

	nv = test_dir(corpus, "rfc4475/valid", 1, 0);
	ni = test_dir(corpus, "rfc4475/invalid", 0, 0);
	nr = test_dir(corpus, "valid", 1, 0);
	n = (nv > 0 ? nv : 0) + (ni > 0 ? ni : 0) + (nr > 0 ? nr : 0);
	plan(n + 4);
	ok(nv == 13, "all 13 RFC 4475 3.1.1 valid messages present");
	ok(ni == 19, "all 19 RFC 4475 3.1.2 invalid messages present");
	ok(nr >= 4, "plain valid messages present");
	test_dir(corpus, "rfc4475/valid", 1, 1);
	test_dir(corpus, "rfc4475/invalid", 0, 1);
	test_dir(corpus, "valid", 1, 1);
	pkg_stats_get(&st);
	is_int(st.fragments, 0, "no pkg memory left behind");
	return done_testing();
}

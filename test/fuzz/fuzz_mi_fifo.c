/*
 * fuzz_mi_fifo.c: libFuzzer target for the MI FIFO request parser
 * (modules/mi_fifo/fifo_server.c, compiled in here for its static
 * input()): the input is what writers put into the FIFO, handed over in
 * read()-sized pieces (the first byte picks the size, 1..255 or all at
 * once), as the FIFO process reads it.  Requests run two commands of the
 * harness (echo, and one that fails); replies go to a reply_dir with no
 * FIFO in it, so they are given up at once.  The parser keeps state
 * across pieces and inputs, as the process does across writers.
 * Corpus: test/corpus/mi_fifo.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modules/mi_fifo/fifo_server.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
fz_echo(int argc, const str *argv, struct mi_reply *r)
{
	int i;

	for (i = 0; i < argc; i++)
		if (mi_reply_printf(r, "%d: %.*s\n", i, argv[i].len,
		    argv[i].s) == -1)
			return -1;
	return 0;
}

static int
fz_fail(int argc, const str *argv, struct mi_reply *r)
{
	return -1;
}

static char dir[] = "/tmp/openser-fuzz-mi.XXXXXX";

static void
remove_dir(void)
{
	(void)rmdir(dir);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	char *buf;
	size_t off, k, piece;

	if (!ready) {
		log_level = getenv("FUZZ_VERBOSE") != NULL ? L_DBG
		    : L_ALERT - 1;
		if (mkdtemp(dir) == NULL || mi_register("echo", fz_echo,
		    "echo args") == -1 || mi_register("fail", fz_fail,
		    "fails") == -1)
			abort();
		fifo_reply_dir = dir;
		(void)atexit(remove_dir);
		ready = 1;
	}
	if (size < 1)
		return 0;
	piece = data[0];
	for (off = 1; off < size; off += k) {
		k = piece == 0 ? size - off : piece;
		if (k > size - off)
			k = size - off;
		/* exactly the bytes read: ASan sees any read past them */
		if ((buf = malloc(k)) == NULL)
			abort();
		memcpy(buf, data + off, k);
		input(buf, (int)k);
		free(buf);
	}
	return 0;
}

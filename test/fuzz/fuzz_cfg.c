/*
 * fuzz_cfg.c: libFuzzer target for the config parser (cfg.y, cfg.lex,
 * cfg/): each input is written to a file and parsed, checked when it
 * parsed, then everything is freed.  Build with BUILD=fuzz, e.g.
 *   clang -fsanitize=fuzzer,address,undefined -I. -Ibuild/fuzz \
 *     test/fuzz/fuzz_cfg.c build/fuzz/libcore.a -ldl -lpthread
 * Seeds: the .cfg files under test/cfg/good and test/cfg/bad.  Parse
 * errors go to stderr: run with -close_fd_mask=2 to keep output readable.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cfg/cfg.h"
#include "lib/log.h"
#include "mem/pkg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[] = "/tmp/fuzz_cfgXXXXXX";
static int ready;

static void
remove_file(void)
{
	(void)unlink(path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f;
	int fd;

	if (!ready) {
		if ((fd = mkstemp(path)) == -1)
			abort();
		(void)close(fd);
		(void)atexit(remove_file);
		(void)pkg_init(1 << 20);
		log_level = L_ALERT - 1;	/* quiet */
		ready = 1;
	}
	if ((f = fopen(path, "w")) == NULL)
		abort();
	(void)fwrite(data, 1, size, f);
	(void)fclose(f);
	if (cfg_parse_file(path) == 0)
		(void)cfg_check();
	cfg_destroy();
	return 0;
}

/*
 * fuzz_fixup.c: libFuzzer target for the argument parsers of every module
 * function (the fixups: regular expressions and formats of textops, reply
 * codes of sl, destinations of tm, tables of registrar, AVP specs of
 * avpops, ...).  All modules of the build (build/fuzz-tls/modules, made
 * by `make fuzz`) are loaded once with the core's mod_load().  The first
 * input byte picks one exported function that has a fixup (the list
 * follows the load order below and each module's table); the rest, split
 * at NUL bytes, are its arguments as the config would give them.  Each
 * argument goes through the fixup as script/fixup.c passes it: a
 * strdup()ed string the fixup may replace.  What a fixup builds lives as
 * long as the config, so allocations during the calls are not leaks.
 * Module parameters are ints checked by the core when the config is
 * parsed (cfg/cfg_ctx.c): fuzz_cfg covers them (test/corpus/cfg).
 * Corpus: test/corpus/fixup; FUZZ_LIST=1 prints the function numbers.
 */
#include <sanitizer/lsan_interface.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "mem/pkg.h"
#include "mem/shm.h"
#include "script/sr_module.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const modules[] = {
	"sl", "tm", "rr", "maxfwd", "textops", "usrloc", "registrar",
	"avpops", "mi_fifo",
};

#define MAX_CMDS 128

static const struct cmd_export *cmds[MAX_CMDS];
static int ncmds;

static void
init_once(void)
{
	static int ready;
	const struct module_exports *m;
	const struct cmd_export *c;
	char path[512], err[512];
	size_t i;

	if (ready)
		return;
	log_stderr = 1;
	log_level = getenv("FUZZ_VERBOSE") != NULL ? L_DBG : L_ALERT - 1;
	if (pkg_init(64u << 20) == -1 || shm_init(32u << 20) == -1)
		abort();
	for (i = 0; i < sizeof(modules) / sizeof(modules[0]); i++) {
		(void)snprintf(path, sizeof(path), "%s/%s.so",
		    MODULE_DIR_DEFAULT, modules[i]);
		if (mod_load(path, err, (int)sizeof(err)) == -1) {
			(void)fprintf(stderr, "fuzz_fixup: %s (run make "
			    "fuzz first)\n", err);
			abort();
		}
		m = mod_find(modules[i]);
		for (c = m->cmds; c != NULL && c->name != NULL; c++)
			if (c->fixup != NULL && c->nargs > 0 && ncmds < MAX_CMDS) {
				if (getenv("FUZZ_LIST") != NULL)
					(void)fprintf(stderr, "%d: %s/%d\n",
					    ncmds, c->name, c->nargs);
				cmds[ncmds++] = c;
			}
	}
	if (ncmds == 0)
		abort();
	ready = 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct cmd_export *c;
	const uint8_t *p, *end, *z;
	void *param;
	char *s;
	int i;

	init_once();
	if (size < 1)
		return 0;
	c = cmds[data[0] % ncmds];
	p = data + 1;
	end = data + size;
	for (i = 0; i < c->nargs; i++) {
		z = memchr(p, '\0', (size_t)(end - p));
		if (z == NULL)
			z = end;
		if ((s = malloc((size_t)(z - p) + 1)) == NULL)
			abort();
		memcpy(s, p, (size_t)(z - p));
		s[z - p] = '\0';
		param = s;
		fix_param_error("invalid value '%s'", s);
		__lsan_disable();	/* what the fixup keeps is config */
		if (c->fixup(&param, i + 1) != 0) {
			__lsan_enable();
			if (param == s)
				free(s);
			break;
		}
		__lsan_enable();
		if (param == s)
			free(s);
		p = z < end ? z + 1 : end;
	}
	return 0;
}

/*
 * cfg_ctx.c: one config parse: locations and error reporting, values,
 * loadmodule and modparam, and the public entry points of cfg/cfg.h.
 * Config memory is plain malloc; out of memory while parsing is fatal.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cfg/cfg.h"
#include "cfg/cfg_core.h"
#include "cfg/cfg_ctx.h"
#include "script/sr_module.h"

#ifndef MODULE_DIR_DEFAULT
#define MODULE_DIR_DEFAULT "modules"
#endif

static struct cfg_ctx cfg_cx;
static char **modparam_strs;	/* PARAM_STR values, freed at exit */
static int nr_modparam_strs;

static void cfg_vprint(struct cfg_ctx *, const struct cfg_loc *,
    const char *, const char *, va_list) __attribute__((format(printf, 4, 0)));

static void
cfg_vprint(struct cfg_ctx *cx, const struct cfg_loc *loc, const char *kind,
    const char *fmt, va_list ap)
{
	(void)fprintf(stderr, "%s:%d:%d: %s", cx->file, loc->first_line,
	    loc->first_column, kind);
	(void)vfprintf(stderr, fmt, ap);
	(void)fputc('\n', stderr);
}

void
cfg_error(struct cfg_ctx *cx, const struct cfg_loc *loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg_vprint(cx, loc, "", fmt, ap);
	va_end(ap);
	cx->errors++;
}

void
cfg_notice(struct cfg_ctx *cx, const struct cfg_loc *loc, const char *fmt,
    ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg_vprint(cx, loc, "notice: ", fmt, ap);
	va_end(ap);
}

void
cfg_pos(struct cfg_ctx *cx, const struct cfg_loc *loc, struct route_pos *pos)
{
	pos->file = cx->file;
	pos->line = loc->first_line;
	pos->col = loc->first_column;
}

void *
cfg_zalloc(size_t size)
{
	void *p = calloc(1, size);

	if (p == NULL) {
		(void)fputs("out of memory while parsing the config\n", stderr);
		exit(1);
	}
	return p;
}

char *
cfg_strdup(const char *s)
{
	size_t len = strlen(s);
	char *p = cfg_zalloc(len + 1);

	memcpy(p, s, len);
	return p;
}

/* ---- values ------------------------------------------------------------ */

void
cfg_val_num(struct cfg_ctx *cx, struct route_val *v, const struct cfg_loc *loc,
    long n)
{
	memset(v, 0, sizeof(*v));
	v->type = RVAL_NUM;
	v->num = n;
	cfg_pos(cx, loc, &v->pos);
}

void
cfg_val_str(struct cfg_ctx *cx, struct route_val *v, const struct cfg_loc *loc,
    char *s)
{
	memset(v, 0, sizeof(*v));
	v->type = RVAL_STR;
	v->s = s;
	cfg_pos(cx, loc, &v->pos);
}

void
cfg_val_word(struct cfg_ctx *cx, struct route_val *v,
    const struct cfg_loc *loc, char *s)
{
	cfg_val_str(cx, v, loc, s);
	v->type = RVAL_WORD;
}

/* "<a><sep><b>"; frees <a> and <b> (which may be NULL). */
char *
cfg_join(char *a, const char *sep, char *b)
{
	size_t la = strlen(a), ls = strlen(sep), lb = b ? strlen(b) : 0;
	char *p = cfg_zalloc(la + ls + lb + 1);

	memcpy(p, a, la);
	memcpy(p + la, sep, ls);
	if (b != NULL)
		memcpy(p + la + ls, b, lb);
	free(a);
	free(b);
	return p;
}

char *
cfg_join_num(char *a, const char *sep, long n)
{
	char num[24];

	(void)snprintf(num, sizeof(num), "%ld", n);
	return cfg_join(a, sep, cfg_strdup(num));
}

/* yes/no, on/off, true/false, enable/disable or a number; 0 or -1. */
int
cfg_val_bool(const struct route_val *v, int *out)
{
	static const char *const yes[] = { "yes", "on", "true", "enable" };
	static const char *const no[] = { "no", "off", "false", "disable" };
	size_t i;

	if (v->type == RVAL_NUM) {
		*out = v->num != 0;
		return 0;
	}
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v->s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(v->s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/* ---- top-level statements ---------------------------------------------- */

void
cfg_item_add(struct cfg_ctx *cx, struct cfg_item *it)
{
	*cx->items_tail = it;
	cx->items_tail = &it->next;
}

static int
file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Find <name> in <dir>: <dir>/<name>, <dir>/<name>.so, <dir>/<base>.so. */
static int
mod_path_find(const char *dir, const char *name, char *out, size_t size)
{
	const char *base = strrchr(name, '/');
	size_t blen;

	base = base != NULL ? base + 1 : name;
	blen = strlen(base);
	if (blen > 3 && strcmp(base + blen - 3, ".so") == 0)
		blen -= 3;
	(void)snprintf(out, size, "%s/%s", dir, name);
	if (file_exists(out))
		return 0;
	(void)snprintf(out, size, "%s/%s.so", dir, name);
	if (file_exists(out))
		return 0;
	(void)snprintf(out, size, "%s/%.*s.so", dir, (int)blen, base);
	return file_exists(out) ? 0 : -1;
}

void
cfg_loadmodule(struct cfg_ctx *cx, const struct cfg_loc *loc, char *path)
{
	const char *dir = cfg_mpath != NULL ? cfg_mpath : MODULE_DIR_DEFAULT;
	char full[4096], err[1024];
	struct cfg_item *it;

	if (path[0] == '/') {
		(void)snprintf(full, sizeof(full), "%s", path);
	} else if (mod_path_find(dir, path, full, sizeof(full)) == -1) {
		cfg_error(cx, loc, "loadmodule: module \"%s\" not found in %s%s",
		    path, dir, cfg_mpath != NULL ? " (mpath)" : "");
		free(path);
		return;
	}
	if (mod_load(full, err, (int)sizeof(err)) == -1) {
		cfg_error(cx, loc, "loadmodule: %s", err);
		free(path);
		return;
	}
	it = cfg_zalloc(sizeof(*it));
	it->kind = CFG_ITEM_LOADMODULE;
	it->name = path;
	cfg_item_add(cx, it);
}

static void
param_names(const struct module_exports *m, char *buf, size_t size)
{
	const struct param_export *p;
	size_t len = 0;

	(void)snprintf(buf, size, "it has none");
	for (p = m->params; p != NULL && p->name != NULL && len < size; p++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
		    len ? ", " : "parameters: ", p->name);
}

static int
modparam_set(struct cfg_ctx *cx, const struct cfg_loc *loc,
    const struct param_export *p, const char *mod, struct route_val *v)
{
	char num[24], *s;
	int b;

	if (p->type == PARAM_STR) {
		if (v->type == RVAL_NUM)
			(void)snprintf(num, sizeof(num), "%ld", v->num);
		s = cfg_strdup(v->type == RVAL_NUM ? num : v->s);
		modparam_strs = realloc(modparam_strs,
		    sizeof(*modparam_strs) * (size_t)(nr_modparam_strs + 1));
		if (modparam_strs == NULL) {
			(void)fputs("out of memory while parsing the config\n",
			    stderr);
			exit(1);
		}
		modparam_strs[nr_modparam_strs++] = s;
		*(char **)p->var = s;
		return 0;
	}
	if (v->type != RVAL_NUM && cfg_val_bool(v, &b) == 0) {
		*(int *)p->var = b;
		return 0;
	}
	if (v->type != RVAL_NUM) {
		cfg_error(cx, &(struct cfg_loc){ v->pos.line, v->pos.col, 0, 0 },
		    "modparam(\"%s\", \"%s\"): expects a number, not \"%s\"",
		    mod, p->name, v->s);
		return -1;
	}
	if (p->type == PARAM_UINT && v->num < 0) {
		cfg_error(cx, loc, "modparam(\"%s\", \"%s\"): %ld is negative",
		    mod, p->name, v->num);
		return -1;
	}
	*(int *)p->var = (int)v->num;
	return 0;
}

void
cfg_modparam(struct cfg_ctx *cx, const struct cfg_loc *loc, char *mod,
    char *param, struct route_val *v)
{
	const struct module_exports *m;
	const struct param_export *p;
	struct cfg_item *it;
	char buf[1024];

	if ((m = mod_find(mod)) == NULL) {
		mod_list_names(buf, (int)sizeof(buf));
		cfg_error(cx, loc, "modparam: module '%s' is not loaded "
		    "(loaded: %s)", mod, buf);
		goto fail;
	}
	if ((p = mod_find_param(m, param)) == NULL) {
		param_names(m, buf, sizeof(buf));
		cfg_error(cx, loc, "modparam: module '%s' has no parameter "
		    "'%s' (%s)", mod, param, buf);
		goto fail;
	}
	if (modparam_set(cx, loc, p, mod, v) == -1)
		goto fail;
	it = cfg_zalloc(sizeof(*it));
	it->kind = CFG_ITEM_MODPARAM;
	it->name = mod;
	it->param = param;
	it->val = *v;
	cfg_item_add(cx, it);
	return;

fail:
	free(mod);
	free(param);
	route_val_clear(v);
}

/* ---- entry points ------------------------------------------------------- */

int
cfg_parse_file(const char *path)
{
	struct cfg_ctx *cx = &cfg_cx;
	FILE *f;

	memset(cx, 0, sizeof(*cx));
	cx->file = cfg_strdup(path);
	cx->line = cx->col = 1;
	cx->items_tail = &cx->items;
	if ((f = fopen(path, "r")) == NULL) {
		(void)fprintf(stderr, "%s: cannot open: %s\n", path,
		    strerror(errno));
		return 1;
	}
	if (cfg_yyparse_run(cx, f) != 0 && cx->errors == 0)
		cx->errors++;	/* parser gave up (memory exhausted) */
	(void)fclose(f);
	free(cx->sbuf);
	cx->sbuf = NULL;
	return cx->errors;
}

int
cfg_check(void)
{
	int errors = 0, n;

	if ((n = mod_init_all()) > 0) {
		(void)fprintf(stderr, "%s: %d module%s failed to initialise\n",
		    cfg_cx.file, n, n == 1 ? "" : "s");
		errors += n;
	}
	return errors + fix_routes();
}

void
cfg_destroy(void)
{
	struct cfg_item *it, *next;

	mod_destroy_all();
	route_free_all();
	pv_fix_free_all();
	for (it = cfg_cx.items; it != NULL; it = next) {
		next = it->next;
		free(it->name);
		free(it->param);
		route_val_clear(&it->val);
		free(it);
	}
	while (nr_modparam_strs > 0)
		free(modparam_strs[--nr_modparam_strs]);
	free(modparam_strs);
	modparam_strs = NULL;
	cfg_core_reset();
	free(cfg_cx.file);
	memset(&cfg_cx, 0, sizeof(cfg_cx));
}

/* For cfg_print.c: the items of the last parse. */
const struct cfg_item *
cfg_items(void)
{
	return cfg_cx.items;
}

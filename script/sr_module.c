/*
 * sr_module.c: loading modules and finding their commands and parameters.
 * Everything here runs in the attendant at config time, except
 * mod_child_init_all() (each process after fork) and the lookups the
 * interpreter never needs (commands are resolved once by fix_routes()).
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "script/sr_module.h"

/* config memory; one per loaded module, in load order */
struct mod_entry {
	const struct module_exports *exp;
	void *handle;
	struct mod_entry *next;
};

static struct mod_entry *mod_list, **mod_tail = &mod_list;
static char fix_errbuf[256];
/* what fix_param_*() allocated: freed by mod_destroy_all() */
static void **fix_allocs;
static int nr_fix_allocs;

int
mod_load(const char *path, char *err, int errlen)
{
	const struct module_exports *exp;
	struct mod_entry *m;
	void *h;

	if ((h = dlopen(path, RTLD_NOW | RTLD_GLOBAL)) == NULL) {
		(void)snprintf(err, (size_t)errlen, "cannot load module %s: %s",
		    path, dlerror());
		return -1;
	}
	if ((exp = dlsym(h, "exports")) == NULL) {
		(void)snprintf(err, (size_t)errlen,
		    "%s is not an openser module (no 'exports' symbol)", path);
		goto fail;
	}
	if (exp->abi != MODULE_ABI) {
		(void)snprintf(err, (size_t)errlen,
		    "module %s was built for module ABI 0x%x, this openser has "
		    "0x%x: rebuild the module", path, exp->abi, MODULE_ABI);
		goto fail;
	}
	if (exp->name == NULL) {
		(void)snprintf(err, (size_t)errlen, "module %s has no name", path);
		goto fail;
	}
	if (mod_find(exp->name) != NULL) {
		(void)snprintf(err, (size_t)errlen,
		    "module '%s' is already loaded", exp->name);
		goto fail;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		(void)snprintf(err, (size_t)errlen, "out of memory");
		goto fail;
	}
	m->exp = exp;
	m->handle = h;
	if (exp->mi_cmds != NULL) {
		const struct mi_export *mc;

		for (mc = exp->mi_cmds; mc->name != NULL; mc++)
			if (mi_register(mc->name, mc->f, mc->help) == -1) {
				(void)snprintf(err, (size_t)errlen, "module %s: "
				    "management command %s is already defined",
				    exp->name, mc->name);
				free(m);
				goto fail;
			}
	}
	*mod_tail = m;
	mod_tail = &m->next;
	return 0;

fail:
	(void)dlclose(h);
	return -1;
}

const struct module_exports *
mod_find(const char *name)
{
	struct mod_entry *m;

	for (m = mod_list; m != NULL; m = m->next)
		if (strcmp(m->exp->name, name) == 0)
			return m->exp;
	return NULL;
}

const struct cmd_export *
mod_find_cmd(const char *name, const struct module_exports **mod)
{
	const struct cmd_export *c;
	struct mod_entry *m;

	for (m = mod_list; m != NULL; m = m->next)
		for (c = m->exp->cmds; c != NULL && c->name != NULL; c++)
			if (strcmp(c->name, name) == 0) {
				if (mod != NULL)
					*mod = m->exp;
				return c;
			}
	return NULL;
}

const struct cmd_export *
mod_find_cmd_nargs(const char *name, int nargs,
    const struct module_exports **mod)
{
	const struct cmd_export *c;
	struct mod_entry *m;

	for (m = mod_list; m != NULL; m = m->next)
		for (c = m->exp->cmds; c != NULL && c->name != NULL; c++)
			if (c->nargs == nargs && strcmp(c->name, name) == 0) {
				if (mod != NULL)
					*mod = m->exp;
				return c;
			}
	return NULL;
}

const struct param_export *
mod_find_param(const struct module_exports *exp, const char *name)
{
	const struct param_export *p;

	for (p = exp->params; p != NULL && p->name != NULL; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

void
mod_list_names(char *buf, int size)
{
	struct mod_entry *m;
	int len = 0;

	(void)snprintf(buf, (size_t)size, "none");
	for (m = mod_list; m != NULL && len < size; m = m->next)
		len += snprintf(buf + len, (size_t)(size - len), "%s%s",
		    len ? ", " : "", m->exp->name);
}

const struct module_exports *
mod_get(int i)
{
	struct mod_entry *m;

	for (m = mod_list; m != NULL && i > 0; m = m->next, i--)
		;
	return i == 0 && m != NULL ? m->exp : NULL;
}

int
mod_response_all(struct sip_msg *msg)
{
	struct mod_entry *m;

	for (m = mod_list; m != NULL; m = m->next)
		if (m->exp->response_f != NULL && m->exp->response_f(msg) == 0)
			return 0;
	return 1;
}

void
mod_msg_done_all(struct sip_msg *msg)
{
	struct mod_entry *m;

	for (m = mod_list; m != NULL; m = m->next)
		if (m->exp->msg_done != NULL)
			m->exp->msg_done(msg);
}

int
mod_init_all(void)
{
	struct mod_entry *m;
	int failed = 0;

	for (m = mod_list; m != NULL; m = m->next)
		if (m->exp->init != NULL && m->exp->init() != 0) {
			LM_ERR("module %s: initialisation failed", m->exp->name);
			failed++;
		}
	return failed;
}

int
mod_child_init_all(int rank)
{
	struct mod_entry *m;

	for (m = mod_list; m != NULL; m = m->next)
		if (m->exp->child_init != NULL && m->exp->child_init(rank) != 0) {
			LM_ERR("module %s: child initialisation (rank %d) failed",
			    m->exp->name, rank);
			return -1;
		}
	return 0;
}

void
mod_destroy_all(void)
{
	struct mod_entry *m, *next;

	for (m = mod_list; m != NULL; m = m->next)
		if (m->exp->destroy != NULL)
			m->exp->destroy();
	for (m = mod_list; m != NULL; m = next) {
		next = m->next;
		/* ASan reports leaks against unloaded code as "unknown
		 * module"; keep the objects mapped until exit. */
		free(m);
	}
	mod_list = NULL;
	mod_tail = &mod_list;
	while (nr_fix_allocs > 0)
		free(fix_allocs[--nr_fix_allocs]);
	free(fix_allocs);
	fix_allocs = NULL;
}

/* ---- fixup helpers ---------------------------------------------------- */

void
fix_param_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(fix_errbuf, sizeof(fix_errbuf), fmt, ap);
	va_end(ap);
}

const char *
fix_param_last_error(void)
{
	return fix_errbuf;
}

int
fix_param_str(void **param, int param_no)
{
	return 0;
}

int
fix_param_pstr(void **param, int param_no)
{
	size_t len = strlen(*param);
	void **na;
	str *s;

	na = realloc(fix_allocs, sizeof(*na) * (size_t)(nr_fix_allocs + 1));
	if (na == NULL || (s = malloc(sizeof(*s) + len + 1)) == NULL) {
		if (na != NULL)
			fix_allocs = na;
		fix_param_error("out of memory");
		return -1;
	}
	fix_allocs = na;
	fix_allocs[nr_fix_allocs++] = s;
	s->s = (char *)(s + 1);
	memcpy(s->s, *param, len + 1);
	s->len = (int)len;
	free(*param);
	*param = s;
	return 0;
}

int
fix_param_int(void **param, int param_no)
{
	char *end;
	long n;

	n = strtol(*param, &end, 10);
	if (*(char *)*param == '\0' || *end != '\0' || n < INT32_MIN
	    || n > INT32_MAX) {
		fix_param_error("'%s' is not an integer", (char *)*param);
		return -1;
	}
	free(*param);
	*param = (void *)(intptr_t)n;
	return 0;
}

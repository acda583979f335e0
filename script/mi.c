/*
 * mi.c: the management command registry and reply helpers (see mi.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "script/mi.h"

#define MI_MAX_CMDS 128

static struct mi_export cmds[MI_MAX_CMDS];
static int ncmds;

/* Register <name>.  Attendant, before fork.  0, or -1 (full or twice). */
int
mi_register(const char *name, mi_cmd_f f, const char *help)
{
	if (ncmds == MI_MAX_CMDS || mi_find(name) != NULL)
		return -1;
	cmds[ncmds].name = name;
	cmds[ncmds].f = f;
	cmds[ncmds].help = help != NULL ? help : "";
	ncmds++;
	return 0;
}

/* The command called <name>, or NULL. */
const struct mi_export *
mi_find(const char *name)
{
	int i;

	for (i = 0; i < ncmds; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

/* Number of registered commands. */
int
mi_count(void)
{
	return ncmds;
}

/* Command <i>, or NULL. */
const struct mi_export *
mi_get(int i)
{
	return i >= 0 && i < ncmds ? &cmds[i] : NULL;
}

/* Start an empty "200 OK" reply whose body goes into <buf>. */
void
mi_reply_init(struct mi_reply *r, char *buf, int size)
{
	r->code = 200;
	(void)snprintf(r->reason, sizeof(r->reason), "OK");
	r->buf = buf;
	r->len = 0;
	r->size = size;
	r->truncated = 0;
	if (size > 0)
		buf[0] = '\0';
}

/* Append formatted text to the body.  0, or -1 when it did not fit. */
int
mi_reply_printf(struct mi_reply *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->truncated || r->len >= r->size - 1) {
		r->truncated = 1;
		return -1;
	}
	va_start(ap, fmt);
	n = vsnprintf(r->buf + r->len, (size_t)(r->size - r->len), fmt, ap);
	va_end(ap);
	if (n < 0 || n >= r->size - r->len) {
		r->len = r->size - 1;
		r->truncated = 1;
		return -1;
	}
	r->len += n;
	return 0;
}

/* Make <r> an error reply: <code> <reason>, body emptied. */
void
mi_reply_error(struct mi_reply *r, int code, const char *reason)
{
	r->code = code;
	(void)snprintf(r->reason, sizeof(r->reason), "%s", reason);
	r->len = 0;
	if (r->size > 0)
		r->buf[0] = '\0';
}

/*
 * Run command <name>.  Unknown commands get "500 unknown command", as in
 * OpenSER's FIFO.  Returns the reply code.
 */
int
mi_run(const char *name, int argc, const str *argv, struct mi_reply *r)
{
	const struct mi_export *c = mi_find(name);

	if (c == NULL) {
		mi_reply_error(r, 500, "unknown command");
		return r->code;
	}
	if (c->f(argc, argv, r) == -1 && r->code == 200)
		mi_reply_error(r, 500, "Internal error");
	return r->code;
}

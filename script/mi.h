/*
 * mi.h: management commands (OpenSER's MI).  The core and modules register
 * commands by name in the attendant; a transport (mi_fifo) runs them in
 * its own process with text arguments and gets back a code, a reason and
 * a text body of lines.  Commands read shared state (shm, counters); they
 * never touch another process's private objects.
 */
#ifndef SCRIPT_MI_H
#define SCRIPT_MI_H

#include "lib/str.h"

#define MI_MAX_ARGS 16

/* the reply a command fills; the body lives in a caller-provided buffer */
struct mi_reply {
	int code;		/* 200 unless the command says otherwise */
	char reason[64];
	char *buf;
	int len, size;
	int truncated;
};

/*
 * A command: <argc> arguments in <argv> (valid during the call).  Fills
 * <r> and returns 0; a -1 return with no code set means "500 Internal
 * error".  Runs in the process of the MI transport.
 */
typedef int (*mi_cmd_f)(int argc, const str *argv, struct mi_reply *r);

struct mi_export {
	const char *name;
	mi_cmd_f f;
	const char *help;	/* one line: arguments and what it does */
};

int mi_register(const char *name, mi_cmd_f f, const char *help);
const struct mi_export *mi_find(const char *name);
int mi_count(void);
const struct mi_export *mi_get(int i);

void mi_reply_init(struct mi_reply *r, char *buf, int size);
int mi_reply_printf(struct mi_reply *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void mi_reply_error(struct mi_reply *r, int code, const char *reason);
int mi_run(const char *name, int argc, const str *argv, struct mi_reply *r);

#endif

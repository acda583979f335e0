/*
 * action.h: the route interpreter (internal to script/).
 */
#ifndef SCRIPT_ACTION_H
#define SCRIPT_ACTION_H

#include "script/route_struct.h"

#define ACT_MAX_DEPTH 100	/* nested route(N) calls */

/*
 * Run the body of route <r> as route type <type> on <msg>.  Returns the
 * script's last value; *<dropped> is set to 1 when it executed drop.
 * Any process, per message.
 */
int act_run_route(const struct route_def *r, int type, struct sip_msg *msg,
    int *dropped);

/* What act_uri_set() changes in the request URI. */
enum act_uri_part {
	ACT_URI_SET = 0,	/* the whole URI */
	ACT_URI_USER,
	ACT_URI_HOST,
	ACT_URI_PORT,		/* empty: drop the port */
	ACT_URI_REVERT,		/* back to the received R-URI; <val> unused */
};

/*
 * Change part <part> of the request URI of <msg> to <val> (core_cmds.c,
 * the code behind rewriteuri/rewriteuser...; used by $ru/$rU/$rd/$rp
 * assignments).  0, or -1 when the URI does not parse or pkg is
 * exhausted (logged).
 */
int act_uri_set(struct sip_msg *msg, enum act_uri_part part, const str *val);

#endif

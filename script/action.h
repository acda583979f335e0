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

#endif

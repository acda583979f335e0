/*
 * route.h: what the rest of openser calls to run the routing script.
 * The route tree is config memory, built by cfg_parse_file() and fixed up
 * by cfg_check() in the attendant; forked processes inherit it read-only.
 */
#ifndef SCRIPT_ROUTE_H
#define SCRIPT_ROUTE_H

#include "parser/msg_parser.h"

/* Route types; also the "allowed in" mask of commands (script/sr_module.h). */
#define ROUTE_REQUEST 1	 /* route{} and route[N] called from it */
#define ROUTE_FAILURE 2	 /* failure_route[N] */
#define ROUTE_ONREPLY 4	 /* onreply_route{} / onreply_route[N] */
#define ROUTE_BRANCH  8	 /* branch_route[N] */
#define ROUTE_ERROR   16 /* error_route{} */
#define ROUTE_ANY     31

#define ROUTE_MAX_NUM 40 /* route[0] .. route[39] */

/*
 * Run route{} on the request <msg>.  Resets the per-message script state
 * (branch set) first.  Returns 0 when the script ran (whatever it did),
 * -1 if there is no route{} to run.  Any process that receives requests.
 */
int route_run_request(struct sip_msg *msg);

/*
 * Run onreply_route{} (the unnumbered one) on the reply <msg>, if defined.
 * Returns 0 when the script dropped the reply, 1 when it should be
 * forwarded.  Any process that receives replies.
 */
int route_run_onreply(struct sip_msg *msg);

/*
 * Run route <idx> of <type> (ROUTE_FAILURE, ROUTE_BRANCH ...; idx 0 is the
 * unnumbered block where one exists) on <msg>.  Returns 0 when the script
 * executed drop, 1 otherwise, -1 when no such route exists.  For modules
 * such as tm that own failure and branch routes.
 */
int route_run(int type, int idx, struct sip_msg *msg);

/* 1 when route <idx> of <type> is defined in the script, else 0. */
int route_has(int type, int idx);

#endif

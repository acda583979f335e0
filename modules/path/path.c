/*
 * path.c: the path module (RFC 3327) for an edge proxy: add_path() and
 * add_path("user") insert "Path: <sip:[user@]host:port[;transport=x];lr>"
 * naming this proxy at the top of a REGISTER it forwards, so that the
 * registrar (registrar's use_path) sends requests for the phone back
 * through it.  The address is the socket the REGISTER arrived on.
 */
#include <stdio.h>

#include "lib/log.h"
#include "mem/pkg.h"
#include "script/sr_module.h"
#include "sip/lump.h"
#include "sip/msg_translator.h"

#define PATH_MAX_HDR 512

/*
 * add_path() / add_path("user"): 1, or -2 after logging (not a REGISTER,
 * out of memory).  Receiving processes.
 */
static int
w_add_path(struct sip_msg *msg, void *user, void *unused)
{
	const char *u = user;
	char buf[PATH_MAX_HDR];
	str host, port;
	int n;

	if (msg->first_line.type != SIP_REQUEST
	    || REQ_LINE(msg).method_value != METHOD_REGISTER) {
		LM_ERR("path: add_path() is for REGISTER requests");
		return CMD_ERROR;
	}
	if (msg->headers == NULL) {
		LM_ERR("path: REGISTER without headers");
		return CMD_ERROR;
	}
	msg_sent_by(msg, msg->rcv.bind_address, &host, &port);
	n = snprintf(buf, sizeof(buf), "Path: <sip:%s%s%.*s:%.*s%s%s;lr>\r\n",
	    u != NULL ? u : "", u != NULL ? "@" : "", STR_FMT(&host),
	    STR_FMT(&port), msg->rcv.proto != PROTO_UDP ? ";transport=" : "",
	    msg->rcv.proto != PROTO_UDP ? proto_name(msg->rcv.proto) : "");
	if (n >= (int)sizeof(buf)) {
		LM_ERR("path: Path header too long");
		return CMD_ERROR;
	}
	if (lump_add(&msg->add_rm, (int)(msg->headers->name.s - msg->buf), 0,
	    buf, n) == NULL) {
		PKG_MEM_ERROR("adding a Path header");
		return CMD_ERROR;
	}
	return CMD_TRUE;
}

static const struct cmd_export cmds[] = {
	{ "add_path", w_add_path, 0, NULL, ROUTE_REQUEST },
	{ "add_path", w_add_path, 1, fix_param_str, ROUTE_REQUEST },
	{ 0 },
};

__attribute__((visibility("protected")))
const struct module_exports exports = {
	.abi = MODULE_ABI,
	.name = "path",
	.cmds = cmds,
};

/*
 * reply.h: stateless replies built from a request (To-tag added, Via
 * received/rport applied), sent back the way the request came: the same
 * UDP socket, or the connection it arrived on.
 */
#ifndef SIP_REPLY_H
#define SIP_REPLY_H

#include "parser/msg_parser.h"

int reply_send(struct sip_msg *msg, int code, const char *reason);

#endif

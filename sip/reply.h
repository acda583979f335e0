/*
 * reply.h: stateless replies built from a request (To-tag added, Via
 * received/rport applied), sent back the way the request came: the same
 * UDP socket, or the connection it arrived on.
 */
#ifndef SIP_REPLY_H
#define SIP_REPLY_H

#include "parser/msg_parser.h"

struct dest_info;

int reply_send(struct sip_msg *msg, int code, const char *reason);
int reply_send_hdrs(struct sip_msg *msg, int code, const char *reason,
    const str *hdrs);
int reply_build(struct sip_msg *msg, int code, const char *reason,
    const str *to_tag, const str *extra_hdrs, char *buf, int size);
void reply_dest(struct sip_msg *msg, struct dest_info *dst);

#endif

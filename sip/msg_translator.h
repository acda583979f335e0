/*
 * msg_translator.h: turn a received message into the bytes to send.
 */
#ifndef SIP_MSG_TRANSLATOR_H
#define SIP_MSG_TRANSLATOR_H

#include "lib/ip_addr.h"
#include "parser/msg_parser.h"

struct socket_info;

#define MAX_BRANCH_LEN 64

char *msg_build_request(struct sip_msg *msg, struct socket_info *si,
    enum sip_proto proto, const str *branch, int *len);
char *msg_build_reply_fwd(struct sip_msg *msg, int *len);
void msg_sent_by(struct sip_msg *msg, struct socket_info *si, str *host,
    str *port);
int msg_via_needs_received(struct sip_msg *msg);

#endif

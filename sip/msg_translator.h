/*
 * msg_translator.h: turn a received message into the bytes to send.
 */
#ifndef SIP_MSG_TRANSLATOR_H
#define SIP_MSG_TRANSLATOR_H

#include "lib/ip_addr.h"
#include "parser/msg_parser.h"

struct lump;
struct socket_info;

/*
 * A module's edits to a request being built, once the outgoing socket <si>
 * and <proto> are known (rr: the second Record-Route of enable_double_rr).
 * Adds lumps to <edits> (freed by the builder); 0, or -1 when out of pkg.
 */
typedef int (*msg_build_hook_f)(struct sip_msg *msg, struct socket_info *si,
    enum sip_proto proto, struct lump **edits);

/* Install the one build hook.  Attendant (module init).  0, or -1 when
 * one is already installed. */
int msg_build_hook_set(msg_build_hook_f f);

#define MAX_BRANCH_LEN 64

char *msg_build_request(struct sip_msg *msg, struct socket_info *si,
    enum sip_proto proto, const str *branch, int *len);
char *msg_build_reply_fwd(struct sip_msg *msg, int *len);
void msg_sent_by(struct sip_msg *msg, struct socket_info *si, str *host,
    str *port);
int msg_via_needs_received(struct sip_msg *msg);

#endif

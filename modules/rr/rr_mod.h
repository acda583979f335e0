/*
 * rr_mod.h: what the rr module's files share.
 */
#ifndef MODULES_RR_RR_MOD_H
#define MODULES_RR_RR_MOD_H

#include "lib/ip_addr.h"
#include "parser/msg_parser.h"

struct lump;
struct socket_info;

extern int rr_enable_full_lr;
extern int rr_append_fromtag;
extern int rr_enable_double_rr;

int w_rr_record_route(struct sip_msg *msg, void *params, void *unused);
int w_rr_record_route_preset(struct sip_msg *msg, void *uri, void *unused);
int w_rr_loose_route(struct sip_msg *msg, void *unused1, void *unused2);
int rr_build_hook(struct sip_msg *msg, struct socket_info *si,
    enum sip_proto proto, struct lump **edits);

#endif

/*
 * sl_funcs.h: stateless replies from the script (module-private).
 */
#ifndef MODULES_SL_SL_FUNCS_H
#define MODULES_SL_SL_FUNCS_H

#include "parser/msg_parser.h"

int sl_fixup_reply(void **param, int param_no);
int w_sl_send_reply(struct sip_msg *msg, void *code, void *reason);
int w_sl_reply_error(struct sip_msg *msg, void *unused1, void *unused2);

#endif

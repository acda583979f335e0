/*
 * mf_funcs.h: reading and rewriting Max-Forwards (maxfwd module).
 */
#ifndef MODULES_MAXFWD_MF_FUNCS_H
#define MODULES_MAXFWD_MF_FUNCS_H

#include "parser/msg_parser.h"

enum maxfwd_state {
	MAXFWD_ABSENT = 0,
	MAXFWD_PRESENT,
	MAXFWD_BAD,
};

/* Whether <msg> has a Max-Forwards header and its value in *<hops>. */
enum maxfwd_state maxfwd_get(struct sip_msg *msg, unsigned int *hops);
/* Add "Max-Forwards: <hops>" as the first header.  0 or -1 (logged). */
int maxfwd_add(struct sip_msg *msg, unsigned int hops);
/* Rewrite the value of the existing header to <hops>.  0 or -1 (logged). */
int maxfwd_set(struct sip_msg *msg, unsigned int hops);

#endif

/*
 * receive.h: what every receiving process does with one message.
 */
#ifndef CORE_RECEIVE_H
#define CORE_RECEIVE_H

#include "lib/ip_addr.h"

int receive_init(void);
int receive_msg(char *buf, unsigned int len, struct receive_info *ri);
void receive_bad_stream_msg(char *buf, unsigned int len,
    struct receive_info *ri, const char *why);

#endif

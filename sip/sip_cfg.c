/*
 * sip_cfg.c: defaults of the SIP-level tunables (see sip_cfg.h).
 */
#include <stddef.h>

#include "sip/sip_cfg.h"

int sip_check_via;
int sip_dns;
int sip_rev_dns;
int sip_mhomed;
int sip_server_signature = 1;
int sip_warning;
char *sip_server_header;
char *sip_user_agent_header;

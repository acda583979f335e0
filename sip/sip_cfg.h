/*
 * sip_cfg.h: SIP-level tunables set from openser.cfg (cfg/cfg_core.c
 * points its table rows at these).  Defined in sip/sip_cfg.c.
 */
#ifndef SIP_SIP_CFG_H
#define SIP_SIP_CFG_H

#include "lib/str.h"

extern int sip_check_via;		/* check_via, default 0 */
extern int sip_dns;			/* dns, default 0 */
extern int sip_rev_dns;			/* rev_dns, default 0 */
extern int sip_mhomed;			/* mhomed, default 0 */
extern int sip_server_signature;	/* server_signature, default 1 */
extern int sip_warning;			/* sip_warning, default 0 */
extern char *sip_server_header;		/* server_header, NULL = default */
extern char *sip_user_agent_header;	/* user_agent_header */

/* option tags accepted in Proxy-Require (none unless a module adds one) */
int sip_proxy_option_add(const char *tag);
int sip_proxy_option_supported(const str *tag);

#endif

/*
 * sip_cfg.c: defaults of the SIP-level tunables (see sip_cfg.h).
 */
#include <stddef.h>
#include <string.h>

#include "sip/sip_cfg.h"

int sip_check_via;
int sip_dns;
int sip_rev_dns;
int sip_mhomed;
int sip_server_signature = 1;
int sip_warning;
char *sip_server_header;
char *sip_user_agent_header;

/* Proxy-Require option tags a module said it implements (see below) */
#define SIP_PROXY_OPTIONS_MAX 16
static const char *sip_proxy_options[SIP_PROXY_OPTIONS_MAX];
static int sip_proxy_options_n;

/*
 * Declare that this proxy implements the option tag <tag> (a string that
 * lives as long as the process), so that a request naming it in
 * Proxy-Require is not refused with 420 (RFC 3261 16.3 step 5).  Called
 * by a module's mod_init, in the attendant before fork.  0, or -1 when
 * the table is full.
 */
int
sip_proxy_option_add(const char *tag)
{
	if (sip_proxy_options_n == SIP_PROXY_OPTIONS_MAX)
		return -1;
	sip_proxy_options[sip_proxy_options_n++] = tag;
	return 0;
}

/* 1 when option tag <tag> was declared by sip_proxy_option_add(). */
int
sip_proxy_option_supported(const str *tag)
{
	int i;

	for (i = 0; i < sip_proxy_options_n; i++)
		if (str_caseeq_cstr(tag, sip_proxy_options[i]))
			return 1;
	return 0;
}

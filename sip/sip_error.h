/*
 * sip_error.h: the last routing error of this process (OpenSER's
 * ser_error), for sl_reply_error() and for logs.
 */
#ifndef SIP_SIP_ERROR_H
#define SIP_SIP_ERROR_H

enum sip_error {
	E_OK = 0,
	E_UNSPEC,
	E_OUT_OF_MEM,
	E_BAD_REQ,
	E_BAD_URI,
	E_BAD_ADDRESS,	/* unresolvable destination */
	E_SEND,
	E_TOO_MANY_HOPS, /* loop */
	E_BAD_PROTO,
};

extern enum sip_error sip_last_error;

int sip_error_to_code(enum sip_error e, const char **reason);

#endif

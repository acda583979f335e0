/*
 * sip_error.c: the last routing error and its reply code.
 */
#include "sip/sip_error.h"

enum sip_error sip_last_error;

/* Reply code and reason for <e> (OpenSER's err2reason mapping). */
int
sip_error_to_code(enum sip_error e, const char **reason)
{
	switch (e) {
	case E_BAD_ADDRESS:
		*reason = "Unresolvable destination";
		return 476;
	case E_SEND:
		*reason = "Unable to forward";
		return 477;
	case E_BAD_URI:
		*reason = "Bad Request-URI";
		return 400;
	case E_BAD_REQ:
		*reason = "Bad Request";
		return 400;
	case E_TOO_MANY_HOPS:
		*reason = "Loop Detected";
		return 482;
	case E_BAD_PROTO:
		*reason = "Unsupported Transport";
		return 503;
	case E_OK:
	case E_UNSPEC:
	case E_OUT_OF_MEM:
		break;
	}
	*reason = "Server error occurred";
	return 500;
}

/*
 * transport.c: the registry of secure stream transports (see transport.h).
 */
#include <stddef.h>

#include "net/transport.h"

static const struct stream_ops *ops[PROTO_SCTP + 1];

/* Register <o> for <proto>.  Attendant, before fork.  0 or -1. */
int
transport_register(enum sip_proto proto, const struct stream_ops *o)
{
	if ((unsigned)proto > PROTO_SCTP || ops[proto] != NULL)
		return -1;
	ops[proto] = o;
	return 0;
}

/* The ops registered for <proto>, or NULL for a plain transport. */
const struct stream_ops *
transport_get(enum sip_proto proto)
{
	return (unsigned)proto <= PROTO_SCTP ? ops[proto] : NULL;
}

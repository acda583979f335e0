/*
 * mf_funcs.c: Max-Forwards through lumps: the header is added before
 * the first header or its value is replaced in place.
 */
#include <stdio.h>

#include "lib/log.h"
#include "modules/maxfwd/mf_funcs.h"
#include "parser/parse_maxfwd.h"
#include "sip/lump.h"

/* Is there a Max-Forwards header, and its value (0..255). */
enum maxfwd_state
maxfwd_get(struct sip_msg *msg, unsigned int *hops)
{
	int n;

	if (parse_headers(msg, HDR_MAXFORWARDS_F, 0) == -1)
		return MAXFWD_BAD;
	if (msg->maxforwards == NULL)
		return MAXFWD_ABSENT;
	if ((n = parse_maxfwd(msg->maxforwards)) == -1)
		return MAXFWD_BAD;
	*hops = (unsigned int)n;
	return MAXFWD_PRESENT;
}

/* Add "Max-Forwards: <hops>" before the first header. */
int
maxfwd_add(struct sip_msg *msg, unsigned int hops)
{
	char buf[32];
	int len;

	if (msg->headers == NULL) {
		LM_ERR("maxfwd: request without headers");
		return -1;
	}
	len = snprintf(buf, sizeof(buf), "Max-Forwards: %u\r\n", hops);
	if (lump_add(&msg->add_rm, (int)(msg->headers->name.s - msg->buf), 0,
	    buf, len) == NULL) {
		LM_ERR("maxfwd: out of pkg memory adding the header");
		return -1;
	}
	return 0;
}

/* Replace the value of the existing header with <hops>. */
int
maxfwd_set(struct sip_msg *msg, unsigned int hops)
{
	struct hdr_field *hf = msg->maxforwards;
	char buf[16];
	int len;

	len = snprintf(buf, sizeof(buf), "%u", hops);
	if (lump_add(&msg->add_rm, (int)(hf->body.s - msg->buf), hf->body.len,
	    buf, len) == NULL) {
		LM_ERR("maxfwd: out of pkg memory rewriting the header");
		return -1;
	}
	return 0;
}

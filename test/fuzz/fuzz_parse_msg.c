/*
 * libFuzzer target for the message parser: every step a proxy or a
 * module may run on a received message, then msg_free().  The input is
 * copied into a buffer of exactly its size so ASan sees any read past it.
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 \
 *       -D_GNU_SOURCE -I. test/fuzz/fuzz_parse_msg.c $(ls parser/[a-z]*.c) \
 *       $(ls lib/[a-z]*.c) mem/pkg.c -o /tmp/fz
 *   /tmp/fz test/corpus/rfc4475/valid test/corpus/valid
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parser/msg_parser.h"
#include "parser/parse_auth.h"
#include "parser/parse_contact.h"
#include "parser/parse_expires.h"
#include "parser/parse_maxfwd.h"
#include "parser/parse_option_tags.h"
#include "parser/parse_rr.h"
#include "parser/parse_to.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_lazy_headers(struct sip_msg *msg)
{
	struct hdr_field *hf;

	for (hf = msg->headers; hf != NULL; hf = hf->next) {
		switch (hf->type) {
		case HDR_ROUTE_T:
		case HDR_RECORDROUTE_T:
		case HDR_PATH_T:
			(void)parse_rr(hf);
			break;
		case HDR_AUTHORIZATION_T:
		case HDR_PROXYAUTH_T:
			(void)parse_auth(hf);
			break;
		case HDR_EXPIRES_T:
			(void)parse_expires(hf);
			break;
		case HDR_MAXFORWARDS_T:
			(void)parse_maxfwd(hf);
			break;
		case HDR_SUPPORTED_T:
		case HDR_REQUIRE_T:
		case HDR_PROXYREQUIRE_T:
		case HDR_UNSUPPORTED_T:
			(void)parse_option_tags(hf);
			break;
		default:
			break;
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sip_msg msg;
	unsigned int cl;
	char *buf;

	if (size == 0 || (buf = malloc(size)) == NULL)
		return 0;
	memcpy(buf, data, size);
	memset(&msg, 0, sizeof(msg));
	if (parse_msg(buf, (unsigned int)size, &msg) == 0) {
		(void)parse_headers(&msg, HDR_CALLID_F, 0);
		(void)parse_headers(&msg, HDR_VIA2_F, 0);
		(void)parse_headers(&msg, HDR_VIA1_F, 1);
		(void)msg_content_length(&msg, &cl);
		if (parse_headers(&msg, HDR_EOH_F, 0) == 0) {
			(void)msg_body(&msg);
			(void)parse_sip_msg_uri(&msg);
			(void)parse_orig_ruri(&msg);
			(void)parse_to_header(&msg);
			(void)parse_from_header(&msg);
			(void)parse_contact_all(&msg);
			fuzz_lazy_headers(&msg);
		}
	}
	msg_free(&msg);
	free(buf);
	return 0;
}

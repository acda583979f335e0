/*
 * libFuzzer target for parse_uri() and uri_param_find(), on a buffer of
 * exactly the input's size.
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 \
 *       -D_GNU_SOURCE -I. test/fuzz/fuzz_parse_uri.c $(ls parser/[a-z]*.c) \
 *       $(ls lib/[a-z]*.c) mem/pkg.c -o /tmp/fzu
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parser/parse_uri.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sip_uri uri;
	char *buf;
	str v;

	if (size == 0 || (buf = malloc(size)) == NULL)
		return 0;
	memcpy(buf, data, size);
	if (parse_uri(buf, (int)size, &uri) == 0) {
		(void)uri_param_find(&uri, "transport", &v);
		(void)uri_param_find(&uri, "lr", &v);
		(void)uri_param_find(&uri, "x", &v);
	}
	free(buf);
	return 0;
}

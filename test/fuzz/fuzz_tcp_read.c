/*
 * fuzz_tcp_read.c: libFuzzer target for the TCP stream framer
 * (net/tcp_read.c).  The input is a byte stream that arrives in pieces,
 * as from recv(): the first byte picks the piece size (1..64 bytes, or
 * all at once), the second the message size limit.  After each piece the
 * framer runs over the unconsumed bytes the way net/tcp_owner.c does,
 * and every answer is checked: the bytes it says to skip and the message
 * length always lie inside what it was given, a message is never empty,
 * and it never asks for more once it has all of a message.  The buffer
 * is exactly as long as the data so ASan sees any read past it.
 * Corpus: test/corpus/tcp_read, test/corpus/valid, test/corpus/rfc4475.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/tcp_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int ok)
{
	if (!ok)
		abort();
}

/* Frame what <buf> holds (<len> bytes); the number of bytes consumed. */
static int
frame_all(const char *buf, int len, int max)
{
	enum tcp_frame_result r;
	int used = 0, skip, mlen, n;
	char *copy;

	while (used < len) {
		/* an exactly-sized copy: reads past the end are caught */
		n = len - used;
		if ((copy = malloc((size_t)n)) == NULL)
			abort();
		memcpy(copy, buf + used, (size_t)n);
		r = tcp_frame(copy, n, max, &skip, &mlen);
		free(copy);
		check(skip >= 0 && mlen >= 0 && skip + mlen <= n);
		switch (r) {
		case TCP_FRAME_MORE:
			return used + skip;
		case TCP_FRAME_PING:
			check(skip == 4);
			used += skip;
			break;
		case TCP_FRAME_MSG:
			check(mlen > 0 && mlen <= max);
			used += skip + mlen;
			break;
		case TCP_FRAME_NO_CL:
		case TCP_FRAME_BAD_CL:
			check(mlen > 0);
			return -1;	/* the owner closes after these */
		case TCP_FRAME_TOO_BIG:
			return -1;
		default:
			abort();
		}
	}
	return used;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int piece, max, len = 0, start = 0, off, k, used;
	char *buf;

	if (size < 2)
		return 0;
	piece = data[0] % 65;		/* 0: all at once */
	max = 64 + data[1] * 256;	/* 64 .. 65344 */
	data += 2;
	size -= 2;
	if ((buf = malloc(size + 1)) == NULL)
		abort();
	memcpy(buf, data, size);
	for (off = 0; off < (int)size; off += k) {
		k = piece == 0 ? (int)size - off : piece;
		if (k > (int)size - off)
			k = (int)size - off;
		len += k;
		used = frame_all(buf + start, len - start, max);
		if (used < 0)
			break;
		start += used;
	}
	free(buf);
	return 0;
}

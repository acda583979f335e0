/*
 * Unit tests for net/tcp_read.c: stream framing.
 */
#include <string.h>

#include "net/tcp_read.h"
#include "test/lib/tap.h"

static const char REQ[] = "OPTIONS sip:a@b SIP/2.0\r\n"
			  "Via: SIP/2.0/TCP h;branch=z9hG4bK1\r\n"
			  "Content-Length: 4\r\n\r\nbody";

static void
test_whole_and_partial(void)
{
	int skip, len, n = (int)strlen(REQ);

	is_int(tcp_frame(REQ, n, 65535, &skip, &len), TCP_FRAME_MSG,
	    "complete message");
	is_int(len, n, "message length includes the body");
	is_int(tcp_frame(REQ, n - 1, 65535, &skip, &len), TCP_FRAME_MORE,
	    "one byte short of the body: more");
	is_int(tcp_frame(REQ, 20, 65535, &skip, &len), TCP_FRAME_MORE,
	    "headers incomplete: more");
}

static void
test_crlf(void)
{
	char buf[256];
	int skip, len;

	strcpy(buf, "\r\n\r\n");
	is_int(tcp_frame(buf, 4, 65535, &skip, &len), TCP_FRAME_PING,
	    "CRLFCRLF is a ping");
	is_int(skip, 4, "ping is consumed");
	strcpy(buf, "\r\n");
	strcat(buf, REQ);
	is_int(tcp_frame(buf, (int)strlen(buf), 65535, &skip, &len),
	    TCP_FRAME_MSG, "leading CRLF skipped");
	is_int(skip, 2, "skip counts the CRLF");
	strcpy(buf, "\r\n\r");
	is_int(tcp_frame(buf, 3, 65535, &skip, &len), TCP_FRAME_MORE,
	    "partial ping waits");
	is_int(skip, 0, "partial ping is kept");
}

static void
test_bad(void)
{
	char nocl[] = "OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\n\r\n";
	char compact[] = "OPTIONS sip:a@b SIP/2.0\r\nl: 0\r\n\r\n";
	char twice[] = "A b SIP/2.0\r\nContent-Length: 1\r\nl: 2\r\n\r\nxx";
	char big[] = "A b SIP/2.0\r\nContent-Length: 70000\r\n\r\n";
	int skip, len;

	is_int(tcp_frame(nocl, (int)strlen(nocl), 65535, &skip, &len),
	    TCP_FRAME_NO_CL, "missing Content-Length");
	is_int(len, (int)strlen(nocl), "headers length reported");
	is_int(tcp_frame(compact, (int)strlen(compact), 65535, &skip, &len),
	    TCP_FRAME_MSG, "compact l: accepted");
	is_int(tcp_frame(twice, (int)strlen(twice), 65535, &skip, &len),
	    TCP_FRAME_BAD_CL, "conflicting Content-Length");
	is_int(tcp_frame(big, (int)strlen(big), 65535, &skip, &len),
	    TCP_FRAME_TOO_BIG, "over the limit");
}

int
main(void)
{
	plan(15);
	test_whole_and_partial();
	test_crlf();
	test_bad();
	return done_testing();
}

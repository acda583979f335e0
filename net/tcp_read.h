/*
 * tcp_read.h: SIP message framing on a byte stream (RFC 3261 18.3):
 * Content-Length is mandatory, leading CRLFs are skipped, a CRLFCRLF
 * keepalive is a ping to answer with CRLF (RFC 5626 3.5.1).
 */
#ifndef NET_TCP_READ_H
#define NET_TCP_READ_H

enum tcp_frame_result {
	TCP_FRAME_MORE = 0,	/* incomplete: read more */
	TCP_FRAME_MSG,		/* a whole message of *msg_len bytes */
	TCP_FRAME_PING,		/* CRLFCRLF keepalive (*skip bytes) */
	TCP_FRAME_NO_CL,	/* headers (*msg_len bytes) lack Content-Length */
	TCP_FRAME_BAD_CL,	/* Content-Length unparsable or conflicting */
	TCP_FRAME_TOO_BIG,	/* message longer than the limit */
};

enum tcp_frame_result tcp_frame(const char *buf, int len, int max,
    int *skip, int *msg_len);

#endif

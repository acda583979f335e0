/*
 * msg_parser.h: a SIP message as the rest of openser sees it.
 *
 * parse_msg() parses the first line and the headers up to the first Via
 * (and the second for replies); parse_headers() goes further on demand,
 * OpenSER style, so a proxy that only routes never looks at most headers.
 * Everything parsed points into msg->buf; parsed bodies are pkg memory and
 * freed by msg_free().  No I/O, no globals, no logging.
 */
#ifndef PARSER_MSG_PARSER_H
#define PARSER_MSG_PARSER_H

#include <stdint.h>

#include "lib/ip_addr.h"
#include "lib/str.h"
#include "parser/hf.h"
#include "parser/parse_uri.h"
#include "parser/parse_via.h"

#define SIP_REQUEST 1
#define SIP_REPLY   2

#define SIP_MSG_MAX_LEN 65535	/* 64 KB message limit */

enum request_method {
	METHOD_UNDEF = 0,
	METHOD_INVITE = 1,
	METHOD_CANCEL = 2,
	METHOD_ACK = 4,
	METHOD_BYE = 8,
	METHOD_INFO = 16,
	METHOD_OPTIONS = 32,
	METHOD_UPDATE = 64,
	METHOD_REGISTER = 128,
	METHOD_MESSAGE = 256,
	METHOD_SUBSCRIBE = 512,
	METHOD_NOTIFY = 1024,
	METHOD_PRACK = 2048,
	METHOD_REFER = 4096,
	METHOD_PUBLISH = 8192,
	METHOD_OTHER = 16384,
};

struct msg_start {
	int type;		/* SIP_REQUEST or SIP_REPLY */
	int len;		/* first line including its CRLF */
	union {
		struct {
			str method;
			str uri;
			str version;
			int method_value; /* enum request_method */
		} request;
		struct {
			str version;
			str status;
			str reason;
			unsigned int statuscode;
		} reply;
	} u;
};

struct lump;
struct socket_info;

/* pkg (the struct may also sit on a receiver's stack); one per message */
struct sip_msg {
	unsigned int id;	/* per-process message counter */
	struct msg_start first_line;
	struct via_body *via1;	/* first Via body */
	struct via_body *via2;	/* second Via body (replies) */
	struct hdr_field *headers, *last_header;
	uint64_t parsed_flag;	/* HDR_*_F reached so far */

	/* first header of each type; others via ->sibling */
	struct hdr_field *h_via1, *h_via2, *callid, *to, *cseq, *from;
	struct hdr_field *contact, *maxforwards, *route, *record_route;
	struct hdr_field *content_type, *content_length, *authorization;
	struct hdr_field *proxy_auth, *expires, *supported, *require;
	struct hdr_field *proxy_require, *unsupported, *allow, *event;
	struct hdr_field *user_agent, *server, *path;
	struct hdr_field *date;

	char *eoh;		/* first byte after the headers' empty line */
	char *unparsed;		/* where header parsing stopped */

	struct receive_info rcv;
	char *buf;		/* the message as received */
	unsigned int len;

	/* routing state, set by the script (pkg strings, may be empty) */
	str new_uri;		/* rewritten R-URI */
	str dst_uri;		/* $du, next hop overriding the R-URI */
	int parsed_uri_ok;
	struct sip_uri parsed_uri;	/* of new_uri if set, else R-URI */
	int parsed_orig_ruri_ok;
	struct sip_uri parsed_orig_ruri;

	struct lump *add_rm;		/* header changes (sip/lump.c) */
	struct lump *body_lumps;
	struct lump *reply_lump;	/* added to locally generated replies */

	unsigned int flags;		/* script flags */
	unsigned int msg_flags;		/* FL_* internal flags */
	str set_global_address;		/* set_advertised_address */
	str set_global_port;		/* set_advertised_port */
	struct socket_info *force_send_socket;
	unsigned int force_conn_id;	/* send on this TCP/TLS connection
					   when it is alive (registrar) */
};

/* msg_flags */
#define FL_FORCE_RPORT	1	/* add rport to our Via-received on reply */
#define FL_REPLY_TO_VIA	2
#define FL_FINAL_REPLIED 4	/* a final reply to this request was sent
				   (tm): sl_reply_error() stays silent */

int parse_msg(char *buf, unsigned int len, struct sip_msg *msg);
int parse_headers(struct sip_msg *msg, uint64_t flags, int next);
void msg_free(struct sip_msg *msg);
int parse_sip_msg_uri(struct sip_msg *msg);
int parse_orig_ruri(struct sip_msg *msg);
int msg_method_parse(const str *m);	/* enum request_method */
int msg_content_length(struct sip_msg *msg, unsigned int *len);
char *msg_body(struct sip_msg *msg);	/* NULL if headers unparsable */
str *msg_ruri(struct sip_msg *msg);	/* new_uri if set, else R-URI */
int msg_set_pkg_str(str *dst, const str *src);	/* new_uri, dst_uri */
struct hdr_field *msg_find_hf(struct sip_msg *msg, const str *name);
struct hdr_field *msg_repeated_hf(const struct sip_msg *msg);

#define IS_SIP_REQUEST(m) ((m)->first_line.type == SIP_REQUEST)
#define IS_SIP_REPLY(m)	  ((m)->first_line.type == SIP_REPLY)
#define REQ_LINE(m)	  ((m)->first_line.u.request)
#define REPLY_STATUS(m)	  ((m)->first_line.u.reply.statuscode)

#endif

/*
 * tcp_owner.h: the connections a tcp worker owns.  The owner does
 * everything on them: reads and framing, writes through a bounded queue,
 * connects, deadlines, close.  tcp_send() is the entry point for every
 * process: it queues locally when this worker owns the connection and
 * hands the bytes to the owner over its channel otherwise (one hop).
 */
#ifndef NET_TCP_OWNER_H
#define NET_TCP_OWNER_H

#include "lib/ip_addr.h"
#include "net/tcp_conn.h"
#include "net/tcp_read.h"

#define TCP_WQ_MAX (256 * 1024)	/* bytes queued per connection */

struct tcp_conn;

/* called by the owner for each framed message (or framing failure) */
typedef void (*tcp_msg_f)(struct tcp_conn *c, char *buf, int len,
    enum tcp_frame_result kind);

extern int tcp_owner_self;	/* worker index in a tcp worker, else -1 */

int tcp_owner_init(int worker, int epfd, tcp_msg_f on_msg);
int tcp_owner_adopt(int fd, unsigned int id);
void tcp_owner_io(struct tcp_conn *c, unsigned int events);
void tcp_owner_ipc(int fd);
void tcp_owner_timer(long now);
void tcp_owner_reap(void);
void tcp_owner_close_after_flush(struct tcp_conn *c);
void tcp_owner_fill_ri(const struct tcp_conn *c, struct receive_info *ri);
void tcp_owner_shutdown(void);
int tcp_send(const struct dest_info *dst, const char *buf, int len);

#endif

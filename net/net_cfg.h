/*
 * net_cfg.h: transport tunables set from openser.cfg (cfg/cfg_core.c
 * points its table rows at these).  Defined in net/tcp_conn.c.
 */
#ifndef NET_NET_CFG_H
#define NET_NET_CFG_H

extern int tcp_disable;			/* disable_tcp, default 0 */
extern int tcp_connection_lifetime;	/* seconds idle, default 120 */
extern int tcp_max_connections;		/* default 2048 */
extern int tcp_connect_timeout;		/* seconds, default 10 */
extern int tcp_send_timeout;		/* seconds, default 10 */
extern int tcp_max_msg_len;		/* bytes, default 65535 */
extern int tcp_read_buffer_budget;	/* KB of read buffers per tcp worker,
					   0 (default): half of -M */
extern int tcp_max_unfinished_per_ip;	/* default 64, 0: no limit */

#endif

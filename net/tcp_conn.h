/*
 * tcp_conn.h: the shared connection index.  Every TCP/TLS connection has
 * one entry: id, remote address + protocol (its alias), local socket,
 * owning tcp worker, state.  Any process may look an owner up; only tcp
 * main (for accepted connections) and the owner add, update or remove.
 * Lives in shm, one lock.
 */
#ifndef NET_TCP_CONN_H
#define NET_TCP_CONN_H

#include "lib/ip_addr.h"

struct socket_info;

enum tcp_conn_state {
	TCP_CONN_CONNECTING = 0,
	TCP_CONN_OPEN,
	TCP_CONN_CLOSING,
};

/* a copy of one entry, as returned by lookups */
struct tcp_conn_info {
	unsigned int id;
	enum sip_proto proto;
	int owner;
	enum tcp_conn_state state;
	union sockaddr_union remote;
	struct socket_info *local;
	long created;		/* monotonic seconds */
	int cdom;		/* TLS client domain we connected with, 0 for
				   accepted connections and plain TCP */
	long keep_until;	/* not idle-expired before this (monotonic s) */
	char desc[192];		/* set by the owner's secure layer: TLS
				   version, cipher, domain, peer subject */
};

/* statistics kept in the index */
struct tcp_conn_stats {
	unsigned long opened;	/* currently open */
	unsigned long accepted;
	unsigned long connected;
	unsigned long errors;	/* connect or I/O errors */
	unsigned long refused;	/* over tcp_max_connections */
	unsigned long evicted;	/* closed: partial message, over the
				   worker's tcp_read_buffer_budget */
	unsigned long over_source_limit;	/* closed: over
				   tcp_max_unfinished_per_ip */
	unsigned long dropped;	/* owned by a worker that died */
	unsigned long recovered; /* index repaired after a process died
				   holding its lock */
};

int tcp_index_init(int max_conns, int workers);
void tcp_index_destroy(void);
unsigned int tcp_index_add(enum sip_proto proto,
    const union sockaddr_union *remote, struct socket_info *local, int owner,
    enum tcp_conn_state state, int cdom);
void tcp_index_remove(unsigned int id);
void tcp_index_set_state(unsigned int id, enum tcp_conn_state state);
int tcp_index_keepalive(unsigned int id, long until);
void tcp_index_set_desc(unsigned int id, const char *desc);
int tcp_index_walk(int (*f)(const struct tcp_conn_info *ci, void *arg),
    void *arg);
int tcp_index_by_id(unsigned int id, struct tcp_conn_info *out);
int tcp_index_by_addr(enum sip_proto proto, const union sockaddr_union *remote,
    int cdom, struct tcp_conn_info *out);
int tcp_index_least_loaded(void);
int tcp_index_owner_gone(int w);
void tcp_index_owner_back(int w);
int tcp_index_count(void);
void tcp_index_stats(struct tcp_conn_stats *out);
void tcp_index_count_event(int accepted, int connected, int error,
    int refused);
int tcp_index_unfinished(const union sockaddr_union *su, int delta);
void tcp_index_count_drop(int evicted, int over_source_limit);
long tcp_now(void);

#endif

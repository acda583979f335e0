/*
 * tm_cell.h: the transaction table of the tm module.  A transaction
 * ("cell") is one server transaction (the request we received) with its
 * client transactions (the branches we forwarded it on), RFC 3261 17.
 *
 * Everything here lives in shm and is shared by every process: udp
 * receivers, tcp workers and the timer process all handle messages of
 * the same transactions.  A bucket lock protects the bucket's list and
 * the reference counts of its cells; a cell's own lock protects the rest
 * of the cell.  Lock order: bucket, then cell; never two cells.  A cell
 * is freed only by the timer process, once it is due for deletion and
 * nobody holds a reference.
 */
#ifndef MODULES_TM_TM_CELL_H
#define MODULES_TM_TM_CELL_H

#include "lib/ip_addr.h"
#include "lib/lock.h"
#include "lib/str.h"
#include "parser/msg_parser.h"

#define TM_MAX_BRANCHES 12
#define TM_TABLE_SIZE	16384	/* buckets; a power of two */
#define TM_BRANCH_PREFIX "z9hG4bKtm"
#define TM_BRANCH_PREFIX_LEN 9
/* room kept after the request in a cell for main-route edits (a
 * Record-Route, a new R-URI) so that the routed request replaces the
 * received one in place */
#define TM_REQ_SLACK	128

struct usr_avp;

enum tm_branch_state {
	TM_BR_UNUSED = 0,
	TM_BR_CALLING,		/* sent, nothing heard yet */
	TM_BR_PROCEEDING,	/* a provisional reply came */
	TM_BR_COMPLETED,	/* final reply received, timed out or failed */
};

/* One client transaction.  shm, one block with the request as sent;
 * made when the branch is, owned by its cell. */
struct tm_branch {
	enum tm_branch_state state;
	int code;		/* last reply code (408/503 when made here) */
	char *buf;		/* the request as sent: in this block */
	int len;
	struct dest_info dst;
	unsigned long long retr_at;	/* next retransmission, 0: none */
	unsigned int retr_iv;		/* current interval, ms */
	unsigned long long fr_at;	/* final response deadline, 0: none */
	char *reply;		/* final reply >= 300 as received (shm) */
	int reply_len;
	int reply_local;	/* code made here: no reply to relay */
	char *ack;		/* hop-by-hop ACK for a non-2xx (shm) */
	int ack_len;
	/* CANCEL of this branch: asked (waits for a provisional), sent */
	int cancel_asked;
	char *cancel;
	int cancel_len;
	unsigned long long cancel_retr_at, cancel_end;
	unsigned int cancel_iv;
};

/*
 * shm; in one bucket's list; refcounted (see above).  One block holds the
 * cell, then its matching keys, then the request (see tm_cell_new); a
 * branch is a block of its own made when it is sent, so a transaction
 * with one branch costs two blocks and the stored replies.
 */
struct tm_cell {
	struct tm_cell *next, *prev;	/* bucket list (bucket lock) */
	struct tm_cell *tnext;		/* timer process's work list */
	unsigned int hash;
	unsigned int label;
	int ref;			/* bucket lock */
	unsigned long long delete_at;	/* atomic; 0: not yet */
	unsigned long long next_due;	/* atomic; earliest timer, 0: none */
	struct lock lock;

	/* the server side: the request as routed (main-route edits applied) */
	int method;			/* enum request_method */
	char *req;			/* in this block, or a block of its own */
	int req_len;
	int req_room;			/* bytes for the request in this block */
	struct receive_info rcv;
	struct dest_info reply_dst;	/* where our replies go */
	str ruri;			/* matching keys: copies, in this block */
	str branch;			/* RFC 3261 branch, empty for 2543 */
	str via_host;
	unsigned short via_port;
	str via;			/* top Via body (RFC 2543 matching) */
	str callid, cseq_num, from_tag, to_tag;
	char local_tag[20];		/* To tag of the replies we make */

	int status;			/* last code sent upstream, 0: none */
	char *reply;			/* last reply sent upstream (shm) */
	int reply_len;
	str reply_to_tag;		/* To tag of that final reply (shm) */
	unsigned long long uas_retr_at, uas_end;	/* non-2xx until ACK */
	unsigned int uas_iv;
	unsigned long long max_life;

	int nr_branches;
	int first_branch;		/* of the current forking round */
	struct tm_branch *br[TM_MAX_BRANCHES];	/* the first nr_branches */
	int on_failure, on_reply, on_branch;	/* route indices, 0: none */
	int canceled;
	int in_failure;			/* failure route running */
	int relayed;			/* t_relay already ran on it */
	struct usr_avp *avps;		/* the request's AVPs */
};

/* the parameters (tm.c) */
extern unsigned int tm_fr_timer, tm_fr_inv_timer, tm_wt_timer;
extern unsigned int tm_t1, tm_t2;

/* tm_cell.c */
int tm_table_init(void);
void tm_table_destroy(void);
unsigned int tm_hash_key(const str *a, const str *b);
struct tm_cell *tm_cell_new(struct sip_msg *msg, unsigned int hash);
void tm_cell_free(struct tm_cell *t);
int tm_cell_set_request(struct tm_cell *t, const char *buf, int len);
struct tm_branch *tm_branch_new(struct tm_cell *t, const char *buf, int len);
void tm_bucket_lock(unsigned int hash);
void tm_bucket_unlock(unsigned int hash);
void tm_cell_link_locked(struct tm_cell *t);
void tm_cell_ref(struct tm_cell *t);
void tm_cell_unref(struct tm_cell *t);
int tm_request_hash(struct sip_msg *msg, unsigned int *hash);
struct tm_cell *tm_lookup_request_locked(struct sip_msg *msg,
    unsigned int hash, int want_method);
struct tm_cell *tm_lookup_ack_locked(struct sip_msg *msg, unsigned int hash);
struct tm_cell *tm_lookup_reply(struct sip_msg *msg, int *branch);
/* the earlier of two times in ms, 0 meaning "none" */
static inline unsigned long long
tm_min_due(unsigned long long a, unsigned long long b)
{
	if (a == 0)
		return b;
	if (b == 0)
		return a;
	return a < b ? a : b;
}

void tm_set_due(struct tm_cell *t, unsigned long long at);
void tm_set_delete(struct tm_cell *t, unsigned long long at);
void tm_set_next_due(struct tm_cell *t, unsigned long long at);
void tm_timer(unsigned int ticks, void *param);
void tm_cell_run_timers(struct tm_cell *t, unsigned long long now);
char *tm_shm_dup(const char *s, int len);
void tm_stats_count(void);

/* tm_fwd.c */
struct fwd_dest;
int tm_relay(struct tm_cell *t, struct sip_msg *msg,
    const struct fwd_dest *given);
int tm_cancel_branch(struct tm_cell *t, int b);
void tm_cancel_all(struct tm_cell *t, int except);
int tm_build_ack(struct tm_cell *t, int b, struct sip_msg *rpl);
void tm_send_branch(struct tm_cell *t, int b);

/* tm_reply.c */
int tm_reply_local(struct tm_cell *t, struct sip_msg *req, int code,
    const char *reason);
void tm_resend_reply(struct tm_cell *t);
int tm_on_reply(struct sip_msg *msg);
void tm_branch_done(struct tm_cell *t, int b);
int tm_fake_request(struct tm_cell *t, struct sip_msg *fake);
void tm_fake_free(struct sip_msg *fake);
void tm_uas_final_sent(struct tm_cell *t);

/* tm.c: the per-process route context */
extern struct tm_cell *tm_route_t;

/* statistics (tm_cell.c) */
struct stat_var;
extern struct stat_var *tm_st_uas, *tm_st_uac, *tm_st_inuse;
extern struct stat_var *tm_st_class[7];
extern struct stat_var *tm_st_rcv_rpl, *tm_st_rel_rpl, *tm_st_loc_rpl;

#endif

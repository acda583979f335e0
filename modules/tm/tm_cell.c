/*
 * tm_cell.c: the transaction table (see tm_cell.h): buckets with their
 * locks, creating cells from a request, and matching requests (RFC 3261
 * 17.2.3, with the RFC 2543 fallback) and replies (our own branch) to
 * them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/timer.h"
#include "lib/log.h"
#include "lib/stats.h"
#include "mem/shm.h"
#include "modules/tm/tm_cell.h"
#include "parser/parse_cseq.h"
#include "parser/parse_to.h"
#include "sip/avp.h"

#define MAGIC_COOKIE "z9hG4bK"

/* shm; one per bucket */
struct tm_bucket {
	struct lock lock;
	struct tm_cell *first;
	unsigned int next_label;
	/* atomic: the earliest time (ms) one of its cells needs the timer;
	 * the sweep skips the bucket until then (0: look now) */
	unsigned long long wake;
};

static struct tm_bucket *tm_table;

struct stat_var *tm_st_uas, *tm_st_uac, *tm_st_inuse;
struct stat_var *tm_st_class[7];
struct stat_var *tm_st_rcv_rpl, *tm_st_rel_rpl, *tm_st_loc_rpl;

/* Map the table in shm.  Attendant, mod_init.  0 or -1 (logged). */
int
tm_table_init(void)
{
	unsigned int i, seed = (unsigned int)(timer_now_ms() * 2654435761u)
	    ^ (unsigned int)getpid() << 16;

	tm_table = shm_zalloc(sizeof(*tm_table) * TM_TABLE_SIZE);
	if (tm_table == NULL) {
		SHM_MEM_ERROR("creating the transaction table");
		return -1;
	}
	for (i = 0; i < TM_TABLE_SIZE; i++) {
		if (lock_init(&tm_table[i].lock) == -1) {
			LM_ERR("tm: cannot create the lock of bucket %u", i);
			return -1;
		}
		/* a restarted proxy must not match replies to old branches */
		tm_table[i].next_label = seed + i * 7919u;
	}
	return 0;
}

/*
 * Forget the table at exit.  Attendant.  The cells were made by other
 * processes (under ASan their memory is not ours to read), and the whole
 * arena goes away with shm_destroy() anyway.
 */
void
tm_table_destroy(void)
{
	tm_table = NULL;
}

static unsigned int
fnv(unsigned int h, const str *s)
{
	int i;

	for (i = 0; s != NULL && i < s->len; i++) {
		h ^= (unsigned char)s->s[i];
		h *= 16777619u;
	}
	return h;
}

/* Bucket index of the keys <a> and <b> (b may be NULL). */
unsigned int
tm_hash_key(const str *a, const str *b)
{
	return fnv(fnv(2166136261u, a), b) & (TM_TABLE_SIZE - 1);
}

void
tm_bucket_lock(unsigned int hash)
{
	lock_get(&tm_table[hash].lock);
}

void
tm_bucket_unlock(unsigned int hash)
{
	lock_release(&tm_table[hash].lock);
}

static int
has_cookie(const struct via_body *vb)
{
	return vb->branch != NULL && vb->branch->value.len > 7
	    && memcmp(vb->branch->value.s, MAGIC_COOKIE, 7) == 0;
}

/*
 * The bucket of request <msg> into *<hash>: by its RFC 3261 branch, else
 * by Call-ID and CSeq number, so a CANCEL or an ACK lands where its
 * INVITE is.  0, or -1 when the headers needed are missing.
 */
int
tm_request_hash(struct sip_msg *msg, unsigned int *hash)
{
	if (msg->via1 == NULL)
		return -1;
	if (has_cookie(msg->via1)) {
		*hash = tm_hash_key(&msg->via1->branch->value, NULL);
		return 0;
	}
	if (parse_headers(msg, HDR_CALLID_F | HDR_CSEQ_F, 0) == -1
	    || msg->callid == NULL || msg->cseq == NULL)
		return -1;
	*hash = tm_hash_key(&msg->callid->body, &get_cseq(msg)->number);
	return 0;
}

char *
tm_shm_dup(const char *s, int len)
{
	char *p;

	if ((p = shm_malloc((size_t)len + 1)) == NULL)
		return NULL;
	if (len > 0)
		memcpy(p, s, (size_t)len);
	p[len] = '\0';
	return p;
}

static void
put_key(char **p, str *dst, const str *src)
{
	dst->s = *p;
	dst->len = src != NULL ? src->len : 0;
	if (dst->len > 0)
		memcpy(*p, src->s, (size_t)dst->len);
	*p += dst->len;
}

/* The top Via body as written (for RFC 2543 matching). */
static str
via_text(const struct via_body *vb)
{
	str s;

	s.s = vb->name.s;
	s.len = vb->bsize;
	return s;
}

/* Bytes the matching keys of <msg> take (see copy_keys). */
static size_t
keys_len(struct sip_msg *msg)
{
	struct via_body *vb = msg->via1;

	return (size_t)REQ_LINE(msg).uri.len
	    + (has_cookie(vb) ? (size_t)vb->branch->value.len : 0)
	    + (size_t)vb->host.len + (size_t)via_text(vb).len
	    + (size_t)msg->callid->body.len
	    + (size_t)get_cseq(msg)->number.len
	    + (size_t)get_from(msg)->tag_value.len
	    + (size_t)get_to(msg)->tag_value.len;
}

/* Copy the matching keys of <msg> to <p> (keys_len() bytes). */
static void
copy_keys(struct tm_cell *t, struct sip_msg *msg, char *p)
{
	struct via_body *vb = msg->via1;
	str branch = STR_NULL, via = via_text(vb);

	if (has_cookie(vb))
		branch = vb->branch->value;
	put_key(&p, &t->ruri, &REQ_LINE(msg).uri);
	put_key(&p, &t->branch, &branch);
	put_key(&p, &t->via_host, &vb->host);
	put_key(&p, &t->via, &via);
	put_key(&p, &t->callid, &msg->callid->body);
	put_key(&p, &t->cseq_num, &get_cseq(msg)->number);
	put_key(&p, &t->from_tag, &get_from(msg)->tag_value);
	put_key(&p, &t->to_tag, &get_to(msg)->tag_value);
	t->via_port = vb->port;
}

/*
 * A new cell for request <msg> (fully parsed by the core) in bucket
 * <hash>, with one reference for the caller; not linked yet.  NULL when
 * shm is exhausted (logged).
 */
struct tm_cell *
tm_cell_new(struct sip_msg *msg, unsigned int hash)
{
	struct tm_cell *t;
	unsigned long long h = 0xcbf29ce484222325ULL;
	size_t keys = keys_len(msg);
	int room = (int)msg->len + TM_REQ_SLACK;
	unsigned int i;

	/* one block: the cell, its keys, the request with room for the
	 * usual main-route edits (tm_keep_request) */
	if ((t = shm_zalloc(sizeof(*t) + keys + (size_t)room + 1)) == NULL) {
		SHM_MEM_ERROR("creating a transaction");
		return NULL;
	}
	if (lock_init(&t->lock) == -1) {
		shm_free(t);
		LM_ERR("tm: cannot create a transaction lock");
		return NULL;
	}
	t->hash = hash;
	t->ref = 1;
	t->method = REQ_LINE(msg).method_value;
	t->rcv = msg->rcv;
	copy_keys(t, msg, (char *)(t + 1));
	t->req = (char *)(t + 1) + keys;
	t->req_room = room;
	memcpy(t->req, msg->buf, msg->len);
	t->req_len = (int)msg->len;
	for (i = 0; i < msg->len && i < 4096; i++) {
		h ^= (unsigned char)msg->buf[i];
		h *= 0x100000001b3ULL;
	}
	(void)snprintf(t->local_tag, sizeof(t->local_tag), "%016llx",
	    h ^ ((unsigned long long)hash << 20));
	return t;
}

/* Is the request of <t> in the cell's own block? */
static int
req_inline(const struct tm_cell *t)
{
	return t->req_room > 0;
}

/*
 * Make <buf> (<len> bytes) the request of <t>: in the cell's block when
 * it fits, else in a block of its own.  0, or -1 when shm is exhausted
 * (the old request is kept).
 */
int
tm_cell_set_request(struct tm_cell *t, const char *buf, int len)
{
	char *p;

	if (req_inline(t) && len <= t->req_room) {
		memmove(t->req, buf, (size_t)len);
		t->req[len] = '\0';
		t->req_len = len;
		return 0;
	}
	if ((p = tm_shm_dup(buf, len)) == NULL)
		return -1;
	if (!req_inline(t))
		shm_free(t->req);
	t->req_room = 0;
	t->req = p;
	t->req_len = len;
	return 0;
}

/*
 * A new branch of <t> (not counted yet) holding the request <buf> as
 * sent, in one block; NULL when shm is exhausted.  Cell lock held.
 */
struct tm_branch *
tm_branch_new(struct tm_cell *t, const char *buf, int len)
{
	struct tm_branch *br;

	if ((br = shm_zalloc(sizeof(*br) + (size_t)len + 1)) == NULL)
		return NULL;
	br->buf = (char *)(br + 1);
	memcpy(br->buf, buf, (size_t)len);
	br->len = len;
	t->br[t->nr_branches] = br;
	return br;
}

/* Free cell <t> and everything it owns.  Nobody may hold it. */
void
tm_cell_free(struct tm_cell *t)
{
	struct tm_branch *br;
	int i;

	for (i = 0; i < TM_MAX_BRANCHES; i++) {
		if ((br = t->br[i]) == NULL)
			continue;
		shm_free(br->reply);
		shm_free(br->ack);
		shm_free(br->cancel);
		shm_free(br);
	}
	if (!req_inline(t))
		shm_free(t->req);
	shm_free(t->reply);
	shm_free(t->reply_to_tag.s);
	avp_destroy_list(&t->avps);
	lock_destroy(&t->lock);
	shm_free(t);
}

/* Put <t> in its bucket with a fresh label.  Bucket lock held. */
void
tm_cell_link_locked(struct tm_cell *t)
{
	struct tm_bucket *b = &tm_table[t->hash];

	t->label = b->next_label++;
	t->next = b->first;
	t->prev = NULL;
	if (b->first != NULL)
		b->first->prev = t;
	b->first = t;
	stats_add(tm_st_uas, 1);
	stats_add(tm_st_inuse, 1);
}

/* Take a reference on <t>.  Bucket lock held. */
void
tm_cell_ref(struct tm_cell *t)
{
	t->ref++;
}

/* Give back a reference on <t>.  Takes the bucket lock. */
void
tm_cell_unref(struct tm_cell *t)
{
	tm_bucket_lock(t->hash);
	t->ref--;
	tm_bucket_unlock(t->hash);
}

static int
match_2543(const struct tm_cell *t, struct sip_msg *msg)
{
	str via = via_text(msg->via1);

	return t->branch.len == 0 && str_eq(&t->callid, &msg->callid->body)
	    && str_eq(&t->cseq_num, &get_cseq(msg)->number)
	    && str_eq(&t->from_tag, &get_from(msg)->tag_value)
	    && str_eq(&t->ruri, &REQ_LINE(msg).uri) && str_eq(&t->via, &via);
}

static int
match_3261(const struct tm_cell *t, struct sip_msg *msg)
{
	return str_eq(&t->branch, &msg->via1->branch->value)
	    && str_eq(&t->via_host, &msg->via1->host)
	    && t->via_port == msg->via1->port;
}

/*
 * The cell of bucket <hash> that request <msg> belongs to as a request of
 * method <want_method> (its own method for a retransmission, INVITE for
 * a CANCEL), with a reference taken, or NULL.  Bucket lock held.
 */
struct tm_cell *
tm_lookup_request_locked(struct sip_msg *msg, unsigned int hash,
    int want_method)
{
	struct tm_cell *t;
	int rfc3261 = has_cookie(msg->via1);

	for (t = tm_table[hash].first; t != NULL; t = t->next) {
		if (t->method != want_method)
			continue;
		if (rfc3261 ? !match_3261(t, msg)
			    : !(match_2543(t, msg)
				&& str_eq(&t->to_tag, &get_to(msg)->tag_value)))
			continue;
		tm_cell_ref(t);
		return t;
	}
	return NULL;
}

/*
 * The INVITE cell an ACK <msg> acknowledges a non-2xx final reply of,
 * with a reference, or NULL (an ACK for a 2xx: end to end).  Bucket lock
 * held.
 */
struct tm_cell *
tm_lookup_ack_locked(struct sip_msg *msg, unsigned int hash)
{
	struct tm_cell *t;
	int rfc3261 = has_cookie(msg->via1);

	for (t = tm_table[hash].first; t != NULL; t = t->next) {
		if (t->method != METHOD_INVITE)
			continue;
		if (rfc3261 ? !match_3261(t, msg)
			    : !(match_2543(t, msg)
				&& str_eq(&t->reply_to_tag,
				    &get_to(msg)->tag_value)))
			continue;
		tm_cell_ref(t);
		return t;
	}
	return NULL;
}

static int
hex_part(const char **p, const char *end, char stop, unsigned int *v)
{
	const char *s = *p;

	*v = 0;
	for (; *p < end && **p != stop; (*p)++) {
		int c = (unsigned char)**p, d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else
			return -1;
		*v = *v * 16 + (unsigned int)d;
	}
	if (*p == s || *p - s > 8)
		return -1;
	if (*p < end)
		(*p)++;
	return 0;
}

/*
 * The cell reply <msg> belongs to (its top Via carries our branch
 * z9hG4bKtm<hash>.<label>.<branch>), with a reference, and the branch
 * number in *<branch>; NULL when it is not ours or the cell is gone.
 * Any receiving process.
 */
struct tm_cell *
tm_lookup_reply(struct sip_msg *msg, int *branch)
{
	const char *p, *end;
	unsigned int hash, label, b;
	struct tm_cell *t;

	if (msg->via1 == NULL || msg->via1->branch == NULL
	    || msg->via1->branch->value.len <= TM_BRANCH_PREFIX_LEN
	    || memcmp(msg->via1->branch->value.s, TM_BRANCH_PREFIX,
		TM_BRANCH_PREFIX_LEN) != 0)
		return NULL;
	p = msg->via1->branch->value.s + TM_BRANCH_PREFIX_LEN;
	end = msg->via1->branch->value.s + msg->via1->branch->value.len;
	if (hex_part(&p, end, '.', &hash) == -1
	    || hex_part(&p, end, '.', &label) == -1
	    || hex_part(&p, end, '\0', &b) == -1 || hash >= TM_TABLE_SIZE
	    || b >= TM_MAX_BRANCHES)
		return NULL;
	tm_bucket_lock(hash);
	for (t = tm_table[hash].first; t != NULL; t = t->next)
		if (t->label == label) {
			tm_cell_ref(t);
			break;
		}
	tm_bucket_unlock(hash);
	*branch = (int)b;
	return t;
}

/* Make the timer sweep the bucket of hash <hash> at <at> (ms) at the
 * latest.  Any process; lock-free. */
static void
bucket_wake(unsigned int hash, unsigned long long at)
{
	unsigned long long *w = &tm_table[hash].wake;
	unsigned long long cur = __atomic_load_n(w, __ATOMIC_SEQ_CST);

	while (at < cur && !__atomic_compare_exchange_n(w, &cur, at, 0,
	    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		;
}

/* The earliest time <t> needs the timer (0: none): a timer, its deletion,
 * or, while not yet set for deletion, the end of its life. */
static unsigned long long
cell_wake(const struct tm_cell *t)
{
	unsigned long long del = __atomic_load_n(&t->delete_at,
	    __ATOMIC_SEQ_CST);
	unsigned long long w = tm_min_due(__atomic_load_n(&t->next_due,
	    __ATOMIC_SEQ_CST), del);

	return del == 0 ? tm_min_due(w, t->max_life) : w;
}

/* Make the timer look at <t> at <at> (ms) at the latest.  Cell lock. */
void
tm_set_due(struct tm_cell *t, unsigned long long at)
{
	unsigned long long cur = __atomic_load_n(&t->next_due,
	    __ATOMIC_RELAXED);

	if (at != 0 && (cur == 0 || at < cur)) {
		__atomic_store_n(&t->next_due, at, __ATOMIC_SEQ_CST);
		bucket_wake(t->hash, at);
	}
}

/*
 * The timer ran <t>'s timers and computed its next due time <at> (0:
 * none); the sweep left <t> out of its bucket's wake time, so that is set
 * here from all of <t>'s times.  Cell lock.
 */
void
tm_set_next_due(struct tm_cell *t, unsigned long long at)
{
	unsigned long long w;

	__atomic_store_n(&t->next_due, at, __ATOMIC_SEQ_CST);
	if ((w = cell_wake(t)) != 0)
		bucket_wake(t->hash, w);
}

/* Delete <t> at <at> (ms), or earlier if already due.  Cell lock. */
void
tm_set_delete(struct tm_cell *t, unsigned long long at)
{
	unsigned long long cur = __atomic_load_n(&t->delete_at,
	    __ATOMIC_RELAXED);

	if (cur == 0 || at < cur) {
		__atomic_store_n(&t->delete_at, at, __ATOMIC_SEQ_CST);
		bucket_wake(t->hash, at);
	}
}

/*
 * Free the cells of bucket <i> whose time is up; queue due ones.  A bucket
 * none of whose cells is due is skipped without its lock: the sweep
 * resets its wake time and puts back the earliest time of the cells it
 * keeps, and whoever sets a cell's time lowers the wake time, so nothing
 * due is missed.  (Scanning every cell every tick was 8% of the CPU of a
 * TLS call benchmark.)
 */
static struct tm_cell *
tm_bucket_sweep(unsigned int i, unsigned long long now, struct tm_cell *work)
{
	struct tm_bucket *b = &tm_table[i];
	struct tm_cell *t, *n;
	unsigned long long del, due, wake = 0;

	if (__atomic_load_n(&b->wake, __ATOMIC_SEQ_CST) > now)
		return work;
	lock_get(&b->lock);
	__atomic_store_n(&b->wake, ~0ULL, __ATOMIC_SEQ_CST);
	for (t = b->first; t != NULL; t = n) {
		n = t->next;
		del = __atomic_load_n(&t->delete_at, __ATOMIC_SEQ_CST);
		if (del != 0 && del <= now && t->ref == 0) {
			if (t->prev != NULL)
				t->prev->next = t->next;
			else
				b->first = t->next;
			if (t->next != NULL)
				t->next->prev = t->prev;
			tm_cell_free(t);
			stats_add(tm_st_inuse, (uint64_t)-1);
			continue;
		}
		due = __atomic_load_n(&t->next_due, __ATOMIC_SEQ_CST);
		if ((due != 0 && due <= now) || (del == 0 && t->max_life != 0
		    && t->max_life <= now)) {
			t->ref++;	/* its timers set its next time */
			t->tnext = work;
			work = t;
			continue;
		}
		wake = tm_min_due(wake, cell_wake(t));
	}
	lock_release(&b->lock);
	if (wake != 0)
		bucket_wake(i, wake);
	return work;
}

/*
 * The tm timer job: every tick, run the due timers of every cell and
 * free the cells whose time is up.  Timer process.
 */
void
tm_timer(unsigned int ticks, void *param)
{
	unsigned long long now = timer_now_ms();
	struct tm_cell *work = NULL, *t;
	unsigned int i;

	for (i = 0; i < TM_TABLE_SIZE; i++)
		work = tm_bucket_sweep(i, now, work);
	while ((t = work) != NULL) {
		work = t->tnext;
		lock_get(&t->lock);
		tm_cell_run_timers(t, now);
		lock_release(&t->lock);
		tm_cell_unref(t);
	}
}

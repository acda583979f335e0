/*
 * tm_timer.c: the timers of one transaction, run by the timer process
 * (tm_timer() in tm_cell.c finds the due cells): request retransmissions
 * over UDP (T1 doubling, non-INVITE capped at T2), final response timers
 * (fr_timer, fr_inv_timer once a provisional came: 408 and a CANCEL),
 * CANCEL retransmissions, and retransmissions of a non-2xx final reply of
 * an INVITE until its ACK (timers G and H).
 */
#include "core/timer.h"
#include "lib/log.h"
#include "modules/tm/tm_cell.h"
#include "net/net_send.h"

static void
branch_timeout(struct tm_cell *t, int b)
{
	struct tm_branch *br = t->br[b];

	LM_DBG("tm: branch %d of %u:%u timed out", b, t->hash, t->label);
	if (br->state == TM_BR_PROCEEDING)
		(void)tm_cancel_branch(t, b);	/* RFC 3261 16.8 */
	br->state = TM_BR_COMPLETED;
	br->code = 408;
	br->reply_local = 1;
	br->retr_at = 0;
	br->fr_at = 0;
	tm_branch_done(t, b);
}

static void
branch_timers(struct tm_cell *t, int b, unsigned long long now)
{
	struct tm_branch *br = t->br[b];

	if (br->state == TM_BR_CALLING || br->state == TM_BR_PROCEEDING) {
		if (br->fr_at != 0 && now >= br->fr_at) {
			branch_timeout(t, b);
		} else if (br->retr_at != 0 && now >= br->retr_at) {
			tm_send_branch(t, b);
			br->retr_iv *= 2;
			if (t->method != METHOD_INVITE && br->retr_iv > tm_t2)
				br->retr_iv = tm_t2;
			br->retr_at = now + br->retr_iv;
		}
	}
	if (br->cancel_retr_at != 0 && now >= br->cancel_retr_at) {
		if (now >= br->cancel_end) {
			br->cancel_retr_at = 0;
		} else {
			(void)net_send(&br->dst, br->cancel, br->cancel_len);
			br->cancel_iv = br->cancel_iv * 2 > tm_t2 ? tm_t2
								  : br->cancel_iv * 2;
			br->cancel_retr_at = now + br->cancel_iv;
		}
	}
}

/* Run what is due on <t> at <now> and compute its next due time.  Cell
 * lock held; timer process. */
void
tm_cell_run_timers(struct tm_cell *t, unsigned long long now)
{
	unsigned long long due = 0;
	int i;

	if (t->max_life != 0 && now >= t->max_life) {
		t->max_life = 0;
		tm_set_delete(t, now);
	}
	if (t->uas_retr_at != 0 && now >= t->uas_retr_at) {
		if (now >= t->uas_end) {
			t->uas_retr_at = 0;	/* timer H: no ACK came */
			tm_set_delete(t, now);
		} else {
			tm_resend_reply(t);
			t->uas_iv = t->uas_iv * 2 > tm_t2 ? tm_t2 : t->uas_iv * 2;
			t->uas_retr_at = now + t->uas_iv;
		}
	}
	for (i = 0; i < t->nr_branches; i++)
		branch_timers(t, i, now);
	due = t->uas_retr_at;
	for (i = 0; i < t->nr_branches; i++) {
		due = tm_min_due(due, t->br[i]->retr_at);
		due = tm_min_due(due, t->br[i]->fr_at);
		due = tm_min_due(due, t->br[i]->cancel_retr_at);
	}
	tm_set_next_due(t, due);
}

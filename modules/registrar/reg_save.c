/*
 * reg_save.c: save(table[, flags]), REGISTER processing per RFC 3261
 * 10.3.  The request is checked first, then every Contact is validated
 * under the AoR's lock before any binding changes, so a REGISTER is
 * applied whole or not at all; the 200 OK lists every binding with its
 * remaining expires.  The reply is sent here unless flag 0x02 is given.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/log.h"
#include "mem/pkg.h"
#include "modules/registrar/reg_mod.h"
#include "modules/usrloc/usrloc.h"
#include "net/net_send.h"
#include "net/tcp_conn.h"
#include "parser/parse_contact.h"
#include "parser/parse_cseq.h"
#include "parser/parse_expires.h"
#include "parser/parse_to.h"
#include "script/sr_module.h"
#include "sip/lump.h"
#include "sip/reply.h"

#define REG_MAX_CONTACTS 32	/* Contact values in one REGISTER */
#define REG_REPLY_MAX	 65536
#define REG_HDRS_MAX	 16384

/* the outcome of processing, turned into a reply */
struct reg_result {
	int code;
	const char *reason;
	char extra[REG_HDRS_MAX];	/* Contact / Min-Expires lines */
	int extra_len;
};

/* one Contact of the request, validated */
struct reg_contact {
	struct contact *c;
	unsigned int expires;	/* 0: remove */
	int q;
	unsigned int methods;
};

static void
reg_fail(struct reg_result *res, int code, const char *reason)
{
	res->code = code;
	res->reason = reason;
}

static void
reg_extra(struct reg_result *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
reg_extra(struct reg_result *res, const char *fmt, ...)
{
	va_list ap;
	int n, left = (int)sizeof(res->extra) - res->extra_len;

	if (left <= 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(res->extra + res->extra_len, (size_t)left, fmt, ap);
	va_end(ap);
	res->extra_len += n < left ? n : left;
}

/* The Expires header's value, or -1 when there is none.  -2 if invalid. */
static int
reg_hdr_expires(struct sip_msg *msg)
{
	if (msg->expires == NULL)
		return -1;
	if (parse_expires(msg->expires) == -1)
		return -2;
	return (int)(get_expires(msg->expires)->val > 0x7fffffffu
	    ? 0x7fffffffu : get_expires(msg->expires)->val);
}

/* The methods= parameter of a contact as a method mask (0: all). */
static unsigned int
reg_methods(const struct contact *c)
{
	unsigned int mask = 0;
	str v, m;
	int i, start;

	if (c->methods == NULL)
		return 0;
	v = c->methods->value;
	if (v.len >= 2 && v.s[0] == '"') {
		v.s++;
		v.len -= 2;
	}
	for (i = start = 0; i <= v.len; i++) {
		if (i < v.len && v.s[i] != ',')
			continue;
		m.s = v.s + start;
		m.len = i - start;
		str_trim(&m);
		mask |= (unsigned int)msg_method_parse(&m);
		start = i + 1;
	}
	return mask;
}

/*
 * Collect the request's contacts with their expires and q (RFC 3261 10.3
 * step 6-7).  Returns how many, or -1 with <res> set.  <star> is set for
 * "Contact: *".
 */
static int
reg_collect(struct sip_msg *msg, struct reg_contact *rc, int *star,
    struct reg_result *res)
{
	struct hdr_field *h;
	struct contact *c;
	unsigned int e;
	int hexp, n = 0;

	*star = 0;
	if (parse_contact_all(msg) == -1) {
		reg_fail(res, 400, "Invalid Contact");
		return -1;
	}
	if ((hexp = reg_hdr_expires(msg)) == -2) {
		reg_fail(res, 400, "Invalid Expires");
		return -1;
	}
	for (h = msg->contact; h != NULL; h = h->sibling) {
		if (((struct contact_body *)h->parsed)->star) {
			if (hexp != 0 || n > 0 || h->sibling != NULL) {
				reg_fail(res, 400, "Invalid * Contact: needs "
				    "Expires: 0 and no other contact");
				return -1;
			}
			*star = 1;
			continue;
		}
		for (c = ((struct contact_body *)h->parsed)->contacts; c != NULL;
		     c = c->next) {
			if (n == REG_MAX_CONTACTS) {
				reg_fail(res, 400, "Too many contacts");
				return -1;
			}
			if (parse_contact_expires(c, &e) == -1)
				e = hexp >= 0 ? (unsigned int)hexp
				    : reg_default_expires;
			if (e > 0 && reg_max_expires > 0 && e > reg_max_expires)
				e = reg_max_expires;
			if (e > 0 && e < reg_min_expires) {
				reg_fail(res, 423, "Interval Too Brief");
				reg_extra(res, "Min-Expires: %u\r\n",
				    reg_min_expires);
				return -1;
			}
			rc[n].c = c;
			rc[n].expires = e;
			rc[n].q = reg_default_q;
			if (c->q != NULL && ul_q_parse(&c->q->value, &rc[n].q)
			    == -1) {
				reg_fail(res, 400, "Invalid q value");
				return -1;
			}
			rc[n].methods = reg_methods(c);
			n++;
		}
	}
	return n;
}

/* "sip:ip:port[;transport=x]" the request came from, into <buf>. */
static void
reg_received(struct sip_msg *msg, char *buf, int size, str *out)
{
	char ip[IP_ADDR_MAX_STR];
	int n;

	if (ip_addr_to_str(&msg->rcv.src_ip, ip, sizeof(ip)) < 0)
		ip[0] = '\0';
	n = snprintf(buf, (size_t)size, msg->rcv.src_ip.af == AF_INET6
	    ? "sip:[%s]:%u%s%s" : "sip:%s:%u%s%s", ip, msg->rcv.src_port,
	    msg->rcv.proto != PROTO_UDP ? ";transport=" : "",
	    msg->rcv.proto != PROTO_UDP ? proto_name(msg->rcv.proto) : "");
	out->s = buf;
	out->len = n < size ? n : size - 1;
}

/* The request's Path values joined by commas (use_path), in <buf>. */
static void
reg_path(struct sip_msg *msg, char *buf, int size, str *out)
{
	struct hdr_field *h;
	int n = 0;

	out->s = buf;
	out->len = 0;
	if (!reg_use_path)
		return;
	for (h = msg->path; h != NULL; h = h->sibling) {
		if (n + h->body.len + 1 >= size)
			break;
		if (n > 0)
			buf[n++] = ',';
		memcpy(buf + n, h->body.s, (size_t)h->body.len);
		n += h->body.len;
	}
	out->len = n;
}

/*
 * Validate every contact against the stored bindings (CSeq ordering,
 * max_contacts).  0, or -1 with <res> set.  Lock held.
 */
static int
reg_check_locked(struct ul_record *rec, const struct reg_contact *rc, int n,
    const str *callid, unsigned int cseq, time_t now, struct reg_result *res)
{
	struct ul_contact *uc;
	int i, count = 0;

	if (rec != NULL)
		for (uc = rec->contacts; uc != NULL; uc = uc->next)
			count += ul_contact_valid(uc, now);
	for (i = 0; i < n; i++) {
		uc = rec != NULL ? ul_get_contact_locked(rec, &rc[i].c->uri)
				 : NULL;
		if (uc != NULL && str_eq(&uc->callid, callid)
		    && cseq < uc->cseq) {
			reg_fail(res, 400, "Invalid CSeq number");
			return -1;
		}
		if (rc[i].expires == 0) {
			if (uc != NULL && ul_contact_valid(uc, now))
				count--;
		} else if (uc == NULL || !ul_contact_valid(uc, now)) {
			count++;
		}
	}
	if (reg_max_contacts > 0 && count > (int)reg_max_contacts) {
		reg_fail(res, 503, "Too many registered contacts");
		return -1;
	}
	return 0;
}

/* Apply the validated contacts to <rec>.  0, or -1 (out of shm).  Lock. */
static int
reg_apply_locked(struct ul_record *rec, const struct reg_contact *rc, int n,
    struct ul_info *ci, time_t now)
{
	struct ul_contact *uc;
	int i;

	for (i = 0; i < n; i++) {
		uc = ul_get_contact_locked(rec, &rc[i].c->uri);
		if (rc[i].expires == 0) {
			if (uc != NULL)
				ul_delete_contact_locked(rec, uc);
			continue;
		}
		ci->expires = now + (time_t)rc[i].expires;
		ci->q = rc[i].q;
		ci->methods = rc[i].methods;
		if (uc != NULL ? ul_update_contact_locked(rec, uc, ci) == -1
		    : ul_insert_contact_locked(rec, &rc[i].c->uri, ci) == NULL)
			return -1;
		/* the UA is reached over this connection while registered */
		if (ci->proto != PROTO_UDP && ci->conn_id != 0)
			(void)tcp_index_keepalive(ci->conn_id,
			    tcp_now() + (long)rc[i].expires);
	}
	return 0;
}

/* The 200 OK's Contact lines: every binding with what is left of it. */
static void
reg_list_locked(struct ul_record *rec, time_t now, struct reg_result *res)
{
	struct ul_contact *uc;
	char q[8];

	for (uc = rec != NULL ? rec->contacts : NULL; uc != NULL; uc = uc->next) {
		if (!ul_contact_valid(uc, now))
			continue;
		ul_q_str(uc->q, q);
		reg_extra(res, "Contact: <%.*s>;expires=%ld%s%s\r\n",
		    STR_FMT(&uc->c), (uc->flags & UL_FL_PERMANENT) ? 0L
		    : (long)(uc->expires - now), q[0] != '\0' ? ";q=" : "", q);
	}
}

/* Everything under the AoR's lock: check, apply, list. */
static void
reg_update(struct ul_domain *d, const str *aor, struct reg_contact *rc,
    int n, int star, struct ul_info *ci, struct reg_result *res)
{
	struct ul_record *rec;
	time_t now = time(NULL);

	ul_db_error = 0;
	ul_lock(d, aor);
	rec = ul_get_record_locked(d, aor);
	if (ul_db_error) {
		goto done;
	} else if (star) {
		if (rec != NULL)
			ul_delete_record_locked(d, rec);
		rec = NULL;
	} else if (reg_check_locked(rec, rc, n, &ci->callid, ci->cseq, now,
	    res) == -1) {
		goto done;
	} else if (n > 0) {
		if (rec == NULL && (rec = ul_insert_record_locked(d, aor))
		    == NULL) {
			reg_fail(res, 500, "Server Internal Error");
			goto done;
		}
		if (reg_apply_locked(rec, rc, n, ci, now) == -1)
			reg_fail(res, 500, "Server Internal Error");
	}
	if (ul_db_error)
		goto release;
	if (res->code == 200) {
		reg_list_locked(rec, now, res);
		if (ci->path.len > 0)
			reg_extra(res, "Path: %.*s\r\n", STR_FMT(&ci->path));
	}
release:
	if (rec != NULL)
		ul_release_record_locked(d, rec);
done:
	ul_unlock(d, aor);
	if (ul_db_error) {
		/* the location database failed: the phone tries again later */
		res->extra_len = 0;
		reg_fail(res, 500, "Server Internal Error");
		reg_extra(res, "Retry-After: %u\r\n", reg_retry_after > 0
		    ? reg_retry_after : REG_DB_RETRY_AFTER);
	}
}

/* Check the headers save() needs and fill <ci> and <aor>.  0 or -1. */
static int
reg_request(struct sip_msg *msg, struct ul_info *ci, char *aorbuf, str *aor,
    struct reg_result *res)
{
	if (parse_headers(msg, HDR_EOH_F, 0) == -1) {
		reg_fail(res, 400, "Bad Request");
		return -1;
	}
	if (msg->to == NULL || parse_to_header(msg) == -1
	    || reg_aor_from_uri(&get_to(msg)->uri, aorbuf, aor) == -1) {
		reg_fail(res, 400, "Invalid To or AOR");
		return -1;
	}
	if (msg->callid == NULL || msg->callid->body.len == 0) {
		reg_fail(res, 400, "Missing Call-ID");
		return -1;
	}
	if (msg->cseq == NULL || msg->cseq->parsed == NULL) {
		reg_fail(res, 400, "Invalid CSeq");
		return -1;
	}
	memset(ci, 0, sizeof(*ci));
	ci->callid = msg->callid->body;
	str_trim(&ci->callid);
	ci->cseq = get_cseq(msg)->num;
	if (msg->user_agent != NULL) {
		ci->user_agent = msg->user_agent->body;
		str_trim(&ci->user_agent);
	}
	ci->sock = msg->rcv.bind_address;
	ci->proto = msg->rcv.proto;
	ci->conn_id = msg->rcv.proto != PROTO_UDP ? msg->rcv.conn_id : 0;
	return 0;
}

static int
reg_reply(struct sip_msg *msg, const struct reg_result *res)
{
	static char buf[REG_REPLY_MAX], extra[REG_HDRS_MAX + 4096];
	struct dest_info dst;
	str x = { extra, 0 };
	int len;

	const struct lump *l;
	int total = 0;

	memcpy(extra, res->extra, (size_t)res->extra_len);
	x.len = res->extra_len;
	/* headers the script added with append_to_reply() */
	for (l = msg->reply_lump; l != NULL; l = l->next)
		total += l->ins.len;
	if (total > 0 && x.len + total <= (int)sizeof(extra))
		x.len += lump_concat(msg->reply_lump, extra + x.len);
	len = reply_build(msg, res->code, res->reason, NULL, &x, buf,
	    (int)sizeof(buf));
	if (len == -1) {
		LM_ERR("registrar: reply %d to REGISTER too large", res->code);
		return -1;
	}
	reply_dest(msg, &dst);
	return net_send(&dst, buf, len);
}

/*
 * save(table[, flags]): process the REGISTER <msg> into <table>.  Sends
 * the reply unless flags has 0x02.  1 on success, -1 on failure (after
 * the error reply).  Receiving processes.
 */
int
w_reg_save(struct sip_msg *msg, void *table, void *flags)
{
	static struct reg_result res;
	struct reg_contact rc[REG_MAX_CONTACTS];
	struct ul_info ci;
	char aorbuf[REG_AOR_MAX], rcvbuf[IP_ADDR_MAX_STR + 48], pathbuf[2048];
	str aor = STR_NULL;
	int n = 0, star = 0;

	res.code = 200;
	res.reason = "OK";
	res.extra_len = 0;
	if (REQ_LINE(msg).method_value != METHOD_REGISTER) {
		LM_ERR("registrar: save() called for %.*s, not REGISTER",
		    STR_FMT(&REQ_LINE(msg).method));
		return CMD_ERROR;
	}
	if (reg_request(msg, &ci, aorbuf, &aor, &res) == 0
	    && (n = reg_collect(msg, rc, &star, &res)) >= 0) {
		reg_received(msg, rcvbuf, sizeof(rcvbuf), &ci.received);
		reg_path(msg, pathbuf, sizeof(pathbuf), &ci.path);
		reg_update(table, &aor, rc, n, star, &ci, &res);
	}
	if (res.code != 200)
		LM_INFO("registrar: REGISTER for '%.*s' refused: %d %s",
		    STR_FMT(&aor), res.code, res.reason);
	if (!((uintptr_t)flags & REG_NO_REPLY) && reg_reply(msg, &res) == -1)
		return CMD_ERROR;
	return res.code == 200 ? CMD_TRUE : CMD_FALSE;
}

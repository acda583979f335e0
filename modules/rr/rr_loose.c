/*
 * rr_loose.c: loose_route(), RFC 3261 16.4 and 16.12.
 *
 * 1. Strict-router compatibility: an in-dialog request whose R-URI is one
 *    of our Record-Route URIs (ours, no user part) was sent by a strict
 *    router; the last Route value is the real target: it becomes the R-URI
 *    and is removed.
 * 2. Every Route value naming us at the top is removed (the two of a
 *    double Record-Route, or one).
 * 3. The next Route, if any, is where the request goes: a loose router
 *    ($du = its URI), or a strict router (it becomes the R-URI and the
 *    R-URI is appended as the last Route).
 * Returns 1 when the request was routed by Route headers; -1 when there is
 * no Route, or the request is out of dialog and only named us (the
 * preloaded Route is removed).
 */
#include <string.h>

#include "lib/log.h"
#include "mem/pkg.h"
#include "modules/rr/rr_mod.h"
#include "net/socket_info.h"
#include "parser/parse_rr.h"
#include "parser/parse_to.h"
#include "parser/parse_uri.h"
#include "script/sr_module.h"
#include "sip/lump.h"

#define RR_ROUTES_MAX 64

struct rr_entry {
	struct hdr_field *h;
	struct rr *r;
	int del;
};

/* Every Route value not already removed, in order.  Count, or -1. */
static int
rr_collect(struct sip_msg *msg, struct rr_entry *e)
{
	struct hdr_field *h;
	struct rr *r;
	int n = 0;

	if (parse_headers(msg, HDR_EOH_F, 0) == -1)
		return -1;
	for (h = msg->route; h != NULL; h = h->sibling) {
		if (parse_rr(h) == -1)
			return -1;
		for (r = h->parsed; r != NULL; r = r->next) {
			if (lump_deleted(msg->add_rm, (int)(r->start - msg->buf),
			    r->len))
				continue;
			if (n == RR_ROUTES_MAX)
				return -1;
			e[n].h = h;
			e[n].r = r;
			e[n].del = 0;
			n++;
		}
	}
	return n;
}

static int
rr_uri_is_self(const str *uri, struct sip_uri *u)
{
	if (parse_uri(uri->s, uri->len, u) == -1)
		return 0;
	return sock_check_self(&u->host, u->port_no, u->proto);
}

/* 1 when the route URI <uri> is a loose router's (has ;lr). */
static int
rr_is_loose(const str *uri)
{
	struct sip_uri u;

	return parse_uri(uri->s, uri->len, &u) == 0 && u.lr.len > 0;
}

/*
 * Remove the entries marked del: a header whose values all go is removed
 * whole, else each run of values with the comma joining it.  0 or -1.
 */
static int
rr_apply_deletes(struct sip_msg *msg, struct rr_entry *e, int n)
{
	struct rr *r, *prev;
	int i, j, off, all;

	for (i = 0; i < n; i = j) {
		for (j = i; j < n && e[j].h == e[i].h; j++)
			;
		all = 1;
		for (r = e[i].h->parsed; r != NULL; r = r->next) {
			int k, gone = lump_deleted(msg->add_rm,
			    (int)(r->start - msg->buf), r->len);

			for (k = i; k < j && !gone; k++)
				gone = e[k].r == r && e[k].del;
			all &= gone;
		}
		if (all) {
			off = (int)(e[i].h->name.s - msg->buf);
			if (lump_add(&msg->add_rm, off, e[i].h->len, NULL, 0)
			    == NULL)
				return -1;
			continue;
		}
		for (prev = NULL, r = e[i].h->parsed; r != NULL;
		     prev = r, r = r->next) {
			int k, del = 0;

			for (k = i; k < j; k++)
				del |= e[k].r == r && e[k].del;
			if (!del)
				continue;
			if (r->next != NULL) {
				off = (int)(r->start - msg->buf);
				if (lump_add(&msg->add_rm, off,
				    (int)(r->next->start - r->start), NULL, 0)
				    == NULL)
					return -1;
			} else if (prev != NULL) {
				/* the last value: its comma goes with it */
				off = (int)(prev->start + prev->len - msg->buf);
				if (lump_add(&msg->add_rm, off,
				    (int)(r->start + r->len
					- (prev->start + prev->len)), NULL, 0)
				    == NULL)
					return -1;
			}
		}
	}
	return 0;
}

/* R-URI <old> appended as the last Route (next hop is a strict router). */
static int
rr_append_ruri(struct sip_msg *msg, struct rr_entry *e, int n, const str *old)
{
	struct hdr_field *h = e[n - 1].h;
	char *buf;
	int off = (int)(h->name.s - msg->buf) + h->len, rc;

	if ((buf = pkg_malloc((size_t)old->len + 12)) == NULL)
		return -1;
	memcpy(buf, "Route: <", 8);
	memcpy(buf + 8, old->s, (size_t)old->len);
	memcpy(buf + 8 + old->len, ">\r\n", 3);
	rc = lump_add(&msg->add_rm, off, 0, buf, old->len + 11) == NULL ? -1 : 0;
	pkg_free(buf);
	return rc;
}

/* The R-URI was put there by a strict router: 1 if it is ours. */
static int
rr_strict_previous(struct sip_msg *msg, int in_dialog)
{
	if (!in_dialog || parse_sip_msg_uri(msg) == -1)
		return 0;
	return msg->parsed_uri.user.len == 0
	    && sock_check_self(&msg->parsed_uri.host, msg->parsed_uri.port_no,
		msg->parsed_uri.proto);
}

static int
rr_in_dialog(struct sip_msg *msg)
{
	if (parse_headers(msg, HDR_TO_F, 0) == -1 || msg->to == NULL
	    || parse_to_header(msg) == -1)
		return 0;
	return get_to(msg)->tag_value.len > 0;
}

int
w_rr_loose_route(struct sip_msg *msg, void *unused1, void *unused2)
{
	struct rr_entry e[RR_ROUTES_MAX];
	struct sip_uri u;
	str old;
	int n, total, i, in_dialog, rc = CMD_TRUE;

	if ((n = rr_collect(msg, e)) == -1) {
		LM_ERR("rr: bad Route header in %.*s",
		    STR_FMT(&REQ_LINE(msg).method));
		return CMD_ERROR;
	}
	if (n == 0)
		return CMD_FALSE;
	total = n;
	in_dialog = rr_in_dialog(msg);
	if (rr_strict_previous(msg, in_dialog)) {
		e[n - 1].del = 1;
		if (msg_set_pkg_str(&msg->new_uri, &e[n - 1].r->uri) == -1)
			goto oom;
		msg->parsed_uri_ok = 0;
		n--;
	}
	for (i = 0; i < n && rr_uri_is_self(&e[i].r->uri, &u); i++)
		e[i].del = 1;
	if (i == n) {
		/* only us: a preloaded Route to us is not routing */
		rc = in_dialog ? CMD_TRUE : CMD_FALSE;
	} else if (rr_is_loose(&e[i].r->uri)) {
		if (msg_set_pkg_str(&msg->dst_uri, &e[i].r->uri) == -1)
			goto oom;
	} else {
		/* next hop is a strict router: it goes in the R-URI */
		old = *msg_ruri(msg);
		if (rr_append_ruri(msg, e, total, &old) == -1
		    || msg_set_pkg_str(&msg->new_uri, &e[i].r->uri) == -1)
			goto oom;
		msg->parsed_uri_ok = 0;
		e[i].del = 1;
	}
	if (rr_apply_deletes(msg, e, total) == -1)
		goto oom;
	return rc;
oom:
	PKG_MEM_ERROR("loose routing");
	return CMD_ERROR;
}

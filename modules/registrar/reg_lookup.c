/*
 * reg_lookup.c: lookup(table) and registered(table).  lookup() rewrites
 * the R-URI to the best contact of the AoR (highest q, newest first) and
 * adds the others as branches.  A UA that registered over TCP or TLS is
 * reached over the connection it registered from, whatever its Contact
 * says (Mediatrix gateways register over TLS with a Contact carrying no
 * transport and a port nobody listens on): $du becomes the source
 * address of that REGISTER with its transport, and force_conn_id names
 * the connection.
 */
#include <string.h>
#include <time.h>

#include "lib/log.h"
#include "mem/pkg.h"
#include "modules/registrar/reg_mod.h"
#include "modules/usrloc/usrloc.h"
#include "parser/parse_rr.h"
#include "script/dset.h"
#include "script/sr_module.h"
#include "sip/lump.h"

/* The R-URI's AoR key into <buf>.  0, or -1 (logged). */
static int
reg_ruri_aor(struct sip_msg *msg, char *buf, str *aor)
{
	if (reg_aor_from_uri(msg_ruri(msg), buf, aor) == -1) {
		LM_ERR("registrar: R-URI %.*s has no usable user part",
		    STR_FMT(msg_ruri(msg)));
		return -1;
	}
	return 0;
}

/* 1 when contact <c> accepts the method of <msg> (methods= param). */
static int
reg_method_ok(const struct ul_contact *c, struct sip_msg *msg)
{
	return c->methods == 0
	    || (c->methods & (unsigned int)REQ_LINE(msg).method_value) != 0;
}

/* The first URI of a Path vector, into <uri> (points into <path>). */
static int
reg_path_first(const str *path, str *uri)
{
	struct rr *r = NULL;
	str tmp = *path;

	if (parse_rr_body(&tmp, &r) == -1 || r == NULL) {
		rr_free(r);
		return -1;
	}
	*uri = r->uri;
	rr_free(r);
	return 0;
}

/*
 * The R-URI branch: new R-URI, next hop (Path, or the connection the UA
 * registered over), socket.  0, or -1 when out of pkg memory.
 */
static int
reg_set_main(struct sip_msg *msg, const struct ul_contact *c)
{
	char *hdr;
	str du;
	int off;

	if (msg_set_pkg_str(&msg->new_uri, &c->c) == -1)
		return -1;
	msg->parsed_uri_ok = 0;
	msg->force_send_socket = c->sock;
	if (c->path.len > 0 && reg_path_first(&c->path, &du) == 0) {
		/* the Path becomes our Route set; its first hop is next */
		if (msg_set_pkg_str(&msg->dst_uri, &du) == -1)
			return -1;
		off = (int)(msg->headers->name.s - msg->buf);
		if ((hdr = pkg_malloc((size_t)c->path.len + 10)) == NULL)
			return -1;
		memcpy(hdr, "Route: ", 7);
		memcpy(hdr + 7, c->path.s, (size_t)c->path.len);
		memcpy(hdr + 7 + c->path.len, "\r\n", 2);
		off = lump_add(&msg->add_rm, off, 0, hdr, c->path.len + 9) == NULL
		    ? -1 : 0;
		pkg_free(hdr);
		return off;
	}
	if (c->proto != PROTO_UDP && c->conn_id != 0 && c->received.len > 0) {
		if (msg_set_pkg_str(&msg->dst_uri, &c->received) == -1)
			return -1;
		msg->force_conn_id = c->conn_id;
	}
	return 0;
}

/* Another contact as a branch of the destination set. */
static void
reg_add_branch(const struct ul_contact *c)
{
	struct dset_branch_info b;

	memset(&b, 0, sizeof(b));
	b.uri = c->c;
	b.q = c->q;
	b.sock = c->sock;
	b.path = c->path;
	if (c->path.len == 0 && c->proto != PROTO_UDP && c->conn_id != 0) {
		b.dst_uri = c->received;
		b.conn_id = c->conn_id;
	} else if (c->path.len > 0) {
		(void)reg_path_first(&c->path, &b.dst_uri);
	}
	if (dset_append_info(&b) == -1)
		LM_WARN("registrar: destination set full; contact %.*s left out",
		    STR_FMT(&c->c));
}

/*
 * lookup(table): 1 found (R-URI rewritten, branches added), -1 no
 * contact, -2 contacts exist but none accepts the method, -3 error.
 * Receiving processes (request and failure routes).
 */
int
w_reg_lookup(struct sip_msg *msg, void *table, void *unused)
{
	struct ul_domain *d = table;
	struct ul_record *rec;
	const struct ul_contact *c;
	char buf[REG_AOR_MAX];
	time_t now = time(NULL);
	str aor;
	int found = 0, other_method = 0, rc = 0;

	if (reg_ruri_aor(msg, buf, &aor) == -1)
		return -3;
	ul_lock(d, &aor);
	rec = ul_get_record_locked(d, &aor);
	for (c = rec != NULL ? rec->contacts : NULL; c != NULL && rc == 0;
	     c = c->next) {
		if (!ul_contact_valid(c, now))
			continue;
		if (!reg_method_ok(c, msg)) {
			other_method = 1;
			continue;
		}
		if (found++ == 0)
			rc = reg_set_main(msg, c);
		else if (reg_append_branches)
			reg_add_branch(c);
		else
			break;
	}
	ul_unlock(d, &aor);
	if (rc == -1) {
		PKG_MEM_ERROR("rewriting the R-URI from usrloc");
		return -3;
	}
	if (found == 0) {
		LM_DBG("registrar: %.*s: no contact in %s", STR_FMT(&aor),
		    ul_domain_name(d));
		return other_method ? -2 : -1;
	}
	return CMD_TRUE;
}

/* registered(table): 1 when the R-URI's AoR has a live contact, else -1. */
int
w_reg_registered(struct sip_msg *msg, void *table, void *unused)
{
	struct ul_domain *d = table;
	struct ul_record *rec;
	const struct ul_contact *c;
	char buf[REG_AOR_MAX];
	time_t now = time(NULL);
	str aor;
	int found = 0;

	if (reg_ruri_aor(msg, buf, &aor) == -1)
		return CMD_FALSE;
	ul_lock(d, &aor);
	if ((rec = ul_get_record_locked(d, &aor)) != NULL)
		for (c = rec->contacts; c != NULL && !found; c = c->next)
			found = ul_contact_valid(c, now);
	ul_unlock(d, &aor);
	return found ? CMD_TRUE : CMD_FALSE;
}

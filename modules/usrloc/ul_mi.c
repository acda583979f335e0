/*
 * ul_mi.c: usrloc's management commands, with OpenSER 1.x arguments:
 * ul_dump, ul_show_contact <table> <aor>, ul_rm <table> <aor>,
 * ul_rm_contact <table> <aor> <contact>, ul_add <table> <aor> <contact>
 * <expires> <q> [<unused> [<flags> [<cflags> [<methods>]]]], ul_flush.
 * They run in the MI transport's process and read shm under slot locks.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/socket_info.h"
#include "modules/usrloc/ul_table.h"

#define UL_MI_AOR_MAX 256

/* The table named by <name>, or NULL after setting 404 in <r>. */
static struct ul_domain *
ul_mi_table(const str *name, struct mi_reply *r)
{
	struct ul_domain *d;

	if ((d = ul_find_domain(name)) == NULL)
		mi_reply_error(r, 404, "Table not found");
	return d;
}

/*
 * The AoR key for <in>: without its domain part unless use_domain is on,
 * with the domain lowercased when it is.  0, or -1 after setting 400.
 */
static int
ul_mi_aor(const str *in, char *buf, str *out, struct mi_reply *r)
{
	str user = *in, host = { NULL, 0 };
	char *at = memchr(in->s, '@', (size_t)in->len);

	if (at != NULL) {
		user.len = (int)(at - in->s);
		host.s = at + 1;
		host.len = in->len - user.len - 1;
	}
	if (in->len == 0 || ul_aor_normalize(&user, &host, buf, UL_MI_AOR_MAX,
	    out) == -1) {
		mi_reply_error(r, 400, "Bad AOR");
		return -1;
	}
	return 0;
}

/*
 * The arguments every per-AoR command starts with: <table> <aor>, with
 * <min>..<max> arguments in all.  The table, with the AoR key in <aor>
 * (bytes in <buf>), or NULL after setting the error reply in <r>.
 */
static struct ul_domain *
ul_mi_target(int argc, const str *argv, int min, int max, char *buf, str *aor,
    struct mi_reply *r)
{
	struct ul_domain *d;

	ul_db_error = 0;
	if (argc < min || argc > max) {
		mi_reply_error(r, 400, "Too few or too many arguments");
		return NULL;
	}
	if ((d = ul_mi_table(&argv[0], r)) == NULL
	    || ul_mi_aor(&argv[1], buf, aor, r) == -1)
		return NULL;
	return d;
}

static void
ul_mi_contact_line(struct mi_reply *r, const struct ul_contact *c, time_t now)
{
	char q[8];

	ul_q_str(c->q, q);
	(void)mi_reply_printf(r, "Contact:: <%.*s>;q=%s;expires=%ld;flags=0x%x;"
	    "socket=<%s>;methods=0x%x", STR_FMT(&c->c), q,
	    (c->flags & UL_FL_PERMANENT) ? 0L : (long)(c->expires - now),
	    c->flags, c->sock != NULL ? c->sock->sock_str.s : "",
	    c->methods);
	if (c->received.len > 0)
		(void)mi_reply_printf(r, ";received=<%.*s>",
		    STR_FMT(&c->received));
	if (c->user_agent.len > 0)
		(void)mi_reply_printf(r, ";user_agent=<%.*s>",
		    STR_FMT(&c->user_agent));
	if (c->path.len > 0)
		(void)mi_reply_printf(r, ";path=<%.*s>", STR_FMT(&c->path));
	if (c->conn_id != 0)
		(void)mi_reply_printf(r, ";conn=%s/%u", proto_name(c->proto),
		    c->conn_id);
	(void)mi_reply_printf(r, "\n");
}

static void
ul_mi_dump_contact(struct mi_reply *r, const struct ul_contact *c, time_t now)
{
	char q[8];

	ul_q_str(c->q, q);
	(void)mi_reply_printf(r, "\t\tContact:: %.*s Q=%s\n", STR_FMT(&c->c), q);
	if (c->flags & UL_FL_PERMANENT)
		(void)mi_reply_printf(r, "\t\t\tExpires:: permanent\n");
	else if (c->expires <= now)
		(void)mi_reply_printf(r, "\t\t\tExpires:: deleted\n");
	else
		(void)mi_reply_printf(r, "\t\t\tExpires:: %ld\n",
		    (long)(c->expires - now));
	(void)mi_reply_printf(r, "\t\t\tCallid:: %.*s\n\t\t\tCseq:: %u\n",
	    STR_FMT(&c->callid), c->cseq);
	if (c->user_agent.len > 0)
		(void)mi_reply_printf(r, "\t\t\tUser-agent:: %.*s\n",
		    STR_FMT(&c->user_agent));
	if (c->received.len > 0)
		(void)mi_reply_printf(r, "\t\t\tReceived:: %.*s\n",
		    STR_FMT(&c->received));
	if (c->path.len > 0)
		(void)mi_reply_printf(r, "\t\t\tPath:: %.*s\n",
		    STR_FMT(&c->path));
	(void)mi_reply_printf(r, "\t\t\tFlags:: %u\n\t\t\tMethods:: %u\n",
	    c->flags, c->methods);
	(void)mi_reply_printf(r, "\t\t\tSocket:: %s\n",
	    c->sock != NULL ? c->sock->sock_str.s : "<none>");
	if (c->conn_id != 0)
		(void)mi_reply_printf(r, "\t\t\tConnection:: %s %u\n",
		    proto_name(c->proto), c->conn_id);
}

static void
ul_mi_dump_table(struct ul_domain *d, struct mi_reply *r, time_t now)
{
	const struct ul_record *rec;
	const struct ul_contact *c;
	unsigned int i, records = 0;

	for (i = 0; i < ul_domain_size(d); i++) {
		ul_lock_slot(d, i);
		for (rec = ul_slot_first_locked(d, i); rec != NULL;
		     rec = rec->next)
			records++;
		ul_unlock_slot(d, i);
	}
	(void)mi_reply_printf(r, "Domain:: %s table=%u records=%u\n",
	    ul_domain_name(d), ul_domain_size(d), records);
	for (i = 0; i < ul_domain_size(d); i++) {
		ul_lock_slot(d, i);
		for (rec = ul_slot_first_locked(d, i); rec != NULL;
		     rec = rec->next) {
			(void)mi_reply_printf(r, "\tAOR:: %.*s\n",
			    STR_FMT(&rec->aor));
			for (c = rec->contacts; c != NULL; c = c->next)
				ul_mi_dump_contact(r, c, now);
		}
		ul_unlock_slot(d, i);
	}
}

/* ul_dump: every table, AoR and contact. */
int
ul_mi_dump(int argc, const str *argv, struct mi_reply *r)
{
	struct ul_domain *d;
	time_t now = time(NULL);

	for (d = ul_first_domain(); d != NULL; d = ul_next_domain(d))
		ul_mi_dump_table(d, r, now);
	return 0;
}

/* ul_show_contact <table> <aor>: one line per contact. */
int
ul_mi_show_contact(int argc, const str *argv, struct mi_reply *r)
{
	struct ul_domain *d;
	struct ul_record *rec;
	struct ul_contact *c;
	char buf[UL_MI_AOR_MAX];
	time_t now = time(NULL);
	str aor;
	int n = 0;

	if ((d = ul_mi_target(argc, argv, 2, 2, buf, &aor, r)) == NULL)
		return 0;
	ul_lock(d, &aor);
	if ((rec = ul_get_record_locked(d, &aor)) != NULL)
		for (c = rec->contacts; c != NULL; c = c->next)
			if (ul_contact_valid(c, now)) {
				ul_mi_contact_line(r, c, now);
				n++;
			}
	ul_unlock(d, &aor);
	if (ul_db_error)
		mi_reply_error(r, 500, "Database error");
	else if (n == 0)
		mi_reply_error(r, 404, "AOR not found");
	return 0;
}

/* ul_rm <table> <aor>: remove the AoR with all its contacts. */
int
ul_mi_rm(int argc, const str *argv, struct mi_reply *r)
{
	struct ul_domain *d;
	struct ul_record *rec;
	char buf[UL_MI_AOR_MAX];
	str aor;

	if ((d = ul_mi_target(argc, argv, 2, 2, buf, &aor, r)) == NULL)
		return 0;
	ul_lock(d, &aor);
	if ((rec = ul_get_record_locked(d, &aor)) != NULL)
		ul_delete_record_locked(d, rec);
	ul_unlock(d, &aor);
	if (ul_db_error)
		mi_reply_error(r, 500, "Database error");
	else if (rec == NULL)
		mi_reply_error(r, 404, "AOR not found");
	return 0;
}

/* ul_rm_contact <table> <aor> <contact>. */
int
ul_mi_rm_contact(int argc, const str *argv, struct mi_reply *r)
{
	struct ul_domain *d;
	struct ul_record *rec;
	struct ul_contact *c = NULL;
	char buf[UL_MI_AOR_MAX];
	str aor;

	if ((d = ul_mi_target(argc, argv, 3, 3, buf, &aor, r)) == NULL)
		return 0;
	ul_lock(d, &aor);
	if ((rec = ul_get_record_locked(d, &aor)) != NULL
	    && (c = ul_get_contact_locked(rec, &argv[2])) != NULL) {
		ul_delete_contact_locked(rec, c);
		ul_release_record_locked(d, rec);
	}
	ul_unlock(d, &aor);
	if (ul_db_error)
		mi_reply_error(r, 500, "Database error");
	else if (rec == NULL)
		mi_reply_error(r, 404, "AOR not found");
	else if (c == NULL)
		mi_reply_error(r, 404, "Contact not found");
	return 0;
}

/* An unsigned number, decimal or 0x hex.  0, or -1. */
static int
ul_mi_uint(const str *s, unsigned int *out)
{
	char tmp[24], *end;
	unsigned long v;

	if (s->len == 0 || s->len >= (int)sizeof(tmp) || s->s[0] == '-')
		return -1;
	memcpy(tmp, s->s, (size_t)s->len);
	tmp[s->len] = '\0';
	v = strtoul(tmp, &end, 0);
	if (*end != '\0' || v > 0xffffffffUL)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

/*
 * ul_add <table> <aor> <contact> <expires> <q> [<unused> [<flags>
 * [<cflags> [<methods>]]]]: add or replace a contact.  Expires 0 makes it
 * permanent (OpenSER 1.x).
 */
int
ul_mi_add(int argc, const str *argv, struct mi_reply *r)
{
	static char callid_s[] = "mi-ul_add";
	str callid = { callid_s, sizeof(callid_s) - 1 };
	struct ul_domain *d;
	struct ul_record *rec;
	struct ul_contact *c;
	struct ul_info ci;
	char buf[UL_MI_AOR_MAX];
	unsigned int expires, dummy;
	str aor;
	int rc = 0;

	if ((d = ul_mi_target(argc, argv, 5, 9, buf, &aor, r)) == NULL)
		return 0;
	memset(&ci, 0, sizeof(ci));
	ci.callid = callid;
	ci.cseq = 1;
	if (argv[2].len == 0 || ul_mi_uint(&argv[3], &expires) == -1
	    || ul_q_parse(&argv[4], &ci.q) == -1
	    || (argc > 5 && ul_mi_uint(&argv[5], &dummy) == -1)
	    || (argc > 6 && ul_mi_uint(&argv[6], &ci.flags) == -1)
	    || (argc > 7 && ul_mi_uint(&argv[7], &dummy) == -1)
	    || (argc > 8 && ul_mi_uint(&argv[8], &ci.methods) == -1)) {
		mi_reply_error(r, 400, "Bad parameter");
		return 0;
	}
	if (expires == 0)
		ci.flags |= UL_FL_PERMANENT;
	ci.expires = time(NULL) + (time_t)expires;
	ul_lock(d, &aor);
	if ((rec = ul_get_record_locked(d, &aor)) == NULL
	    && (rec = ul_insert_record_locked(d, &aor)) == NULL)
		rc = -1;
	else if ((c = ul_get_contact_locked(rec, &argv[2])) != NULL)
		rc = ul_update_contact_locked(rec, c, &ci);
	else if (ul_insert_contact_locked(rec, &argv[2], &ci) == NULL)
		rc = -1;
	if (rec != NULL)
		ul_release_record_locked(d, rec);
	ul_unlock(d, &aor);
	if (rc == -1)
		mi_reply_error(r, 500, ul_db_error ? "Database error"
		    : "Out of shared memory");
	return 0;
}

/* ul_flush: db_mode 2 writes the changed contacts now; else nothing. */
int
ul_mi_flush(int argc, const str *argv, struct mi_reply *r)
{
	if (ul_db_mode == 2 && ul_flush_all() == -1)
		mi_reply_error(r, 500, "Database error");
	return 0;
}

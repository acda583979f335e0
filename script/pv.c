/*
 * pv.c: pseudo-variables (see pv.h): the core's table of message PVs,
 * the registry of module PVs, parsing, reading, writing, and format
 * strings.  Parsing runs in the attendant at fixup time; pv_get(),
 * pv_set() and pv_fmt_print() run per message in any worker.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "mem/pkg.h"
#include "parser/parse_cseq.h"
#include "parser/parse_to.h"
#include "parser/parse_uri.h"
#include "script/action.h"
#include "script/pv.h"
#include "script/sr_module.h"

#define PV_BUFS	   8
#define PV_BUF_LEN 64
#define PV_MOD_MAX 32

/* ---- per-process rotating buffers for numbers and addresses ---------- */

static char *
pv_buf(void)
{
	static char bufs[PV_BUFS][PV_BUF_LEN];
	static unsigned int next;

	return bufs[next++ % PV_BUFS];
}

/* Integer <n> as a string in a rotating per-process buffer. */
str
pv_int2str(int n)
{
	str s;

	s.s = pv_buf();
	s.len = snprintf(s.s, PV_BUF_LEN, "%d", n);
	return s;
}

static void
val_null(struct pv_value *val)
{
	memset(val, 0, sizeof(*val));
	val->flags = PV_VAL_NULL;
}

static void
val_str(struct pv_value *val, const str *s)
{
	memset(val, 0, sizeof(*val));
	if (s == NULL || s->s == NULL) {
		val->flags = PV_VAL_NULL;
		return;
	}
	val->flags = PV_VAL_STR;
	val->s = *s;
}

static void
val_int(struct pv_value *val, int n)
{
	val->flags = PV_VAL_INT | PV_VAL_STR;
	val->n = n;
	val->s = pv_int2str(n);
}

/* ---- getters --------------------------------------------------------- */

static int
get_ruri(struct sip_msg *msg, const struct pv_spec *sp, struct pv_value *val)
{
	if (!IS_SIP_REQUEST(msg)) {
		val_null(val);
		return 0;
	}
	val_str(val, msg_ruri(msg));
	return 0;
}

static void
uri_port(const struct sip_uri *u, struct pv_value *val)
{
	if (u->port.len > 0) {
		val_str(val, &u->port);
		val->flags |= PV_VAL_INT;
		val->n = u->port_no;
		return;
	}
	val_int(val, u->type == URI_SIPS ? 5061 : 5060);
}

/* user, host or port of <u> by the last letter of the PV name */
static void
uri_part(const struct pv_spec *sp, const struct sip_uri *u,
    struct pv_value *val)
{
	switch (sp->def->name[1]) {
	case 'U':
		if (u->user.len == 0)
			val_null(val);
		else
			val_str(val, &u->user);
		return;
	case 'd':
		val_str(val, &u->host);
		return;
	case 'p':
		uri_port(u, val);
		return;
	}
	val_null(val);
}

static int
get_ruri_part(struct sip_msg *msg, const struct pv_spec *sp,
    struct pv_value *val)
{
	if (!IS_SIP_REQUEST(msg) || parse_sip_msg_uri(msg) == -1) {
		val_null(val);
		return 0;
	}
	uri_part(sp, &msg->parsed_uri, val);
	return 0;
}

static int
get_duri(struct sip_msg *msg, const struct pv_spec *sp, struct pv_value *val)
{
	if (msg->dst_uri.len == 0)
		val_null(val);
	else
		val_str(val, &msg->dst_uri);
	return 0;
}

/* The parsed From (name "f...") or To ("t...") of <msg>, or NULL. */
static struct to_body *
fromto(struct sip_msg *msg, const struct pv_spec *sp)
{
	if (sp->def->name[0] == 'f') {
		if (parse_headers(msg, HDR_FROM_F, 0) == -1 || msg->from == NULL
		    || parse_from_header(msg) == -1)
			return NULL;
		return get_from(msg);
	}
	if (parse_headers(msg, HDR_TO_F, 0) == -1 || msg->to == NULL
	    || parse_to_header(msg) == -1)
		return NULL;
	return get_to(msg);
}

static int
get_fromto(struct sip_msg *msg, const struct pv_spec *sp,
    struct pv_value *val)
{
	struct to_body *tb;
	struct sip_uri u;

	if ((tb = fromto(msg, sp)) == NULL) {
		val_null(val);
		return 0;
	}
	switch (sp->def->name[1]) {
	case 'u':
		val_str(val, &tb->uri);
		return 0;
	case 't':
		if (tb->tag_value.len == 0)
			val_null(val);
		else
			val_str(val, &tb->tag_value);
		return 0;
	case 'n':
		if (tb->display.len == 0)
			val_null(val);
		else
			val_str(val, &tb->display);
		return 0;
	}
	if (parse_uri(tb->uri.s, tb->uri.len, &u) == -1) {
		val_null(val);
		return 0;
	}
	uri_part(sp, &u, val);
	return 0;
}

static int
get_callid(struct sip_msg *msg, const struct pv_spec *sp,
    struct pv_value *val)
{
	if (parse_headers(msg, HDR_CALLID_F, 0) == -1 || msg->callid == NULL)
		val_null(val);
	else
		val_str(val, &msg->callid->body);
	return 0;
}

static int
get_cseq_num(struct sip_msg *msg, const struct pv_spec *sp,
    struct pv_value *val)
{
	if (parse_headers(msg, HDR_CSEQ_F, 0) == -1 || msg->cseq == NULL
	    || (msg->cseq->parsed == NULL && parse_cseq_hf(msg->cseq) == -1)) {
		val_null(val);
		return 0;
	}
	val_str(val, &get_cseq(msg)->number);
	val->flags |= PV_VAL_INT;
	val->n = (int)get_cseq(msg)->num;
	return 0;
}

static int
get_method(struct sip_msg *msg, const struct pv_spec *sp,
    struct pv_value *val)
{
	if (IS_SIP_REQUEST(msg)) {
		val_str(val, &REQ_LINE(msg).method);
		return 0;
	}
	if (parse_headers(msg, HDR_CSEQ_F, 0) == -1 || msg->cseq == NULL
	    || (msg->cseq->parsed == NULL && parse_cseq_hf(msg->cseq) == -1)) {
		val_null(val);
		return 0;
	}
	val_str(val, &get_cseq(msg)->method);
	return 0;
}

static int
get_status(struct sip_msg *msg, const struct pv_spec *sp,
    struct pv_value *val)
{
	if (!IS_SIP_REPLY(msg)) {
		val_null(val);
		return 0;
	}
	if (sp->def->name[1] == 'r') {
		val_str(val, &msg->first_line.u.reply.reason);
		return 0;
	}
	val_int(val, (int)REPLY_STATUS(msg));
	return 0;
}

static int
get_ip(struct sip_msg *msg, const struct pv_spec *sp, struct pv_value *val)
{
	const struct ip_addr *ip = sp->def->name[0] == 's' ? &msg->rcv.src_ip
							   : &msg->rcv.dst_ip;
	str s;

	s.s = pv_buf();
	if (ip_addr_to_str(ip, s.s, PV_BUF_LEN) == -1) {
		val_null(val);
		return 0;
	}
	s.len = (int)strlen(s.s);
	val_str(val, &s);
	return 0;
}

static int
get_port(struct sip_msg *msg, const struct pv_spec *sp, struct pv_value *val)
{
	val_int(val, sp->def->name[0] == 's' ? msg->rcv.src_port
					     : msg->rcv.dst_port);
	return 0;
}

static int
get_proto(struct sip_msg *msg, const struct pv_spec *sp,
    struct pv_value *val)
{
	str s;

	s.s = (char *)(size_t)proto_name(msg->rcv.proto);
	s.len = (int)strlen(s.s);
	val_str(val, &s);
	return 0;
}

static int
get_msg_len(struct sip_msg *msg, const struct pv_spec *sp,
    struct pv_value *val)
{
	val_int(val, (int)msg->len);
	return 0;
}

static int
get_pid(struct sip_msg *msg, const struct pv_spec *sp, struct pv_value *val)
{
	val_int(val, (int)getpid());
	return 0;
}

static int
get_hdr_named(struct sip_msg *msg, const char *name, struct pv_value *val)
{
	struct hdr_field *hf;
	str n;

	n.s = (char *)(size_t)name;
	n.len = (int)strlen(name);
	if ((hf = msg_find_hf(msg, &n)) == NULL)
		val_null(val);
	else
		val_str(val, &hf->body);
	return 0;
}

static int
get_ua(struct sip_msg *msg, const struct pv_spec *sp, struct pv_value *val)
{
	return get_hdr_named(msg, "User-Agent", val);
}

static int
get_contact(struct sip_msg *msg, const struct pv_spec *sp,
    struct pv_value *val)
{
	return get_hdr_named(msg, "Contact", val);
}

static int
get_hdr(struct sip_msg *msg, const struct pv_spec *sp, struct pv_value *val)
{
	struct hdr_field *hf;

	if ((hf = msg_find_hf(msg, &sp->arg)) == NULL)
		val_null(val);
	else
		val_str(val, &hf->body);
	return 0;
}

static int
get_avp(struct sip_msg *msg, const struct pv_spec *sp, struct pv_value *val)
{
	union avp_val v;
	struct usr_avp *avp;

	avp = avp_search_first(sp->avp.flags, sp->avp.name, &v, NULL);
	if (avp == NULL) {
		val_null(val);
		return 0;
	}
	if (avp->flags & AVP_VAL_STR)
		val_str(val, &v.s);
	else
		val_int(val, v.n);
	return 0;
}

/* ---- setters --------------------------------------------------------- */

/* The value of <val> as a string (numbers printed), or NULL for null. */
static const str *
val_as_str(const struct pv_value *val)
{
	static str s;

	if (val == NULL || (val->flags & PV_VAL_NULL))
		return NULL;
	if (val->flags & PV_VAL_STR)
		return &val->s;
	s = pv_int2str(val->n);
	return &s;
}

static int
set_ruri(struct sip_msg *msg, const struct pv_spec *sp,
    const struct pv_value *val)
{
	const str *s = val_as_str(val);

	if (s == NULL)
		return act_uri_set(msg, ACT_URI_REVERT, NULL);
	return act_uri_set(msg, ACT_URI_SET, s);
}

static int
set_ruri_part(struct sip_msg *msg, const struct pv_spec *sp,
    const struct pv_value *val)
{
	static str empty = STR_NULL;
	const str *s = val_as_str(val);

	if (s == NULL)
		s = &empty;
	switch (sp->def->name[1]) {
	case 'U':
		return act_uri_set(msg, ACT_URI_USER, s);
	case 'd':
		return act_uri_set(msg, ACT_URI_HOST, s);
	default:
		return act_uri_set(msg, ACT_URI_PORT, s);
	}
}

static int
set_duri(struct sip_msg *msg, const struct pv_spec *sp,
    const struct pv_value *val)
{
	const str *s = val_as_str(val);
	char *p = NULL;

	if (s != NULL && (p = pkg_strndup(s->s, (size_t)s->len)) == NULL) {
		PKG_MEM_ERROR("setting $du");
		return -1;
	}
	pkg_free(msg->dst_uri.s);
	msg->dst_uri.s = p;
	msg->dst_uri.len = s != NULL ? s->len : 0;
	return 0;
}

static int
set_avp(struct sip_msg *msg, const struct pv_spec *sp,
    const struct pv_value *val)
{
	union avp_val v;
	unsigned int flags = sp->avp.flags;

	if (val == NULL || (val->flags & PV_VAL_NULL)) {
		(void)avp_delete_name(flags, sp->avp.name, 1);
		return 0;
	}
	if (val->flags & PV_VAL_INT) {
		v.n = val->n;
	} else {
		v.s = val->s;
		flags |= AVP_VAL_STR;
	}
	return avp_add(flags, sp->avp.name, v);
}

/* ---- the tables -------------------------------------------------------- */

/* Searched linearly, at fixup time only. */
static const struct pv_def pv_core[] = {
	{ "Ri", get_ip, NULL, 0 },
	{ "Rp", get_port, NULL, 0 },
	{ "avp", get_avp, set_avp, 1 },
	{ "ci", get_callid, NULL, 0 },
	{ "cs", get_cseq_num, NULL, 0 },
	{ "ct", get_contact, NULL, 0 },
	{ "du", get_duri, set_duri, 0 },
	{ "fU", get_fromto, NULL, 0 },
	{ "fd", get_fromto, NULL, 0 },
	{ "fn", get_fromto, NULL, 0 },
	{ "ft", get_fromto, NULL, 0 },
	{ "fu", get_fromto, NULL, 0 },
	{ "hdr", get_hdr, NULL, 1 },
	{ "ml", get_msg_len, NULL, 0 },
	{ "pp", get_pid, NULL, 0 },
	{ "pr", get_proto, NULL, 0 },
	{ "proto", get_proto, NULL, 0 },
	{ "rU", get_ruri_part, set_ruri_part, 0 },
	{ "rd", get_ruri_part, set_ruri_part, 0 },
	{ "rm", get_method, NULL, 0 },
	{ "rp", get_ruri_part, set_ruri_part, 0 },
	{ "rr", get_status, NULL, 0 },
	{ "rs", get_status, NULL, 0 },
	{ "ru", get_ruri, set_ruri, 0 },
	{ "si", get_ip, NULL, 0 },
	{ "sp", get_port, NULL, 0 },
	{ "tU", get_fromto, NULL, 0 },
	{ "td", get_fromto, NULL, 0 },
	{ "tn", get_fromto, NULL, 0 },
	{ "tt", get_fromto, NULL, 0 },
	{ "tu", get_fromto, NULL, 0 },
	{ "ua", get_ua, NULL, 0 },
};

#define NR_PV_CORE (sizeof(pv_core) / sizeof(pv_core[0]))

/* module PVs; static memory, filled in the attendant before fork */
static struct pv_def pv_mod[PV_MOD_MAX];
static int nr_pv_mod;

static const struct pv_def *
pv_find(const char *name, int len)
{
	size_t i;
	int j;

	for (i = 0; i < NR_PV_CORE; i++)
		if ((int)strlen(pv_core[i].name) == len
		    && memcmp(pv_core[i].name, name, (size_t)len) == 0)
			return &pv_core[i];
	for (j = 0; j < nr_pv_mod; j++)
		if ((int)strlen(pv_mod[j].name) == len
		    && memcmp(pv_mod[j].name, name, (size_t)len) == 0)
			return &pv_mod[j];
	return NULL;
}

/*
 * Register module PV $<name> read by <get> (see pv.h).  Attendant, from
 * a module's init.
 */
int
pv_register(const char *name, pv_get_f get)
{
	if (name == NULL || get == NULL || pv_find(name, (int)strlen(name))) {
		LM_ERR("pv $%s: already defined or invalid",
		    name != NULL ? name : "?");
		return -1;
	}
	if (nr_pv_mod == PV_MOD_MAX) {
		LM_ERR("pv $%s: too many module pseudo-variables", name);
		return -1;
	}
	pv_mod[nr_pv_mod].name = name;
	pv_mod[nr_pv_mod].get = get;
	nr_pv_mod++;
	return 0;
}

/* ---- parsing ----------------------------------------------------------- */

static int
is_name_char(char c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
	    || (!first && c >= '0' && c <= '9');
}

/* Parse the PV at <in> (see pv.h). */
int
pv_parse(char *in, int len, struct pv_spec *sp, char *err, int errlen)
{
	char *p = in + 1, *end = in + len, *name, *close;
	int nlen;

	memset(sp, 0, sizeof(*sp));
	if (len < 2 || in[0] != '$' || !is_name_char(*p, 1)) {
		(void)snprintf(err, (size_t)errlen,
		    "'$' must be followed by a name");
		return -1;
	}
	for (name = p; p < end && is_name_char(*p, 0); p++)
		;
	nlen = (int)(p - name);
	if ((sp->def = pv_find(name, nlen)) == NULL) {
		(void)snprintf(err, (size_t)errlen,
		    "unknown pseudo-variable $%.*s", nlen, name);
		return -1;
	}
	if (p < end && *p == '(') {
		if (!sp->def->arg) {
			(void)snprintf(err, (size_t)errlen,
			    "$%.*s takes no argument", nlen, name);
			return -1;
		}
		close = memchr(p, ')', (size_t)(end - p));
		if (close == NULL) {
			(void)snprintf(err, (size_t)errlen,
			    "$%.*s(: missing ')'", nlen, name);
			return -1;
		}
		sp->arg.s = p + 1;
		sp->arg.len = (int)(close - p - 1);
		p = close + 1;
	} else if (sp->def->arg) {
		(void)snprintf(err, (size_t)errlen,
		    "$%.*s needs an argument: $%.*s(...)", nlen, name, nlen,
		    name);
		return -1;
	}
	sp->name.s = in;
	sp->name.len = (int)(p - in);
	if (sp->def->get == get_avp
	    && avp_spec_parse(&sp->arg, &sp->avp) == -1) {
		(void)snprintf(err, (size_t)errlen,
		    "bad AVP name '%.*s' in %.*s (use i:number or s:name)",
		    sp->arg.len, sp->arg.s, sp->name.len, sp->name.s);
		return -1;
	}
	if (sp->def->get == get_hdr) {
		str_trim(&sp->arg);
		if (sp->arg.len == 0) {
			(void)snprintf(err, (size_t)errlen,
			    "$hdr() needs a header name");
			return -1;
		}
		sp->hdr = hf_type(&sp->arg);
	}
	return (int)(p - in);
}

/* pv_parse() of all of <in>. */
int
pv_parse_all(char *in, struct pv_spec *sp, char *err, int errlen)
{
	int len = (int)strlen(in), n;

	if ((n = pv_parse(in, len, sp, err, errlen)) == -1)
		return -1;
	if (n != len) {
		(void)snprintf(err, (size_t)errlen,
		    "unexpected '%s' after %.*s", in + n, n, in);
		return -1;
	}
	return 0;
}

/* 1 when <sp> can be assigned to. */
int
pv_is_writable(const struct pv_spec *sp)
{
	return sp->def != NULL && sp->def->set != NULL;
}

/* Read <sp> from <msg>. */
int
pv_get(struct sip_msg *msg, const struct pv_spec *sp, struct pv_value *val)
{
	if (sp->def->get == NULL || msg == NULL) {
		val_null(val);
		return 0;
	}
	if (sp->def->get(msg, sp, val) == -1) {
		val_null(val);
		return -1;
	}
	return 0;
}

/* Write <val> to <sp>. */
int
pv_set(struct sip_msg *msg, const struct pv_spec *sp,
    const struct pv_value *val)
{
	if (sp->def->set == NULL) {
		LM_ERR("%.*s is read-only", sp->name.len, sp->name.s);
		return -1;
	}
	return sp->def->set(msg, sp, val);
}

/* ---- format strings ---------------------------------------------------- */

/* One piece: literal text, then a PV when sp.def is set. */
struct pv_fmt_part {
	str text;
	struct pv_spec sp;
};

/* config memory: one malloc block (parts, then the copied text) */
struct pv_fmt {
	str all;		/* whole text, for pv_fmt_text() */
	int nparts;
	int has_pv;
	struct pv_fmt_part parts[];
};

/* Parse a string with PVs (see pv.h). */
struct pv_fmt *
pv_fmt_parse(const char *in, char *err, int errlen)
{
	size_t len = strlen(in), size;
	struct pv_fmt *f;
	struct pv_fmt_part *pt;
	char *p, *end, *w, *buf;
	const char *q;
	int n, max = 1;

	for (q = in; *q != '\0'; q++)
		if (*q == '$')
			max++;
	size = sizeof(*f) + (size_t)max * sizeof(f->parts[0]);
	if ((f = calloc(1, size + len + 1)) == NULL) {
		(void)snprintf(err, (size_t)errlen, "out of memory");
		return NULL;
	}
	buf = (char *)f + size;
	memcpy(buf, in, len + 1);
	f->all.s = buf;
	f->all.len = (int)len;
	pt = &f->parts[0];
	pt->text.s = w = buf;
	end = buf + len;
	for (p = buf; p < end;) {
		if (*p != '$' || p + 1 == end || (p[1] != '$'
		    && !is_name_char(p[1], 1))) {
			*w++ = *p++;
			continue;
		}
		if (p[1] == '$') {	/* "$$": a literal '$' */
			*w++ = '$';
			p += 2;
			continue;
		}
		pt->text.len = (int)(w - pt->text.s);
		if ((n = pv_parse(p, (int)(end - p), &pt->sp, err, errlen))
		    == -1) {
			free(f);
			return NULL;
		}
		f->has_pv = 1;
		p += n;
		/* the next part's text starts after this PV, whose name and
		 * argument stay where they are */
		pt++;
		pt->text.s = w = p;
	}
	pt->text.len = (int)(w - pt->text.s);
	f->nparts = (int)(pt - f->parts) + 1;
	if (!f->has_pv)
		f->all = f->parts[0].text;
	return f;
}

/* 1 when <f> has no PV. */
int
pv_fmt_is_const(const struct pv_fmt *f)
{
	return !f->has_pv;
}

/* The text of <f>: with no PV, its value ("$$" already made '$'). */
const str *
pv_fmt_text(const struct pv_fmt *f)
{
	return &f->all;
}

static int
fmt_put(char **p, const char *end, const char *s, int len)
{
	if (len > end - *p)
		return -1;
	if (len > 0)
		memcpy(*p, s, (size_t)len);
	*p += len;
	return 0;
}

/* Print <f> for <msg> into <buf> (see pv.h). */
int
pv_fmt_print(struct sip_msg *msg, const struct pv_fmt *f, char *buf, int *len)
{
	char *p = buf, *end = buf + *len - 1;
	struct pv_value val;
	int i;

	for (i = 0; i < f->nparts; i++) {
		const struct pv_fmt_part *pt = &f->parts[i];

		if (fmt_put(&p, end, pt->text.s, pt->text.len) == -1)
			goto full;
		if (pt->sp.def == NULL)
			continue;
		(void)pv_get(msg, &pt->sp, &val);
		if (val.flags & PV_VAL_NULL) {
			if (fmt_put(&p, end, "<null>", 6) == -1)
				goto full;
		} else if (fmt_put(&p, end, val.s.s, val.s.len) == -1) {
			goto full;
		}
	}
	*p = '\0';
	*len = (int)(p - buf);
	return 0;
full:
	LM_ERR("formatting \"%.*s\": more than %d bytes", f->all.len,
	    f->all.s, *len - 1);
	return -1;
}

/* Free a format from pv_fmt_parse(); NULL does nothing. */
void
pv_fmt_free(struct pv_fmt *f)
{
	free(f);
}

/* ---- fixups for module commands ---------------------------------------- */

static void **fix_allocs;
static int nr_fix_allocs;

static int
fix_keep(void *p)
{
	void **na;

	na = realloc(fix_allocs, sizeof(*na) * (size_t)(nr_fix_allocs + 1));
	if (na == NULL) {
		free(p);
		fix_param_error("out of memory");
		return -1;
	}
	fix_allocs = na;
	fix_allocs[nr_fix_allocs++] = p;
	return 0;
}

/* Fixup: the argument becomes a struct pv_fmt * (see pv.h). */
int
pv_fix_fmt(void **param, int param_no)
{
	struct pv_fmt *f;
	char err[256];

	if ((f = pv_fmt_parse(*param, err, (int)sizeof(err))) == NULL) {
		fix_param_error("%s", err);
		return -1;
	}
	if (fix_keep(f) == -1)
		return -1;
	free(*param);
	*param = f;
	return 0;
}

/* Fixup: the argument, one PV, becomes a struct pv_spec * (see pv.h). */
int
pv_fix_spec(void **param, int param_no)
{
	struct pv_spec *sp;
	size_t len = strlen(*param);
	char err[256], *name;

	if ((sp = calloc(1, sizeof(*sp) + len + 1)) == NULL) {
		fix_param_error("out of memory");
		return -1;
	}
	name = (char *)(sp + 1);
	memcpy(name, *param, len + 1);
	if (pv_parse_all(name, sp, err, (int)sizeof(err)) == -1) {
		free(sp);
		fix_param_error("%s", err);
		return -1;
	}
	if (fix_keep(sp) == -1)
		return -1;
	free(*param);
	*param = sp;
	return 0;
}

/* Keep <p> (malloc'ed at fixup time) until pv_fix_free_all(). */
int
pv_fix_keep(void *p)
{
	return fix_keep(p);
}

/* Free what the fixups above allocated.  Attendant, at exit. */
void
pv_fix_free_all(void)
{
	while (nr_fix_allocs > 0)
		free(fix_allocs[--nr_fix_allocs]);
	free(fix_allocs);
	fix_allocs = NULL;
}

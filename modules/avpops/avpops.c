/*
 * avpops.c: the avpops module (OpenSER 1.1 forms): avp_write, avp_delete,
 * avp_check, avp_print, avp_pushto, avp_copy.  AVP arguments are written
 * "$avp(i:N)" / "$avp(s:name)" (also bare "i:N" / "s:name"), optionally
 * followed by "/flags".
 */
#include <fnmatch.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lib/log.h"
#include "lib/re_check.h"
#include "script/pv.h"
#include "script/sr_module.h"
#include "sip/avp.h"
#include "sip/lump.h"

#define AP_G 1		/* all values */
#define AP_I 2		/* case-insensitive */
#define AP_D 4		/* avp_copy: delete the source */

enum ap_op { AP_EQ = 0, AP_NE, AP_LT, AP_LE, AP_GT, AP_GE, AP_RE, AP_FM };

/* an AVP argument; config memory (kept with pv_fix_keep) */
struct ap_avp {
	struct avp_spec spec;
	unsigned int flags;
	char name[];		/* spec.name.s points here */
};

/* a value argument: a PV or a literal */
struct ap_val {
	int is_pv;
	struct pv_spec sp;
	struct pv_value lit;
	enum ap_op op;		/* avp_check */
	unsigned int flags;
	regex_t re;		/* AP_RE with a literal */
	int has_re;
	char text[];
};

/* avp_pushto destination */
struct ap_dst {
	int is_pv;
	struct pv_spec sp;	/* $ru $du $rU $rd */
	str hdr;		/* otherwise a header name */
	char text[];
};

static regex_t *kept_re[256];
static int nr_kept_re;

static void
ap_destroy(void)
{
	while (nr_kept_re > 0)
		regfree(kept_re[--nr_kept_re]);
}

static unsigned int
parse_flags(char *s, unsigned int allowed)
{
	unsigned int f = 0;

	for (; *s != '\0'; s++) {
		if (*s == 'g' && (allowed & AP_G))
			f |= AP_G;
		else if (*s == 'i' && (allowed & AP_I))
			f |= AP_I;
		else if (*s == 'd' && (allowed & AP_D))
			f |= AP_D;
		else
			return (unsigned int)-1;
	}
	return f;
}

/* "$avp(i:1)[/flags]" or "i:1[/flags]" into a struct ap_avp. */
static struct ap_avp *
ap_avp_parse(const char *in, unsigned int allowed)
{
	size_t len = strlen(in);
	struct ap_avp *a;
	char *p, *slash;
	str s;

	if ((a = calloc(1, sizeof(*a) + len + 1)) == NULL) {
		fix_param_error("out of memory");
		return NULL;
	}
	memcpy(a->name, in, len + 1);
	p = a->name;
	slash = strrchr(p, '/');
	if (slash != NULL && strchr(slash, ')') == NULL) {
		*slash = '\0';
		if ((a->flags = parse_flags(slash + 1, allowed))
		    == (unsigned int)-1) {
			fix_param_error("bad flags '%s'", slash + 1);
			goto fail;
		}
	}
	if (strncmp(p, "$avp(", 5) == 0) {
		p += 5;
		if (p[0] == '\0' || p[strlen(p) - 1] != ')') {
			fix_param_error("'%s': missing ')'", in);
			goto fail;
		}
		p[strlen(p) - 1] = '\0';
	}
	s.s = p;
	s.len = (int)strlen(p);
	if (avp_spec_parse(&s, &a->spec) == -1) {
		fix_param_error("'%s' is not an AVP (use $avp(i:N) or "
		    "$avp(s:name))", in);
		goto fail;
	}
	if (pv_fix_keep(a) == -1)
		return NULL;
	return a;
fail:
	free(a);
	return NULL;
}

static int
fix_avp(void **param, unsigned int allowed)
{
	struct ap_avp *a;

	if ((a = ap_avp_parse(*param, allowed)) == NULL)
		return -1;
	free(*param);
	*param = a;
	return 0;
}

/* a value: "$pv" or literal text ("i:N" is an integer) */
static struct ap_val *
ap_val_parse(const char *in)
{
	size_t len = strlen(in);
	struct ap_val *v;
	char err[200], *end;
	long n;

	if ((v = calloc(1, sizeof(*v) + len + 1)) == NULL) {
		fix_param_error("out of memory");
		return NULL;
	}
	memcpy(v->text, in, len + 1);
	if (v->text[0] == '$') {
		v->is_pv = 1;
		if (pv_parse_all(v->text, &v->sp, err, (int)sizeof(err)) == -1) {
			fix_param_error("%s", err);
			free(v);
			return NULL;
		}
	} else if (strncmp(v->text, "i:", 2) == 0) {
		n = strtol(v->text + 2, &end, 10);
		if (v->text[2] == '\0' || *end != '\0') {
			fix_param_error("'%s' is not an integer", in);
			free(v);
			return NULL;
		}
		v->lit.flags = PV_VAL_INT;
		v->lit.n = (int)n;
	} else {
		v->lit.flags = PV_VAL_STR;
		v->lit.s.s = strncmp(v->text, "s:", 2) == 0 ? v->text + 2
							    : v->text;
		v->lit.s.len = (int)strlen(v->lit.s.s);
	}
	if (pv_fix_keep(v) == -1)
		return NULL;
	return v;
}

static void
ap_val_get(struct sip_msg *msg, const struct ap_val *v, struct pv_value *out)
{
	if (v->is_pv)
		(void)pv_get(msg, &v->sp, out);
	else
		*out = v->lit;
}

/* ---- avp_write(value, avp) ----------------------------------------------- */

static int
fix_write(void **param, int param_no)
{
	struct ap_val *v;

	if (param_no == 2)
		return fix_avp(param, 0);
	if ((v = ap_val_parse(*param)) == NULL)
		return -1;
	free(*param);
	*param = v;
	return 0;
}

static int
add_value(const struct avp_spec *spec, const struct pv_value *pv)
{
	union avp_val val;
	unsigned int flags = spec->flags;

	if (pv->flags & PV_VAL_INT) {
		val.n = pv->n;
	} else {
		val.s = pv->s;
		flags |= AVP_VAL_STR;
	}
	return avp_add(flags, spec->name, val);
}

static int
w_avp_write(struct sip_msg *msg, void *value, void *avp)
{
	const struct ap_avp *a = avp;
	struct pv_value pv;

	ap_val_get(msg, value, &pv);
	if (pv.flags & PV_VAL_NULL)
		return CMD_FALSE;
	return add_value(&a->spec, &pv) == 0 ? CMD_TRUE : CMD_ERROR;
}

/* ---- avp_delete(avp[/g]) ------------------------------------------------- */

static int
fix_delete(void **param, int param_no)
{
	return fix_avp(param, AP_G);
}

static int
w_avp_delete(struct sip_msg *msg, void *avp, void *unused)
{
	const struct ap_avp *a = avp;

	return avp_delete_name(a->spec.flags, a->spec.name,
	    (a->flags & AP_G) != 0) > 0 ? CMD_TRUE : CMD_FALSE;
}

/* ---- avp_check(avp, "op/value[/flags]") ---------------------------------- */

static const char *const op_names[] = { "eq", "ne", "lt", "le", "gt", "ge",
	"re", "fm" };

static int
fix_check(void **param, int param_no)
{
	char *s = *param, *slash, *last;
	struct ap_val *v;
	unsigned int flags = 0;
	size_t i;
	int rc;

	if (param_no == 1)
		return fix_avp(param, 0);
	if ((slash = strchr(s, '/')) == NULL || slash - s != 2) {
		fix_param_error("'%s': use op/value[/flags] (op eq ne lt le gt "
		    "ge re fm)", s);
		return -1;
	}
	for (i = 0; i < sizeof(op_names) / sizeof(op_names[0]); i++)
		if (strncmp(s, op_names[i], 2) == 0)
			break;
	if (i == sizeof(op_names) / sizeof(op_names[0])) {
		fix_param_error("unknown operator '%.2s' (use eq ne lt le gt ge "
		    "re fm)", s);
		return -1;
	}
	last = strrchr(slash + 1, '/');
	if (last != NULL && parse_flags(last + 1, AP_G | AP_I)
	    != (unsigned int)-1) {
		flags = parse_flags(last + 1, AP_G | AP_I);
		*last = '\0';
	}
	if ((v = ap_val_parse(slash + 1)) == NULL)
		return -1;
	v->op = (enum ap_op)i;
	v->flags = flags;
	if (v->op == AP_RE && !v->is_pv) {
		if (nr_kept_re == 256) {
			fix_param_error("too many regular expressions");
			return -1;
		}
		if (re_check(v->text) == -1) {
			fix_param_error("regular expression '%s' is too complex "
			    "(nested or stacked repetitions expand to more than "
			    "%d nodes); simplify it", v->text,
			    RE_CHECK_MAX_NODES);
			return -1;
		}
		rc = regcomp(&v->re, v->text, REG_EXTENDED | REG_NOSUB
		    | ((flags & AP_I) ? REG_ICASE : 0));
		if (rc != 0) {
			fix_param_error("bad regular expression '%s'", v->text);
			return -1;
		}
		v->has_re = 1;
		kept_re[nr_kept_re++] = &v->re;
	}
	free(*param);
	*param = v;
	return 0;
}

static int
cmp_result(enum ap_op op, int c)
{
	switch (op) {
	case AP_EQ:
		return c == 0;
	case AP_NE:
		return c != 0;
	case AP_LT:
		return c < 0;
	case AP_LE:
		return c <= 0;
	case AP_GT:
		return c > 0;
	case AP_GE:
		return c >= 0;
	case AP_RE:
	case AP_FM:
		break;
	}
	return 0;
}

/* A pattern taken from a message was refused: say so at most once a
 * second (a peer can send one per message). */
static void
re_refused(const char *pattern)
{
	static time_t logged;
	time_t now = time(NULL);

	if (now == logged)
		return;
	logged = now;
	LM_WARN("avpops: avp_check: regular expression '%.64s%s' (from a "
	    "variable) is too complex (nested or stacked repetitions); "
	    "treated as no match", pattern, strlen(pattern) > 64 ? "..." : "");
}

static int
check_one(const struct usr_avp *avp, const struct ap_val *v,
    const struct pv_value *ref)
{
	char a[1024], b[1024];
	union avp_val val;
	regex_t re;
	int rc, c;
	str s;

	(void)avp_get_val(avp, &val);
	if (!(avp->flags & AVP_VAL_STR) && (ref->flags & PV_VAL_INT)
	    && v->op != AP_RE && v->op != AP_FM)
		return cmp_result(v->op, (val.n > ref->n) - (val.n < ref->n));
	if (avp->flags & AVP_VAL_STR)
		s = val.s;
	else
		s = pv_int2str(val.n);
	(void)snprintf(a, sizeof(a), "%.*s", s.len, s.s);
	if (ref->flags & PV_VAL_STR)
		(void)snprintf(b, sizeof(b), "%.*s", ref->s.len, ref->s.s);
	else
		(void)snprintf(b, sizeof(b), "%d", ref->n);
	switch (v->op) {
	case AP_RE:
		if (v->has_re)
			return regexec(&v->re, a, 0, NULL, 0) == 0;
		/* the pattern comes from a message: bound what it costs */
		if (re_check(b) == -1) {
			re_refused(b);
			return 0;
		}
		if (regcomp(&re, b, REG_EXTENDED | REG_NOSUB
		    | ((v->flags & AP_I) ? REG_ICASE : 0)) != 0)
			return 0;
		rc = regexec(&re, a, 0, NULL, 0) == 0;
		regfree(&re);
		return rc;
	case AP_FM:
		return fnmatch(b, a, (v->flags & AP_I) ? FNM_CASEFOLD : 0) == 0;
	case AP_EQ:
	case AP_NE:
	case AP_LT:
	case AP_LE:
	case AP_GT:
	case AP_GE:
		break;
	}
	c = (v->flags & AP_I) ? strcasecmp(a, b) : strcmp(a, b);
	return cmp_result(v->op, c);
}

static int
w_avp_check(struct sip_msg *msg, void *avp, void *val)
{
	const struct ap_avp *a = avp;
	const struct ap_val *v = val;
	struct avp_search st;
	struct usr_avp *p;
	struct pv_value ref;

	ap_val_get(msg, v, &ref);
	if (ref.flags & PV_VAL_NULL)
		return CMD_FALSE;
	for (p = avp_search_first(a->spec.flags, a->spec.name, NULL, &st);
	     p != NULL; p = avp_search_next(&st, NULL)) {
		if (check_one(p, v, &ref))
			return CMD_TRUE;
		if (!(v->flags & AP_G))
			break;
	}
	return CMD_FALSE;
}

/* ---- avp_print() ------------------------------------------------------- */

static int
w_avp_print(struct sip_msg *msg, void *p1, void *p2)
{
	struct usr_avp *avp;

	for (avp = *avp_get_list(); avp != NULL; avp = avp->next) {
		char name[80], val[300];

		if (avp->flags & AVP_NAME_STR)
			(void)snprintf(name, sizeof(name), "s:%.*s",
			    avp->name.len, avp->name.s);
		else
			(void)snprintf(name, sizeof(name), "i:%d", avp->id);
		if (avp->flags & AVP_VAL_STR)
			(void)snprintf(val, sizeof(val), "\"%.*s\"",
			    avp->val.s.len, avp->val.s.s);
		else
			(void)snprintf(val, sizeof(val), "%d", avp->val.n);
		LM_INFO("avp_print: %s = %s", name, val);
	}
	return CMD_TRUE;
}

/* ---- avp_pushto(dst, avp[/g]) ------------------------------------------ */

static int
fix_pushto(void **param, int param_no)
{
	const char *in = *param;
	struct ap_dst *d;
	char err[200], *name;
	size_t len = strlen(in);

	if (param_no == 2)
		return fix_avp(param, AP_G);
	if ((d = calloc(1, sizeof(*d) + len + 8)) == NULL) {
		fix_param_error("out of memory");
		return -1;
	}
	name = d->text;
	/* 1.x spellings of the R-URI parts */
	if (strcmp(in, "$ruri") == 0 || strcmp(in, "$ru") == 0)
		strcpy(name, "$ru");
	else if (strcmp(in, "$ruri/username") == 0
	    || strcmp(in, "$ru/username") == 0)
		strcpy(name, "$rU");
	else if (strcmp(in, "$ruri/domain") == 0
	    || strcmp(in, "$ru/domain") == 0)
		strcpy(name, "$rd");
	else if (strcmp(in, "$duri") == 0)
		strcpy(name, "$du");
	else
		memcpy(name, in, len + 1);
	if (name[0] == '$') {
		d->is_pv = 1;
		if (pv_parse_all(name, &d->sp, err, (int)sizeof(err)) == -1
		    || !pv_is_writable(&d->sp) || d->sp.def->arg) {
			fix_param_error("'%s': push to $ru, $rU, $rd, $du or a "
			    "header name", in);
			free(d);
			return -1;
		}
	} else {
		d->hdr.s = name;
		d->hdr.len = (int)len;
	}
	if (pv_fix_keep(d) == -1)
		return -1;
	free(*param);
	*param = d;
	return 0;
}

static int
push_hdr(struct sip_msg *msg, const str *name, const struct usr_avp *avp)
{
	char buf[1024];
	int len;
	str v;

	if (avp->flags & AVP_VAL_STR)
		v = avp->val.s;
	else
		v = pv_int2str(avp->val.n);
	len = snprintf(buf, sizeof(buf), "%.*s: %.*s\r\n", name->len, name->s,
	    v.len, v.s);
	if (len >= (int)sizeof(buf) || parse_headers(msg, HDR_EOH_F, 0) == -1
	    || msg->last_header == NULL)
		return -1;
	return lump_add(&msg->add_rm, (int)(msg->last_header->name.s
	    + msg->last_header->len - msg->buf), 0, buf, len) != NULL ? 0 : -1;
}

static int
w_avp_pushto(struct sip_msg *msg, void *dst, void *avp)
{
	const struct ap_dst *d = dst;
	const struct ap_avp *a = avp;
	struct avp_search st;
	struct usr_avp *p;
	struct pv_value v;
	int n = 0;

	for (p = avp_search_first(a->spec.flags, a->spec.name, NULL, &st);
	     p != NULL; p = avp_search_next(&st, NULL)) {
		if (d->is_pv) {
			memset(&v, 0, sizeof(v));
			if (p->flags & AVP_VAL_STR) {
				v.flags = PV_VAL_STR;
				v.s = p->val.s;
			} else {
				v.flags = PV_VAL_INT;
				v.n = p->val.n;
			}
			if (pv_set(msg, &d->sp, &v) == -1)
				return CMD_ERROR;
			return CMD_TRUE;	/* one value for a URI */
		}
		if (push_hdr(msg, &d->hdr, p) == -1) {
			LM_ERR("avp_pushto: cannot add header %.*s", d->hdr.len,
			    d->hdr.s);
			return CMD_ERROR;
		}
		n++;
		if (!(a->flags & AP_G))
			break;
	}
	return n > 0 ? CMD_TRUE : CMD_FALSE;
}

/* ---- avp_copy(src, dst[/g][d]) ------------------------------------------ */

static int
fix_copy(void **param, int param_no)
{
	return fix_avp(param, param_no == 2 ? AP_G | AP_D : 0);
}

static int
w_avp_copy(struct sip_msg *msg, void *src, void *dst)
{
	const struct ap_avp *s = src, *d = dst;
	struct usr_avp *p, *copy[64];
	struct avp_search st;
	union avp_val val;
	int n = 0, i;

	for (p = avp_search_first(s->spec.flags, s->spec.name, NULL, &st);
	     p != NULL && n < 64; p = avp_search_next(&st, NULL)) {
		copy[n++] = p;
		if (!(d->flags & AP_G))
			break;
	}
	/* add oldest first so the copies keep the order of the source */
	for (i = n - 1; i >= 0; i--) {
		(void)avp_get_val(copy[i], &val);
		if (avp_add(d->spec.flags | (copy[i]->flags & AVP_VAL_STR),
		    d->spec.name, val) == -1)
			return CMD_ERROR;
	}
	if (d->flags & AP_D)
		for (i = 0; i < n; i++)
			avp_delete(copy[i]);
	return n > 0 ? CMD_TRUE : CMD_FALSE;
}

#define AP_ROUTES ROUTE_ANY

static const struct cmd_export cmds[] = {
	/* name, handler, nargs, fixup, allowed in */
	{ "avp_check", w_avp_check, 2, fix_check, AP_ROUTES },
	{ "avp_copy", w_avp_copy, 2, fix_copy, AP_ROUTES },
	{ "avp_delete", w_avp_delete, 1, fix_delete, AP_ROUTES },
	{ "avp_print", w_avp_print, 0, NULL, AP_ROUTES },
	{ "avp_pushto", w_avp_pushto, 2, fix_pushto,
	    ROUTE_REQUEST | ROUTE_FAILURE | ROUTE_BRANCH },
	{ "avp_write", w_avp_write, 2, fix_write, AP_ROUTES },
	{ 0 },
};

const struct module_exports exports = {
	.abi = MODULE_ABI,
	.name = "avpops",
	.cmds = cmds,
	.destroy = ap_destroy,
};

/*
 * txt_funcs.c: header edits, regex search/replace and sed-like
 * substitutions for the textops module.  Everything that changes the
 * request is a lump on msg->add_rm (msg->reply_lump for append_to_reply).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/re_check.h"
#include "modules/textops/txt_funcs.h"
#include "script/sr_module.h"
#include "sip/lump.h"

#define TXT_MAX_KEEP 1024
#define TXT_MAX_GROUPS 10

struct txt_subst {
	regex_t re;
	char *repl;		/* replacement with \0..\9 back-references */
	int global;		/* g flag */
};

static regex_t *kept_re[TXT_MAX_KEEP];
static struct txt_subst *kept_se[TXT_MAX_KEEP];
static int nr_re, nr_se;

/* Keep <re> until txt_free_all(). */
int
txt_keep_re(regex_t *re)
{
	if (nr_re == TXT_MAX_KEEP) {
		regfree(re);
		free(re);
		fix_param_error("too many regular expressions");
		return -1;
	}
	kept_re[nr_re++] = re;
	return 0;
}

/* Keep <se> until txt_free_all(). */
int
txt_keep_subst(struct txt_subst *se)
{
	if (nr_se == TXT_MAX_KEEP) {
		regfree(&se->re);
		free(se);
		fix_param_error("too many substitutions");
		return -1;
	}
	kept_se[nr_se++] = se;
	return 0;
}

/* Free what the fixups compiled.  Attendant, at exit (module destroy). */
void
txt_free_all(void)
{
	while (nr_re > 0) {
		regfree(kept_re[--nr_re]);
		free(kept_re[nr_re]);
	}
	while (nr_se > 0) {
		regfree(&kept_se[--nr_se]->re);
		free(kept_se[nr_se]);
	}
}

/*
 * Parse "/re/replacement/flags" (any delimiter: the first character;
 * flags g and i).  NULL with why in <err>.
 */
struct txt_subst *
txt_subst_parse(const char *in, char *err, int errlen)
{
	struct txt_subst *se;
	size_t len = strlen(in);
	char d = in[0], *buf, *p, *re_s, *repl, *flags;
	int cflags = REG_EXTENDED | REG_NEWLINE, rc;

	if (len < 3) {
		(void)snprintf(err, (size_t)errlen, "use /regex/replacement/flags");
		return NULL;
	}
	if ((se = calloc(1, sizeof(*se) + len + 1)) == NULL) {
		(void)snprintf(err, (size_t)errlen, "out of memory");
		return NULL;
	}
	buf = (char *)(se + 1);
	memcpy(buf, in + 1, len);
	re_s = buf;
	/* split on unescaped delimiters */
	for (p = buf; *p != '\0' && *p != d; p++)
		if (*p == '\\' && p[1] != '\0')
			p++;
	if (*p != d)
		goto bad;
	*p++ = '\0';
	repl = p;
	for (; *p != '\0' && *p != d; p++)
		if (*p == '\\' && p[1] != '\0')
			p++;
	if (*p != d)
		goto bad;
	*p++ = '\0';
	for (flags = p; *flags != '\0'; flags++) {
		if (*flags == 'g')
			se->global = 1;
		else if (*flags == 'i')
			cflags |= REG_ICASE;
		else
			goto bad;
	}
	se->repl = repl;
	if (re_check(re_s) == -1) {
		(void)snprintf(err, (size_t)errlen, "regular expression '%s' "
		    "too complex (nested or stacked repetitions expand to more "
		    "than %d nodes); simplify it", re_s, RE_CHECK_MAX_NODES);
		free(se);
		return NULL;
	}
	if ((rc = regcomp(&se->re, re_s, cflags)) != 0) {
		char why[128];

		(void)regerror(rc, &se->re, why, sizeof(why));
		(void)snprintf(err, (size_t)errlen, "bad regular expression "
		    "'%s': %s", re_s, why);
		free(se);
		return NULL;
	}
	return se;
bad:
	(void)snprintf(err, (size_t)errlen, "'%s': use /regex/replacement/"
	    "flags (flags g, i)", in);
	free(se);
	return NULL;
}

/* ---- headers ----------------------------------------------------------- */

/* Where new headers go: after the last one (or before the first). */
static int
hdr_offset(struct sip_msg *msg, int first)
{
	if (parse_headers(msg, HDR_EOH_F, 0) == -1 || msg->headers == NULL) {
		LM_ERR("textops: the message headers do not parse");
		return -1;
	}
	if (first)
		return (int)(msg->headers->name.s - msg->buf);
	return (int)(msg->last_header->name.s + msg->last_header->len
	    - msg->buf);
}

static int
add_text(struct lump **list, int offset, const char *s, int len)
{
	if (lump_add(list, offset, 0, s, len) == NULL) {
		LM_ERR("textops: out of pkg memory");
		return -1;
	}
	return 0;
}

int
txt_add_hf(struct sip_msg *msg, const struct pv_fmt *fmt, int first)
{
	char buf[TXT_MAX_LEN];
	int len = (int)sizeof(buf), off;

	if ((off = hdr_offset(msg, first)) == -1
	    || pv_fmt_print(msg, fmt, buf, &len) == -1)
		return -1;
	return add_text(&msg->add_rm, off, buf, len);
}

int
txt_add_urihf(struct sip_msg *msg, const struct pv_fmt *pre,
    const struct pv_fmt *post)
{
	char buf[TXT_MAX_LEN];
	const str *ru = msg_ruri(msg);
	int len = (int)sizeof(buf), l2, off;

	if ((off = hdr_offset(msg, 0)) == -1
	    || pv_fmt_print(msg, pre, buf, &len) == -1)
		return -1;
	if (len + ru->len >= (int)sizeof(buf)) {
		LM_ERR("textops: append_urihf: header too long");
		return -1;
	}
	memcpy(buf + len, ru->s, (size_t)ru->len);
	len += ru->len;
	l2 = (int)sizeof(buf) - len;
	if (pv_fmt_print(msg, post, buf + len, &l2) == -1)
		return -1;
	return add_text(&msg->add_rm, off, buf, len + l2);
}

int
txt_add_reply_hf(struct sip_msg *msg, const struct pv_fmt *fmt)
{
	char buf[TXT_MAX_LEN];
	int len = (int)sizeof(buf);

	if (pv_fmt_print(msg, fmt, buf, &len) == -1)
		return -1;
	return add_text(&msg->reply_lump, 0, buf, len);
}

int
txt_remove_hf(struct sip_msg *msg, const str *name)
{
	struct hdr_field *hf;
	int n = 0;

	if (parse_headers(msg, HDR_EOH_F, 0) == -1)
		return -1;
	for (hf = msg->headers; hf != NULL; hf = hf->next) {
		if (!hf_name_eq(&hf->name, name))
			continue;
		if (lump_add(&msg->add_rm, (int)(hf->name.s - msg->buf), hf->len,
		    NULL, 0) == NULL) {
			LM_ERR("textops: out of pkg memory");
			return -1;
		}
		n++;
	}
	return n;
}

/* ---- regular expressions ------------------------------------------------ */

/* Match <re> in [from, len) of buf, NUL-free or not (REG_STARTEND). */
static int
match_at(regex_t *re, const char *buf, int from, int len, regmatch_t *m,
    int nm, int notbol)
{
	m[0].rm_so = from;
	m[0].rm_eo = len;
	return regexec(re, buf, (size_t)nm, m,
	    REG_STARTEND | (notbol ? REG_NOTBOL : 0)) == 0;
}

int
txt_search(struct sip_msg *msg, regex_t *re, int *so_eo, int from)
{
	regmatch_t m[1];

	if (!match_at(re, msg->buf, from, (int)msg->len, m, 1, from > 0))
		return 0;
	if (so_eo != NULL) {
		so_eo[0] = (int)m[0].rm_so;
		so_eo[1] = (int)m[0].rm_eo;
	}
	return 1;
}

int
txt_replace(struct sip_msg *msg, regex_t *re, const struct pv_fmt *fmt,
    enum txt_mode mode)
{
	char buf[TXT_MAX_LEN];
	int len = (int)sizeof(buf), se[2], from = 0, n = 0;

	if (pv_fmt_print(msg, fmt, buf, &len) == -1)
		return -1;
	while (from <= (int)msg->len && txt_search(msg, re, se, from) == 1) {
		if (mode == TXT_APPEND) {
			if (add_text(&msg->add_rm, se[1], buf, len) == -1)
				return -1;
		} else if (lump_add(&msg->add_rm, se[0], se[1] - se[0], buf, len)
		    == NULL) {
			LM_ERR("textops: out of pkg memory");
			return -1;
		}
		n++;
		if (mode != TXT_REPLACE_ALL)
			break;
		from = se[1] > se[0] ? se[1] : se[1] + 1;
	}
	return n;
}

/* Expand se->repl for match <m> of <buf> into <out>; its length or -1. */
static int
subst_expand(const struct txt_subst *se, const char *buf, const regmatch_t *m,
    char *out, int size)
{
	const char *r;
	int len = 0, g, l;

	for (r = se->repl; *r != '\0'; r++) {
		if (*r == '\\' && r[1] >= '0' && r[1] <= '9') {
			g = r[1] - '0';
			r++;
			if (m[g].rm_so < 0)
				continue;
			l = (int)(m[g].rm_eo - m[g].rm_so);
			if (len + l >= size)
				return -1;
			memcpy(out + len, buf + m[g].rm_so, (size_t)l);
			len += l;
			continue;
		}
		if (*r == '\\' && r[1] != '\0')
			r++;
		if (len + 1 >= size)
			return -1;
		out[len++] = *r;
	}
	return len;
}

int
txt_subst_msg(struct sip_msg *msg, const struct txt_subst *se)
{
	regmatch_t m[TXT_MAX_GROUPS];
	char out[TXT_MAX_LEN];
	int from = 0, n = 0, len;

	while (from <= (int)msg->len && match_at((regex_t *)(size_t)&se->re,
	    msg->buf, from, (int)msg->len, m, TXT_MAX_GROUPS, from > 0)) {
		if ((len = subst_expand(se, msg->buf, m, out, (int)sizeof(out)))
		    == -1) {
			LM_ERR("textops: subst: result too long");
			return -1;
		}
		if (lump_add(&msg->add_rm, (int)m[0].rm_so,
		    (int)(m[0].rm_eo - m[0].rm_so), out, len) == NULL) {
			LM_ERR("textops: out of pkg memory");
			return -1;
		}
		n++;
		if (!se->global)
			break;
		from = m[0].rm_eo > m[0].rm_so ? (int)m[0].rm_eo
					       : (int)m[0].rm_eo + 1;
	}
	return n;
}

int
txt_subst_str(struct sip_msg *msg, const struct txt_subst *se, const str *in,
    char **out)
{
	regmatch_t m[TXT_MAX_GROUPS];
	char piece[TXT_MAX_LEN], *res;
	int from = 0, n = 0, len = 0, l, cap = in->len * 2 + TXT_MAX_LEN;

	if ((res = malloc((size_t)cap)) == NULL) {
		LM_ERR("textops: out of memory");
		return -1;
	}
	while (from <= in->len && match_at((regex_t *)(size_t)&se->re, in->s,
	    from, in->len, m, TXT_MAX_GROUPS, from > 0)) {
		l = subst_expand(se, in->s, m, piece, (int)sizeof(piece));
		if (l == -1 || len + (int)(m[0].rm_so - from) + l >= cap)
			goto long_;
		memcpy(res + len, in->s + from, (size_t)(m[0].rm_so - from));
		len += (int)(m[0].rm_so - from);
		memcpy(res + len, piece, (size_t)l);
		len += l;
		n++;
		if (m[0].rm_eo == m[0].rm_so) {	/* empty match: step on */
			if (m[0].rm_eo < in->len)
				res[len++] = in->s[m[0].rm_eo];
			from = (int)m[0].rm_eo + 1;
		} else {
			from = (int)m[0].rm_eo;
		}
		if (!se->global)
			break;
	}
	if (n == 0) {
		free(res);
		return 0;
	}
	if (from < in->len) {
		if (len + in->len - from >= cap)
			goto long_;
		memcpy(res + len, in->s + from, (size_t)(in->len - from));
		len += in->len - from;
	}
	res[len] = '\0';
	*out = res;
	return 1;
long_:
	LM_ERR("textops: subst_uri: result too long");
	free(res);
	return -1;
}

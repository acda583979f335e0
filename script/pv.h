/*
 * pv.h: pseudo-variables ($ru, $fu, $si, $hdr(Name), $avp(i:1) ...), the
 * script values of OpenSER 1.x.  A PV is parsed once, at fixup time, into
 * a struct pv_spec; per message, pv_get() reads it and pv_set() writes it
 * (for the writable ones: $ru $rU $rd $rp $du $avp(...)).  Format strings
 * such as "X-Src: $si:$sp\r\n" are parsed into a struct pv_fmt and printed
 * per message with pv_fmt_print().
 *
 * The core defines the message PVs; a module adds its own with
 * pv_register() from its init function (tm: $T_branch_idx), before the
 * script is fixed up.
 */
#ifndef SCRIPT_PV_H
#define SCRIPT_PV_H

#include "lib/str.h"
#include "parser/msg_parser.h"
#include "sip/avp.h"

/* pv_value.flags */
#define PV_VAL_NULL 1u	/* no value (header absent, AVP not set ...) */
#define PV_VAL_STR  2u	/* .s is valid */
#define PV_VAL_INT  4u	/* .n is valid (both may be set: $sp) */

/* A value read from or written to a PV.  Strings returned by pv_get()
 * point into the message, an AVP or a per-process buffer that the next
 * few pv_get() calls reuse: copy them when they must last. */
struct pv_value {
	unsigned int flags;
	str s;
	int n;
};

struct pv_spec;

/* Read <sp> from <msg> into <val>.  0 (val set, possibly PV_VAL_NULL), or
 * -1 on an internal error (logged). */
typedef int (*pv_get_f)(struct sip_msg *msg, const struct pv_spec *sp,
    struct pv_value *val);
/* Write <val> (NULL or PV_VAL_NULL: delete/reset) to <sp>.  0 or -1
 * (logged). */
typedef int (*pv_set_f)(struct sip_msg *msg, const struct pv_spec *sp,
    const struct pv_value *val);

/* One PV name (static or module memory). */
struct pv_def {
	const char *name;	/* without '$': "ru", "hdr", "T_branch_idx" */
	pv_get_f get;
	pv_set_f set;		/* NULL: read-only */
	int arg;		/* 1: takes "(...)", 0: must not */
};

/* A parsed PV; config memory, filled by pv_parse(). */
struct pv_spec {
	const struct pv_def *def;
	str name;		/* "$hdr(Via)" as written (points into input) */
	str arg;		/* text inside (), or empty */
	struct avp_spec avp;	/* $avp(...) */
	enum hdr_type hdr;	/* $hdr(...): the type, HDR_OTHER_T if none */
};

/*
 * Register PV $<name> with getter <get> (read-only, no argument).  For
 * modules, from their init function.  <name> must stay valid (a literal).
 * Returns 0, or -1 when the name is taken or the table is full (logged).
 */
int pv_register(const char *name, pv_get_f get);

/*
 * Parse the PV at the start of <in> (<len> bytes, starting with '$') into
 * <sp>; <sp> points into <in>, which must outlive it.  Returns the number
 * of bytes used, or -1 with why in <err> (unknown PV, bad $avp syntax,
 * missing ')').  Attendant, at fixup time.
 */
int pv_parse(char *in, int len, struct pv_spec *sp, char *err, int errlen);

/* pv_parse() of the whole NUL-terminated <in>: 0, or -1 with <err>. */
int pv_parse_all(char *in, struct pv_spec *sp, char *err, int errlen);

/* 1 when <sp> may be assigned to, else 0. */
int pv_is_writable(const struct pv_spec *sp);

/* Read <sp>; as pv_get_f.  A PV that cannot be read is PV_VAL_NULL. */
int pv_get(struct sip_msg *msg, const struct pv_spec *sp,
    struct pv_value *val);

/* Write <sp>; as pv_set_f.  -1 (logged) for a read-only PV. */
int pv_set(struct sip_msg *msg, const struct pv_spec *sp,
    const struct pv_value *val);

/* Integer <n> as a string in a per-process rotating buffer. */
str pv_int2str(int n);

/* ---- format strings -------------------------------------------------- */

/* A string with PVs; config memory, from pv_fmt_parse(). */
struct pv_fmt;

/*
 * Parse <in> (NUL-terminated, copied) into a format: literal text and PVs.
 * "$$" is a literal '$'; a '$' not followed by a letter is literal too.
 * NULL with why in <err> on a bad PV.  Attendant, at fixup time.
 */
struct pv_fmt *pv_fmt_parse(const char *in, char *err, int errlen);

/* 1 when <f> holds no PV (the text is its constant value), else 0. */
int pv_fmt_is_const(const struct pv_fmt *f);

/* The constant text of <f> (all of it when pv_fmt_is_const()). */
const str *pv_fmt_text(const struct pv_fmt *f);

/*
 * Print <f> for <msg> into <buf> of *<len> bytes; a PV without a value
 * prints as "<null>".  On return *<len> is the length (the text is also
 * NUL-terminated).  0, or -1 when it does not fit (logged).
 */
int pv_fmt_print(struct sip_msg *msg, const struct pv_fmt *f, char *buf,
    int *len);

/* Free <f> (also plain free(): it is one block); NULL does nothing. */
void pv_fmt_free(struct pv_fmt *f);

/* ---- fixups for module commands (script/sr_module.h fixup_function) --- */

/* The argument, a string with PVs, becomes a struct pv_fmt *. */
int pv_fix_fmt(void **param, int param_no);
/* The argument, exactly one PV ("$avp(i:1)", "$ru"), becomes a struct
 * pv_spec *.  Errors say why (unknown PV, bad AVP name ...). */
int pv_fix_spec(void **param, int param_no);
/* Keep <p>, malloc'ed by a module's fixup, until pv_fix_free_all(); on
 * failure <p> is freed and -1 returned. */
int pv_fix_keep(void *p);
/* Free everything the fixups above kept.  Attendant, at exit (cfg
 * purge), after the modules' destroy. */
void pv_fix_free_all(void);

#endif

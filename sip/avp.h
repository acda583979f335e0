/*
 * avp.h: attribute-value pairs (AVPs), OpenSER style.  An AVP is named by
 * an integer id ($avp(i:400)) or by a string ($avp(s:name)); its value is
 * an integer or a string.  AVPs live in shm so that tm can keep a
 * request's list in its transaction and use it again in failure, branch
 * and onreply routes.
 *
 * Every process has one "current list" pointer.  While a request is being
 * routed it points at the message's list; tm points it at a transaction's
 * list with avp_set_list() and puts the previous one back afterwards.  At
 * the end of each message the core calls avp_msg_end(), which frees what
 * is left on the message's list (a module that wants the AVPs moves the
 * head pointer out first: t->avps = *avp_get_list(); *avp_get_list() =
 * NULL) and makes the message's list current again.
 *
 * Lists are single-linked, newest first: a search finds the value added
 * last.  An AVP is one shm block (struct, name and value bytes) and is
 * never changed in place; to change a value, delete and add.  Nothing
 * here locks: a list is used by one process at a time (tm locks its
 * transaction around the use of its list).
 */
#ifndef SIP_AVP_H
#define SIP_AVP_H

#include "lib/str.h"

/* flags of an AVP (and of searches: which kind of name is given) */
#define AVP_NAME_STR 1u	/* named by string (s:name), else by integer id */
#define AVP_VAL_STR  2u	/* string value, else integer */

/* A name or a value: .n when the matching AVP_*_STR flag is clear. */
union avp_val {
	int n;
	str s;
};

/* shm; owned by the list it is on */
struct usr_avp {
	struct usr_avp *next;
	unsigned int flags;	/* AVP_NAME_STR | AVP_VAL_STR */
	int id;			/* the name when !AVP_NAME_STR */
	str name;		/* the name when AVP_NAME_STR (bytes in block) */
	union avp_val val;	/* string bytes in the same block */
};

/* Where a search stopped, for avp_search_next(). */
struct avp_search {
	unsigned int flags;	/* AVP_NAME_STR or 0 */
	union avp_val name;
	struct usr_avp *avp;	/* last match */
};

/* A parsed "$avp(...)" name: "i:400" / "s:name" / "name" (= s:name). */
struct avp_spec {
	unsigned int flags;	/* AVP_NAME_STR or 0 */
	union avp_val name;	/* .s points into the parsed text */
};

/*
 * Add an AVP named <name> (a string when <flags> has AVP_NAME_STR, else
 * the integer id) with value <val> (a string when AVP_VAL_STR) at the head
 * of the current list.  Both are copied.  Returns 0, or -1 when shm is
 * exhausted (logged).
 */
int avp_add(unsigned int flags, union avp_val name, union avp_val val);

/*
 * Add to list <list> instead of the current list; otherwise as avp_add().
 */
int avp_add_to(struct usr_avp **list, unsigned int flags, union avp_val name,
    union avp_val val);

/*
 * First AVP of the current list named <name> (<flags>: AVP_NAME_STR or 0;
 * string names compare case-sensitively), or NULL.  When <val> is not NULL
 * it gets the value (strings point into the AVP).  <st>, when not NULL,
 * remembers the position for avp_search_next().
 */
struct usr_avp *avp_search_first(unsigned int flags, union avp_val name,
    union avp_val *val, struct avp_search *st);

/* The next AVP with the same name after the last one found through <st>,
 * or NULL.  The list must not have lost that AVP in between. */
struct usr_avp *avp_search_next(struct avp_search *st, union avp_val *val);

/* Unlink <avp> from the current list and free it.  Does nothing when it
 * is not on the current list. */
void avp_delete(struct usr_avp *avp);

/* Delete every AVP of the current list named <name> (<all> != 0) or only
 * the newest (<all> == 0).  Returns how many were deleted. */
int avp_delete_name(unsigned int flags, union avp_val name, int all);

/* Free every AVP of *<list> and set *<list> to NULL. */
void avp_destroy_list(struct usr_avp **list);

/* The current list (never NULL). */
struct usr_avp **avp_get_list(void);

/* Make <list> current (NULL: the message's list); returns the previous
 * current list, to be given back to avp_set_list() later. */
struct usr_avp **avp_set_list(struct usr_avp **list);

/* End of a message (core/receive.c): free the message's list and make it
 * current again. */
void avp_msg_end(void);

/* Copy the value of <avp> into <val>; the return is the AVP's flags. */
unsigned int avp_get_val(const struct usr_avp *avp, union avp_val *val);

/*
 * String value of the newest AVP of the current list with integer id
 * <id>, in <val> (points into the AVP).  Returns 0, or -1 when there is
 * none or its value is an integer.  For sip/forward.c
 * (tls_client_domain_avp) and other core users.
 */
int avp_get_str(int id, str *val);

/*
 * Parse an AVP name as written inside $avp(...) or as an avpops argument:
 * "i:N" (N a decimal integer), "s:name" or "name" (a string name).  The
 * string name in <spec> points into <in>.  Returns 0, or -1 when the
 * syntax is wrong.  Does not log.
 */
int avp_spec_parse(const str *in, struct avp_spec *spec);

#endif

/*
 * avp.c: attribute-value pairs in shm and the process's current list
 * (see avp.h).
 */
#include <stdint.h>
#include <string.h>

#include "lib/log.h"
#include "mem/shm.h"
#include "sip/avp.h"

static struct usr_avp *msg_avps;		/* the message's list */
static struct usr_avp **crt_avps = &msg_avps;	/* the current list */

static int
avp_name_match(const struct usr_avp *avp, unsigned int flags,
    const union avp_val *name)
{
	if ((avp->flags & AVP_NAME_STR) != (flags & AVP_NAME_STR))
		return 0;
	if ((flags & AVP_NAME_STR) == 0)
		return avp->id == name->n;
	return avp->name.len == name->s.len
	    && memcmp(avp->name.s, name->s.s, (size_t)name->s.len) == 0;
}

/*
 * Add a copy of <name>=<val> at the head of <list>.  One shm block holds
 * the struct, the string name and the string value.  0, or -1 when shm
 * is exhausted (logged).  Any process.
 */
int
avp_add_to(struct usr_avp **list, unsigned int flags, union avp_val name,
    union avp_val val)
{
	struct usr_avp *avp;
	size_t size = sizeof(*avp);
	char *p;

	flags &= AVP_NAME_STR | AVP_VAL_STR;
	if (flags & AVP_NAME_STR)
		size += (size_t)name.s.len + 1;
	if (flags & AVP_VAL_STR)
		size += (size_t)val.s.len + 1;
	if ((avp = shm_malloc(size)) == NULL) {
		LM_ERR("avp: out of shm memory");
		return -1;
	}
	memset(avp, 0, sizeof(*avp));
	avp->flags = flags;
	p = (char *)(avp + 1);
	if (flags & AVP_NAME_STR) {
		avp->name.s = p;
		avp->name.len = name.s.len;
		if (name.s.len > 0)
			memcpy(p, name.s.s, (size_t)name.s.len);
		p[name.s.len] = '\0';
		p += name.s.len + 1;
	} else {
		avp->id = name.n;
	}
	if (flags & AVP_VAL_STR) {
		avp->val.s.s = p;
		avp->val.s.len = val.s.len;
		if (val.s.len > 0)
			memcpy(p, val.s.s, (size_t)val.s.len);
		p[val.s.len] = '\0';
	} else {
		avp->val.n = val.n;
	}
	avp->next = *list;
	*list = avp;
	return 0;
}

/* avp_add_to() on the current list. */
int
avp_add(unsigned int flags, union avp_val name, union avp_val val)
{
	return avp_add_to(crt_avps, flags, name, val);
}

static struct usr_avp *
avp_search_from(struct usr_avp *avp, unsigned int flags,
    const union avp_val *name, union avp_val *val)
{
	for (; avp != NULL; avp = avp->next) {
		if (avp_name_match(avp, flags, name)) {
			if (val != NULL)
				*val = avp->val;
			return avp;
		}
	}
	return NULL;
}

/* First AVP named <name> on the current list (see avp.h). */
struct usr_avp *
avp_search_first(unsigned int flags, union avp_val name, union avp_val *val,
    struct avp_search *st)
{
	struct usr_avp *avp;

	avp = avp_search_from(*crt_avps, flags, &name, val);
	if (st != NULL) {
		st->flags = flags & AVP_NAME_STR;
		st->name = name;
		st->avp = avp;
	}
	return avp;
}

/* Next AVP with the name of the search <st> (see avp.h). */
struct usr_avp *
avp_search_next(struct avp_search *st, union avp_val *val)
{
	if (st->avp == NULL)
		return NULL;
	st->avp = avp_search_from(st->avp->next, st->flags, &st->name, val);
	return st->avp;
}

/* Unlink <avp> from the current list and free it. */
void
avp_delete(struct usr_avp *avp)
{
	struct usr_avp **pp;

	for (pp = crt_avps; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == avp) {
			*pp = avp->next;
			shm_free(avp);
			return;
		}
	}
}

/* Delete the newest or every AVP named <name>; returns how many. */
int
avp_delete_name(unsigned int flags, union avp_val name, int all)
{
	struct usr_avp **pp, *avp;
	int n = 0;

	pp = crt_avps;
	while ((avp = *pp) != NULL) {
		if (avp_name_match(avp, flags, &name)) {
			*pp = avp->next;
			shm_free(avp);
			n++;
			if (!all)
				break;
		} else {
			pp = &avp->next;
		}
	}
	return n;
}

/* Free the whole list *<list>. */
void
avp_destroy_list(struct usr_avp **list)
{
	struct usr_avp *avp, *next;

	for (avp = *list; avp != NULL; avp = next) {
		next = avp->next;
		shm_free(avp);
	}
	*list = NULL;
}

/* The current list. */
struct usr_avp **
avp_get_list(void)
{
	return crt_avps;
}

/* Make <list> current (NULL: the message's); returns the previous one. */
struct usr_avp **
avp_set_list(struct usr_avp **list)
{
	struct usr_avp **old = crt_avps;

	crt_avps = list != NULL ? list : &msg_avps;
	return old;
}

/* End of a message: free its list and make it current. */
void
avp_msg_end(void)
{
	avp_destroy_list(&msg_avps);
	crt_avps = &msg_avps;
}

/* The value of <avp>; returns its flags. */
unsigned int
avp_get_val(const struct usr_avp *avp, union avp_val *val)
{
	*val = avp->val;
	return avp->flags;
}

/* String value of the newest AVP with integer id <id> (see avp.h). */
int
avp_get_str(int id, str *val)
{
	union avp_val name, v;
	struct usr_avp *avp;

	name.n = id;
	if ((avp = avp_search_first(0, name, &v, NULL)) == NULL
	    || (avp->flags & AVP_VAL_STR) == 0)
		return -1;
	*val = v.s;
	return 0;
}

/* Parse "i:N", "s:name" or "name" (see avp.h). */
int
avp_spec_parse(const str *in, struct avp_spec *spec)
{
	char *p = in->s, *end = in->s + in->len;
	long n = 0;
	int neg = 0;

	if (in->len >= 2 && (p[0] == 'i' || p[0] == 'I') && p[1] == ':') {
		p += 2;
		if (p < end && *p == '-') {
			neg = 1;
			p++;
		}
		if (p == end)
			return -1;
		for (; p < end; p++) {
			if (*p < '0' || *p > '9')
				return -1;
			n = n * 10 + (*p - '0');
			if (n > INT32_MAX)
				return -1;
		}
		spec->flags = 0;
		spec->name.n = (int)(neg ? -n : n);
		return 0;
	}
	if (in->len >= 2 && (p[0] == 's' || p[0] == 'S') && p[1] == ':')
		p += 2;
	if (p == end)
		return -1;
	for (const char *q = p; q < end; q++) {
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z')
			|| (*q >= '0' && *q <= '9') || *q == '_' || *q == '-'
			|| *q == '.'))
			return -1;
	}
	spec->flags = AVP_NAME_STR;
	spec->name.s.s = p;
	spec->name.s.len = (int)(end - p);
	return 0;
}

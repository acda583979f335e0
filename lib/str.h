/*
 * str.h: the counted string used everywhere (OpenSER's one typedef).
 * A str never owns its bytes unless the owner says so; .s is not
 * NUL-terminated in general.
 */
#ifndef LIB_STR_H
#define LIB_STR_H

#include <stddef.h>
#include <string.h>

typedef struct {
	char *s;
	int len;
} str;

#define STR_NULL	  { NULL, 0 }
/* A str over a char array (not a literal): the parser may write into it. */
#define STR_BUF(b)	  ((str){ (b), (int)sizeof(b) - 1 })
/* Print a str with "%.*s". */
#define STR_FMT(p)	  ((p)->len), ((p)->s)

int str_eq(const str *a, const str *b);
int str_caseeq(const str *a, const str *b);
int str_caseeq_cstr(const str *a, const char *b);
int str_eq_cstr(const str *a, const char *b);
void str_trim(str *s);
int str_to_uint(const str *s, unsigned int *out);
char *str_dup_cstr(const str *s);

#endif

/*
 * parse_char.h: character classes and whitespace skipping shared by the
 * parser files (RFC 3261 25.1).  Header-only, static inline, no symbols.
 */
#ifndef PARSER_PARSE_CHAR_H
#define PARSER_PARSE_CHAR_H

/* RFC 3261 token: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" /
 * "`" / "'" / "~" */
static inline int
pc_is_token(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
	    || (c >= '0' && c <= '9'))
		return 1;
	switch (c) {
	case '-': case '.': case '!': case '%': case '*':
	case '_': case '+': case '`': case '\'': case '~':
		return 1;
	default:
		return 0;
	}
}

static inline int
pc_is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
	    || (c >= '0' && c <= '9');
}

static inline int
pc_is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static inline int
pc_is_hex(unsigned char c)
{
	return pc_is_digit(c) || (c >= 'a' && c <= 'f')
	    || (c >= 'A' && c <= 'F');
}

/* SP or HT */
static inline int
pc_is_ws(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Linear white space inside a header value.  Header values reach the
 * sub-parsers with their folds (CRLF followed by SP/HT) still in place, so
 * CR and LF count as white space there.
 */
static inline int
pc_is_lws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static inline char *
pc_skip_lws(char *p, const char *end)
{
	while (p < end && pc_is_lws((unsigned char)*p))
		p++;
	return p;
}

/* Index just past the token starting at <p>, or <p> itself. */
static inline char *
pc_skip_token(char *p, const char *end)
{
	while (p < end && pc_is_token((unsigned char)*p))
		p++;
	return p;
}

/*
 * <p> points at '"': return the char after the closing quote, or NULL when
 * the string is not terminated before <end>.  quoted-pair may escape any
 * byte but CR and LF (RFC 3261 25.1).
 */
static inline char *
pc_skip_quoted(char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '"')
			return p + 1;
		if (*p == '\\') {
			if (p + 1 >= end || p[1] == '\r' || p[1] == '\n')
				return NULL;
			p++;
		}
	}
	return NULL;
}

#endif

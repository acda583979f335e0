/*
 * cfg.lex: scanner of openser.cfg.  Reentrant; its state lives in the
 * struct cfg_ctx passed as yyextra.  A newline is a token (EOL) only at
 * top level, outside {} and (), because globals end at the end of the line
 * (OpenSER 1.x: `debug = 3` takes no ';'); error recovery resynchronises
 * on it.  Keywords are the statement words only, in one sorted table.
 */
%option reentrant bison-bridge bison-locations noyywrap nounput noinput
%option never-interactive nounistd
%option extra-type="struct cfg_ctx *"
%x COMMENT STR

%top{
#include <errno.h>
#include <stdlib.h>
#include <string.h>
}

%{
#include "cfg/cfg_ctx.h"
#include "cfg.tab.h"

static void lex_step(struct cfg_ctx *cx, YYLTYPE *loc, const char *text,
    int len);
static int lex_keyword(const char *word);
static void lex_sappend(struct cfg_ctx *cx, const char *s, size_t len);

#define YY_USER_ACTION lex_step(yyextra, yylloc, yytext, (int)yyleng);
%}

DIGIT	[0-9]
HEX	[0-9a-fA-F]
IPV4	{DIGIT}{1,3}"."{DIGIT}{1,3}"."{DIGIT}{1,3}"."{DIGIT}{1,3}
IPV6	{HEX}{0,4}(":"{HEX}{0,4}){2,7}("."{DIGIT}{1,3}){0,3}
ID	[a-zA-Z_][a-zA-Z0-9_]*([.-][a-zA-Z0-9_]+)*
PVAR	"$"[a-zA-Z_][a-zA-Z0-9_]*("("[^()\n]*")")?

%%

"/*"			{ yyextra->sloc = *yylloc; BEGIN(COMMENT); }
<COMMENT>"*/"		{ BEGIN(INITIAL); }
<COMMENT>[^*\n]+	;
<COMMENT>"*"		;
<COMMENT>\n		;
<COMMENT><<EOF>>	{
			cfg_error(yyextra, &yyextra->sloc,
			    "unterminated comment");
			BEGIN(INITIAL);
			return END;
			}

"#"[^\n]*		;
[ \t\r]+		;
\n			{
			if (yyextra->braces == 0 && yyextra->parens == 0)
				return EOL;
			}

\"			{
			yyextra->sloc = *yylloc;
			yyextra->slen = 0;
			lex_sappend(yyextra, "", 0);
			BEGIN(STR);
			}
<STR>[^"\\\n]+		{ lex_sappend(yyextra, yytext, yyleng); }
<STR>\\n		{ lex_sappend(yyextra, "\n", 1); }
<STR>\\r		{ lex_sappend(yyextra, "\r", 1); }
<STR>\\t		{ lex_sappend(yyextra, "\t", 1); }
<STR>\\["\\]		{ lex_sappend(yyextra, yytext + 1, 1); }
<STR>\\.		{ lex_sappend(yyextra, yytext, 2); /* regexes: \. */ }
<STR>\"			{
			BEGIN(INITIAL);
			yylloc->first_line = yyextra->sloc.first_line;
			yylloc->first_column = yyextra->sloc.first_column;
			yylval->str = cfg_strdup(yyextra->sbuf);
			return STRING;
			}
<STR>\n|\\\n		{
			cfg_error(yyextra, &yyextra->sloc,
			    "unterminated string");
			/* give the newline back: it may end a global */
			yyextra->line = yylloc->first_line;
			yyextra->col = yylloc->first_column;
			yyless(0);
			BEGIN(INITIAL);
			*yylloc = yyextra->sloc;
			yylval->str = cfg_strdup(yyextra->sbuf);
			return STRING;
			}
<STR><<EOF>>		{
			cfg_error(yyextra, &yyextra->sloc,
			    "unterminated string");
			BEGIN(INITIAL);
			return END;
			}

"=="			{ return EQ; }
"!="			{ return NE; }
"=~"			{ return MATCH; }
"!~"			{ return NOMATCH; }
"<="			{ return LE; }
">="			{ return GE; }
"&&"			{ return AND; }
"||"			{ return OR; }
"!"			{ return NOT; }
"{"			{
			/* () never enclose a block: a ( left open by a
			 * syntax error must not hide the newlines after it */
			yyextra->parens = 0;
			yyextra->braces++;
			return '{';
			}
"}"			{
			yyextra->parens = 0;
			if (yyextra->braces > 0)
				yyextra->braces--;
			return '}';
			}
";"			{ yyextra->parens = 0; return ';'; }
"("			{ yyextra->parens++; return '('; }
")"			{
			if (yyextra->parens > 0)
				yyextra->parens--;
			return ')';
			}
[=<>\[\],:/*-]		{ return yytext[0]; }

{IPV4}			{ yylval->str = cfg_strdup(yytext); return IPV4; }
{IPV6}			{ yylval->str = cfg_strdup(yytext); return IPV6; }
0x{HEX}+|{DIGIT}+	{
			errno = 0;
			yylval->num = strtol(yytext, NULL, 0);
			if (errno != 0)
				cfg_error(yyextra, yylloc,
				    "number %s is too large", yytext);
			return NUMBER;
			}
{PVAR}			{ yylval->str = cfg_strdup(yytext); return PVAR; }
{ID}			{
			int kw = lex_keyword(yytext);

			if (kw != 0)
				return kw;
			yylval->str = cfg_strdup(yytext);
			return ID;
			}
.			{
			cfg_error(yyextra, yylloc,
			    "unexpected character '%s'", yytext);
			}
<<EOF>>			{
			/* a last global may lack its newline */
			if (!yyextra->eof_sent && yyextra->braces == 0
			    && yyextra->parens == 0) {
				yyextra->eof_sent = 1;
				return EOL;
			}
			return END;
			}

%%

/* Sorted by name: lex_keyword() uses bsearch(). */
static const struct lex_kw {
	const char *name;
	int token;
} lex_keywords[] = {
	{ "and", AND },
	{ "branch_route", BRANCH_ROUTE },
	{ "else", ELSE },
	{ "error_route", ERROR_ROUTE },
	{ "failure_route", FAILURE_ROUTE },
	{ "if", IF },
	{ "loadmodule", LOADMODULE },
	{ "modparam", MODPARAM },
	{ "not", NOT },
	{ "onreply_route", ONREPLY_ROUTE },
	{ "or", OR },
	{ "route", ROUTE },
	{ "tls_client_domain", TLS_CLIENT_DOMAIN },
	{ "tls_server_domain", TLS_SERVER_DOMAIN },
};

static int
lex_kw_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct lex_kw *)elem)->name);
}

static int
lex_keyword(const char *word)
{
	const struct lex_kw *kw;

	kw = bsearch(word, lex_keywords,
	    sizeof(lex_keywords) / sizeof(lex_keywords[0]),
	    sizeof(lex_keywords[0]), lex_kw_cmp);
	return kw != NULL ? kw->token : 0;
}

/* 1 when the keyword table is sorted (unit test). */
int
cfg_lex_keywords_sorted(void)
{
	size_t i;

	for (i = 1; i < sizeof(lex_keywords) / sizeof(lex_keywords[0]); i++)
		if (strcmp(lex_keywords[i - 1].name, lex_keywords[i].name) >= 0)
			return 0;
	return 1;
}

/* The token spans <text>; advance the position past it. */
static void
lex_step(struct cfg_ctx *cx, YYLTYPE *loc, const char *text, int len)
{
	int i;

	loc->first_line = cx->line;
	loc->first_column = cx->col;
	for (i = 0; i < len; i++) {
		if (text[i] == '\n') {
			cx->line++;
			cx->col = 1;
		} else {
			cx->col++;
		}
	}
	loc->last_line = cx->line;
	loc->last_column = cx->col;
}

static void
lex_sappend(struct cfg_ctx *cx, const char *s, size_t len)
{
	char *p;

	if (cx->slen + len + 1 > cx->scap) {
		cx->scap = (cx->slen + len + 1) * 2;
		if ((p = realloc(cx->sbuf, cx->scap)) == NULL) {
			(void)fputs("out of memory while parsing the config\n",
			    stderr);
			exit(1);
		}
		cx->sbuf = p;
	}
	memcpy(cx->sbuf + cx->slen, s, len);
	cx->slen += len;
	cx->sbuf[cx->slen] = '\0';
}

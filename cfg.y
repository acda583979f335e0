/*
 * cfg.y: grammar of openser.cfg (OpenSER 1.x syntax).  Rules check the
 * shape of a statement and hand its values to a cfg_*() helper (cfg/),
 * which owns the semantics, takes ownership of the strings and reports
 * errors at the given location.  `config error EOL`, `error ';'` and
 * `error '}'` resynchronise, so every error of a file is reported in one
 * run.  Values dropped by recovery are freed by the %destructors.
 */
%define api.pure full
%define api.location.type {struct cfg_loc}
%define parse.error verbose
%locations
%expect 0
%param		{ void *scanner }
%parse-param	{ struct cfg_ctx *cx }
%initial-action	{
	@$.first_line = @$.last_line = 1;
	@$.first_column = @$.last_column = 1;
}

%code requires	{
#include "cfg/cfg_ctx.h"
}

%code		{
#include "cfg.lex.h"

static void yyerror(YYLTYPE *loc, void *scanner, struct cfg_ctx *cx,
    const char *msg);
}

%union {
	long			 num;
	char			*str;
	struct route_val	 val;
	struct expr		*exp;
	struct action		*act;
	struct cfg_args		*args;
}

%token		END 0		"end of file"
%token		EOL		"end of line"
%token		LOADMODULE	"loadmodule"
%token		MODPARAM	"modparam"
%token		ROUTE		"route"
%token		FAILURE_ROUTE	"failure_route"
%token		ONREPLY_ROUTE	"onreply_route"
%token		BRANCH_ROUTE	"branch_route"
%token		ERROR_ROUTE	"error_route"
%token		TLS_SERVER_DOMAIN "tls_server_domain"
%token		TLS_CLIENT_DOMAIN "tls_client_domain"
%token		IF		"if"
%token		ELSE		"else"
%token		EQ		"=="
%token		NE		"!="
%token		MATCH		"=~"
%token		NOMATCH		"!~"
%token		LE		"<="
%token		GE		">="
%token		AND		"&&"
%token		OR		"||"
%token		NOT		"!"
%token	<str>	ID		"identifier"
%token	<str>	STRING		"string"
%token	<str>	IPV4		"IPv4 address"
%token	<str>	IPV6		"IPv6 address"
%token	<num>	NUMBER		"number"
%token	<str>	PVAR		"pseudo-variable"

%type	<val>	value addr rhs route_name pvval arg
%type	<str>	v6ref
%type	<act>	actions stm cmd if_stm
%type	<exp>	exp if_head
%type	<args>	args
%type	<num>	op route_head

%left		OR
%left		AND
%precedence	NOT
%precedence	THEN
%precedence	ELSE

%destructor	{ free($$); }			<str>
%destructor	{ route_val_clear(&$$); }	<val>
%destructor	{ route_expr_free($$); }	<exp>
%destructor	{ route_act_free($$); }		<act>
%destructor	{ cfg_args_free($$); }		<args>

%%

config		: %empty
		| config item
		;

item		: EOL
		| ';'
		| ID '=' value end	{ cfg_set_global(cx, &@1, $1, &$3); }
		| LOADMODULE STRING end	{ cfg_loadmodule(cx, &@2, $2); }
		| MODPARAM '(' STRING ',' STRING ',' value ')' end {
			cfg_modparam(cx, &@1, $3, $5, &$7);
		}
		| route_head eols '{' actions '}' {
			cfg_route_end(cx, (int)$1, $4);
		}
		| route_head eols '{' actions error '}' {
			cfg_route_end(cx, (int)$1, $4);
			yyerrok;
		}
		| tls_head eols '{' tls_params '}' {
			cfg_tls_domain_end(cx, &@1);
		}
		| error EOL		{ yyerrok; }
		;

end		: EOL
		| ';'
		;

eols		: %empty
		| eols EOL
		;

route_head	: ROUTE {
			$$ = cfg_route_begin(cx, &@1, ROUTE_REQUEST, NULL);
		}
		| ROUTE '[' route_name ']' {
			$$ = cfg_route_begin(cx, &@1, ROUTE_REQUEST, &$3);
		}
		| FAILURE_ROUTE '[' route_name ']' {
			$$ = cfg_route_begin(cx, &@1, ROUTE_FAILURE, &$3);
		}
		| ONREPLY_ROUTE {
			$$ = cfg_route_begin(cx, &@1, ROUTE_ONREPLY, NULL);
		}
		| ONREPLY_ROUTE '[' route_name ']' {
			$$ = cfg_route_begin(cx, &@1, ROUTE_ONREPLY, &$3);
		}
		| BRANCH_ROUTE '[' route_name ']' {
			$$ = cfg_route_begin(cx, &@1, ROUTE_BRANCH, &$3);
		}
		| ERROR_ROUTE {
			$$ = cfg_route_begin(cx, &@1, ROUTE_ERROR, NULL);
		}
		;

route_name	: NUMBER		{ cfg_val_num(cx, &$$, &@1, $1); }
		| ID			{ cfg_val_word(cx, &$$, &@1, $1); }
		;

/* A rule of its own, not a mid-rule action: $3 leaves the stack here. */
tls_head	: TLS_SERVER_DOMAIN '[' value ']' {
			cfg_tls_domain_begin(cx, &@1, 1, &$3);
		}
		| TLS_CLIENT_DOMAIN '[' value ']' {
			cfg_tls_domain_begin(cx, &@1, 0, &$3);
		}
		;

tls_params	: %empty
		| tls_params ';'
		| tls_params ID '=' value {
			cfg_tls_domain_set(cx, &@2, $2, &$4);
		}
		;

actions		: %empty		{ $$ = NULL; }
		| actions stm		{ $$ = route_act_append($1, $2); }
		;

stm		: cmd ';'		{ $$ = $1; }
		| pvval '=' arg ';'	{ $$ = cfg_assign(cx, &@1, &$1, &$3); }
		| if_stm		{ $$ = $1; }
		| '{' actions '}'	{ $$ = $2; }
		| '{' actions error '}'	{ $$ = $2; yyerrok; }
		| ';'			{ $$ = NULL; }
		| error ';'		{ $$ = NULL; yyerrok; }
		;

cmd		: ID			{ $$ = cfg_cmd(cx, &@1, $1, NULL); }
		| ID '(' ')'		{ $$ = cfg_cmd(cx, &@1, $1, NULL); }
		| ID '(' args ')'	{ $$ = cfg_cmd(cx, &@1, $1, $3); }
		| ROUTE '(' route_name ')' {
			$$ = cfg_route_call(cx, &@1, &$3);
		}
		;

args		: arg			{ $$ = cfg_args_add(NULL, &$1); }
		| args ',' arg		{ $$ = cfg_args_add($1, &$3); }
		;

arg		: value			{ $$ = $1; }
		| pvval			{ $$ = $1; }
		;

pvval		: PVAR			{ cfg_val_pv(cx, &$$, &@1, $1); }
		;

if_stm		: if_head stm %prec THEN {
			$$ = cfg_if(cx, &@1, $1, $2, NULL);
		}
		| if_head stm ELSE stm {
			$$ = cfg_if(cx, &@1, $1, $2, $4);
		}
		;

if_head		: IF '(' exp ')'	{ $$ = $3; }
		| IF '(' error ')'	{ $$ = NULL; yyerrok; }
		;

exp		: exp OR exp	{ $$ = cfg_bool(cx, &@2, EXPR_OR, $1, $3); }
		| exp AND exp	{ $$ = cfg_bool(cx, &@2, EXPR_AND, $1, $3); }
		| NOT exp	{ $$ = cfg_bool(cx, &@1, EXPR_NOT, $2, NULL); }
		| '(' exp ')'	{ $$ = $2; }
		| ID op rhs	{ $$ = cfg_cmp(cx, &@1, $1, NULL, (int)$2, &$3); }
		| ID ':' ID op rhs {
			$$ = cfg_cmp(cx, &@1, $1, $3, (int)$4, &$5);
		}
		| pvval op rhs	{ $$ = cfg_cmp_pv(cx, &@1, &$1, (int)$2, &$3); }
		| pvval		{ $$ = cfg_cmp_pv(cx, &@1, &$1, 0, NULL); }
		| ID '(' ')' {
			$$ = cfg_call_expr(cx, &@1, cfg_cmd(cx, &@1, $1, NULL));
		}
		| ID '(' args ')' {
			$$ = cfg_call_expr(cx, &@1, cfg_cmd(cx, &@1, $1, $3));
		}
		;

op		: EQ			{ $$ = OP_EQ; }
		| NE			{ $$ = OP_NE; }
		| MATCH			{ $$ = OP_MATCH; }
		| NOMATCH		{ $$ = OP_NOMATCH; }
		| '<'			{ $$ = OP_LT; }
		| '>'			{ $$ = OP_GT; }
		| LE			{ $$ = OP_LE; }
		| GE			{ $$ = OP_GE; }
		;

/* right-hand side of a comparison: a value or a network */
rhs		: value			{ $$ = $1; }
		| pvval			{ $$ = $1; }
		| IPV4 '/' NUMBER {
			cfg_val_word(cx, &$$, &@1, cfg_join_num($1, "/", $3));
		}
		| IPV4 '/' IPV4 {
			cfg_val_word(cx, &$$, &@1, cfg_join($1, "/", $3));
		}
		| IPV6 '/' NUMBER {
			cfg_val_word(cx, &$$, &@1, cfg_join_num($1, "/", $3));
		}
		;

value		: NUMBER		{ cfg_val_num(cx, &$$, &@1, $1); }
		| '-' NUMBER		{ cfg_val_num(cx, &$$, &@1, -$2); }
		| STRING		{ cfg_val_str(cx, &$$, &@1, $1); }
		| addr			{ $$ = $1; }
		;

/* [proto:]host[:port] unquoted; a bare identifier (yes, udp) too */
addr		: ID			{ cfg_val_word(cx, &$$, &@1, $1); }
		| IPV4			{ cfg_val_word(cx, &$$, &@1, $1); }
		| IPV6			{ cfg_val_word(cx, &$$, &@1, $1); }
		| v6ref			{ cfg_val_word(cx, &$$, &@1, $1); }
		| ID ':' NUMBER {
			cfg_val_word(cx, &$$, &@1, cfg_join_num($1, ":", $3));
		}
		| IPV4 ':' NUMBER {
			cfg_val_word(cx, &$$, &@1, cfg_join_num($1, ":", $3));
		}
		| v6ref ':' NUMBER {
			cfg_val_word(cx, &$$, &@1, cfg_join_num($1, ":", $3));
		}
		| ID ':' ID {
			cfg_val_word(cx, &$$, &@1, cfg_join($1, ":", $3));
		}
		| ID ':' IPV4 {
			cfg_val_word(cx, &$$, &@1, cfg_join($1, ":", $3));
		}
		| ID ':' v6ref {
			cfg_val_word(cx, &$$, &@1, cfg_join($1, ":", $3));
		}
		| ID ':' ID ':' NUMBER {
			cfg_val_word(cx, &$$, &@1,
			    cfg_join_num(cfg_join($1, ":", $3), ":", $5));
		}
		| ID ':' IPV4 ':' NUMBER {
			cfg_val_word(cx, &$$, &@1,
			    cfg_join_num(cfg_join($1, ":", $3), ":", $5));
		}
		| ID ':' v6ref ':' NUMBER {
			cfg_val_word(cx, &$$, &@1,
			    cfg_join_num(cfg_join($1, ":", $3), ":", $5));
		}
		;

v6ref		: '[' IPV6 ']'	{ $$ = cfg_join(cfg_strdup("["), "", cfg_join($2, "]", NULL)); }
		;

%%

static void
yyerror(YYLTYPE *loc, void *scanner, struct cfg_ctx *cx, const char *msg)
{
	cfg_error(cx, loc, "%s", msg);
}

/* Run the parser over <in_file> (a FILE *).  Returns yyparse()'s value. */
int
cfg_yyparse_run(struct cfg_ctx *cx, void *in_file)
{
	yyscan_t scanner;
	int rc;

	if (yylex_init_extra(cx, &scanner) != 0)
		return -1;
	yyset_in(in_file, scanner);
	rc = yyparse(scanner, cx);
	yylex_destroy(scanner);
	return rc;
}

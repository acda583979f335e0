/*
 * Unit tests for parser/parse_auth.c.  Output is TAP.
 */
#include "mem/pkg.h"
#include "parser/hf.h"
#include "parser/parse_auth.h"
#include "test/lib/tap.h"

int
main(void)
{
	char cred[] = "Digest username=\"bob\", "
	    "realm=\"biloxi.example.com\",\r\n"
	    " nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
	    "uri=\"sip:bob@biloxi.example.com\", qop=auth, nc=00000001, "
	    "cnonce=\"0a4f113b\", "
	    "response=\"6629fae49393a05397450978507c4ef1\","
	    " opaque=\"5ccc069c403ebaf9f0171e9517f40e41\", algorithm=MD5, "
	    "x-ext=\"a,b\"";
	char other[] = "NoOneKnowsThisScheme opaque-data=here";
	char bad1[] = "Digest", bad2[] = "Digest realm=\"x";
	char bad3[] = "Digest a=b,,";
	struct hdr_field hf;
	struct auth_body *ab, tmp;
	struct mem_stats st;
	str s;

	plan(15);
	memset(&hf, 0, sizeof(hf));
	hf.body = STR_BUF(cred);
	ok(parse_auth(&hf) == 0, "digest credentials");
	ab = hf.parsed;
	is_str(&ab->scheme, "Digest", "scheme");
	is_str(&ab->username, "bob", "username unquoted");
	is_str(&ab->realm, "biloxi.example.com", "realm");
	is_str(&ab->uri, "sip:bob@biloxi.example.com", "uri");
	is_str(&ab->qop, "auth", "qop token");
	is_str(&ab->nc, "00000001", "nc");
	is_str(&ab->algorithm, "MD5", "algorithm");
	ok(parse_param_find(ab->params, "x-ext") != NULL, "other param kept");
	hf.free_parsed(hf.parsed);
	s = STR_BUF(other);
	ok(parse_auth_body(&s, &tmp) == 0, "unknown scheme");
	parse_param_free(tmp.params);
	s = STR_BUF(bad1);
	ok(parse_auth_body(&s, &tmp) == -1, "scheme only");
	s = STR_BUF(bad2);
	ok(parse_auth_body(&s, &tmp) == -1, "open quote");
	s = STR_BUF(bad3);
	ok(parse_auth_body(&s, &tmp) == -1, "empty param");
	ok(tmp.params == NULL, "nothing left on failure");
	pkg_stats_get(&st);
	is_int(st.fragments, 0, "no pkg memory left behind");
	return done_testing();
}

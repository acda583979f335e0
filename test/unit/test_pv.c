/*
 * Unit tests for script/pv.c: parsing, reading message PVs, writing
 * $ru/$rU/$du/$avp, format strings, module PVs.
 */
#include <string.h>

#include "mem/pkg.h"
#include "mem/shm.h"
#include "parser/msg_parser.h"
#include "script/pv.h"
#include "test/lib/tap.h"

static char req[] =
    "INVITE sip:alice@a.example:5070;transport=udp SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\r\n"
    "f: Bob <sip:bob@b.example>;tag=ft1\r\n"
    "To: <sip:alice@a.example>\r\n"
    "Call-ID: c1@h\r\n"
    "CSeq: 7 INVITE\r\n"
    "User-Agent: ut/1\r\n"
    "X-Thing: yes\r\n"
    "Content-Length: 0\r\n\r\n";

static int
get_seven(struct sip_msg *msg, const struct pv_spec *sp, struct pv_value *v)
{
	v->flags = PV_VAL_INT | PV_VAL_STR;
	v->n = 7;
	v->s = pv_int2str(7);
	return 0;
}

static int
read_pv(struct sip_msg *msg, const char *name, struct pv_value *v)
{
	static char buf[8][64];
	static int n;
	struct pv_spec sp;
	char err[128], *p = buf[n++ % 8];

	strcpy(p, name);
	if (pv_parse_all(p, &sp, err, (int)sizeof(err)) == -1)
		return -1;
	return pv_get(msg, &sp, v);
}

int
main(void)
{
	struct sip_msg msg;
	struct pv_value v;
	struct pv_spec sp;
	struct pv_fmt *f;
	char err[128], out[256], name[64];
	int len;

	plan(27);
	ok(shm_init(1 << 20) == 0, "shm ready");
	memset(&msg, 0, sizeof(msg));
	ok(parse_msg(req, (unsigned int)strlen(req), &msg) == 0, "parsed");
	msg.rcv.src_ip.af = AF_INET;
	msg.rcv.src_ip.len = 4;
	memcpy(msg.rcv.src_ip.u.addr, "\x0a\x00\x00\x01", 4);
	msg.rcv.src_port = 5062;
	msg.rcv.proto = PROTO_UDP;

	ok(read_pv(&msg, "$ru", &v) == 0 && (v.flags & PV_VAL_STR), "$ru");
	is_str(&v.s, "sip:alice@a.example:5070;transport=udp", "$ru value");
	(void)read_pv(&msg, "$rp", &v);
	ok((v.flags & PV_VAL_INT) && v.n == 5070, "$rp is 5070");
	(void)read_pv(&msg, "$fU", &v);
	is_str(&v.s, "bob", "$fU through the compact From");
	(void)read_pv(&msg, "$ft", &v);
	is_str(&v.s, "ft1", "$ft");
	(void)read_pv(&msg, "$td", &v);
	is_str(&v.s, "a.example", "$td");
	(void)read_pv(&msg, "$cs", &v);
	ok(v.n == 7, "$cs");
	(void)read_pv(&msg, "$si", &v);
	is_str(&v.s, "10.0.0.1", "$si");
	(void)read_pv(&msg, "$hdr(x-thing)", &v);
	is_str(&v.s, "yes", "$hdr() case-insensitive");
	(void)read_pv(&msg, "$hdr(From)", &v);
	ok(v.flags & PV_VAL_STR, "$hdr(From) finds f:");
	(void)read_pv(&msg, "$hdr(X-None)", &v);
	ok(v.flags & PV_VAL_NULL, "absent header is null");
	ok(read_pv(&msg, "$nope", &v) == -1, "unknown PV refused");

	strcpy(name, "$avp(i:5)");
	ok(pv_parse_all(name, &sp, err, (int)sizeof(err)) == 0
	    && pv_is_writable(&sp), "$avp(i:5) writable");
	v.flags = PV_VAL_STR;
	v.s.s = (char *)(size_t)"val";
	v.s.len = 3;
	ok(pv_set(&msg, &sp, &v) == 0, "set $avp(i:5)");
	(void)pv_get(&msg, &sp, &v);
	is_str(&v.s, "val", "read it back");
	v.flags = PV_VAL_NULL;
	(void)pv_set(&msg, &sp, &v);
	(void)pv_get(&msg, &sp, &v);
	ok(v.flags & PV_VAL_NULL, "null deletes it");

	strcpy(name, "$rU");
	(void)pv_parse_all(name, &sp, err, (int)sizeof(err));
	v.flags = PV_VAL_STR;
	v.s.s = (char *)(size_t)"carol";
	v.s.len = 5;
	ok(pv_set(&msg, &sp, &v) == 0, "set $rU");
	(void)read_pv(&msg, "$ru", &v);
	is_str(&v.s, "sip:carol@a.example:5070;transport=udp", "$ru rewritten");
	strcpy(name, "$si");
	(void)pv_parse_all(name, &sp, err, (int)sizeof(err));
	ok(!pv_is_writable(&sp), "$si read-only");

	ok(pv_register("T_seven", get_seven) == 0, "module PV registered");
	ok(pv_register("ru", get_seven) == -1, "core names are taken");
	f = pv_fmt_parse("src $si:$sp $$ $T_seven $hdr(X-None)", err,
	    (int)sizeof(err));
	len = (int)sizeof(out);
	ok(f != NULL && pv_fmt_print(&msg, f, out, &len) == 0, "format");
	ok(strcmp(out, "src 10.0.0.1:5062 $ 7 <null>") == 0, "format output");
	pv_fmt_free(f);
	ok(pv_fmt_parse("a $bad b", err, (int)sizeof(err)) == NULL,
	    "format with unknown PV refused");
	f = pv_fmt_parse("cost $$5", err, (int)sizeof(err));
	ok(f != NULL && pv_fmt_is_const(f)
	    && pv_fmt_text(f)->len == 7, "constant format");
	pv_fmt_free(f);
	avp_msg_end();
	pkg_free(msg.new_uri.s);
	msg_free(&msg);
	return done_testing();
}

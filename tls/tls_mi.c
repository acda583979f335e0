/*
 * tls_mi.c: the text of tls_list and tls_info (see tls_mi.h).
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "net/socket_info.h"
#include "net/tcp_conn.h"
#include "tls/tls_domain.h"
#include "tls/tls_log.h"
#include "tls/tls_mi.h"

struct out {
	char *buf;
	int len, size, cut;
};

static void out_printf(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
out_printf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->cut || o->size <= 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, (size_t)(o->size - o->len), fmt, ap);
	va_end(ap);
	if (n < 0 || n >= o->size - o->len) {
		o->len = o->size - 1;
		o->cut = 1;
		return;
	}
	o->len += n;
}

static int
out_end(const struct out *o)
{
	return o->cut ? -1 : o->len;
}

static const char *
state_name(enum tcp_conn_state st)
{
	switch (st) {
	case TCP_CONN_CONNECTING:
		return "connecting";
	case TCP_CONN_OPEN:
		return "open";
	case TCP_CONN_CLOSING:
		return "closing";
	}
	return "?";
}

/* desc = "<version> <cipher> domain=<name> peer=<subject>" (tls_server.c) */
static void
print_desc(struct out *o, const char *desc)
{
	const char *dom = strstr(desc, " domain="), *peer = strstr(desc,
	    " peer="), *sp = strchr(desc, ' ');
	const char *cipher = sp != NULL ? sp + 1 : "";
	const char *csp = strchr(cipher, ' ');

	if (desc[0] == '\0' || sp == NULL || dom == NULL || peer == NULL
	    || peer < dom) {
		out_printf(o, "\ttls: %s\n", desc[0] != '\0' ? desc
		    : "handshake not finished");
		return;
	}
	out_printf(o, "\tdomain: %.*s\n", (int)(peer - dom - 8), dom + 8);
	out_printf(o, "\tversion: %.*s\n", (int)(sp - desc), desc);
	out_printf(o, "\tcipher: %.*s\n", csp != NULL ? (int)(csp - cipher)
	    : (int)strlen(cipher), cipher);
	out_printf(o, "\tpeer subject: %s\n", peer + 6);
}

struct list_arg {
	struct out *o;
	long now;
	int n;
};

static int
list_one(const struct tcp_conn_info *ci, void *arg)
{
	struct list_arg *la = arg;
	char peer[SU_MAX_STR];

	if (ci->proto != PROTO_TLS)
		return 0;
	if (su_to_str(&ci->remote, peer, sizeof(peer)) == -1)
		(void)snprintf(peer, sizeof(peer), "?");
	out_printf(la->o, "Connection:: %u\n\tpeer: %s\n\tlocal: %s\n"
	    "\tdirection: %s\n\tstate: %s\n\towner: tcp worker %d\n"
	    "\tage: %ld s\n", ci->id, peer,
	    ci->local != NULL ? ci->local->sock_str.s : "?",
	    ci->cdom != 0 ? "outbound" : "inbound", state_name(ci->state),
	    ci->owner, la->now - ci->created);
	print_desc(la->o, ci->desc);
	la->n++;
	return la->o->cut;
}

int
tls_mi_list(char *buf, int size)
{
	struct out o = { buf, 0, size, 0 };
	struct list_arg la = { &o, tcp_now(), 0 };

	if (size > 0)
		buf[0] = '\0';
	if (tcp_index_walk(list_one, &la) == -1) {
		out_printf(&o, "cannot list connections: out of shm\n");
		return out_end(&o);
	}
	out_printf(&o, "Total:: %d TLS connection%s\n", la.n,
	    la.n == 1 ? "" : "s");
	return out_end(&o);
}

static void
print_sans(struct out *o, X509 *x)
{
	GENERAL_NAMES *gens;
	const GENERAL_NAME *g;
	const unsigned char *p;
	char ip[INET6_ADDRSTRLEN];
	int i, n, af;

	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	out_printf(o, "\tSANs:");
	n = gens != NULL ? sk_GENERAL_NAME_num(gens) : 0;
	for (i = 0; i < n; i++) {
		g = sk_GENERAL_NAME_value(gens, i);
		switch (g->type) {
		case GEN_DNS:
		case GEN_URI:
		case GEN_EMAIL:
			p = ASN1_STRING_get0_data(g->d.ia5);
			out_printf(o, " %s:%.*s", g->type == GEN_DNS ? "DNS"
			    : g->type == GEN_URI ? "URI" : "email",
			    ASN1_STRING_length(g->d.ia5), (const char *)p);
			break;
		case GEN_IPADD:
			p = ASN1_STRING_get0_data(g->d.ip);
			af = ASN1_STRING_length(g->d.ip) == 4 ? AF_INET
			    : AF_INET6;
			if (ASN1_STRING_length(g->d.ip) != 4
			    && ASN1_STRING_length(g->d.ip) != 16)
				break;
			if (inet_ntop(af, p, ip, sizeof(ip)) != NULL)
				out_printf(o, " IP:%s", ip);
			break;
		default:
			break;
		}
	}
	out_printf(o, "%s\n", n == 0 ? " none" : "");
	GENERAL_NAMES_free(gens);
}

static void
print_cert(struct out *o, X509 *x)
{
	char name[512], date[64];
	BIO *b;
	int days = 0, secs = 0, len;

	(void)X509_NAME_oneline(X509_get_subject_name(x), name, sizeof(name));
	out_printf(o, "\tsubject: %s\n", name);
	(void)X509_NAME_oneline(X509_get_issuer_name(x), name, sizeof(name));
	out_printf(o, "\tissuer: %s\n", name);
	print_sans(o, x);
	date[0] = '\0';
	if ((b = BIO_new(BIO_s_mem())) != NULL) {
		if (ASN1_TIME_print(b, X509_get0_notAfter(x)) == 1
		    && (len = BIO_read(b, date, sizeof(date) - 1)) > 0)
			date[len] = '\0';
		BIO_free(b);
	}
	if (ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(x)) != 1)
		out_printf(o, "\texpires: %s\n", date);
	else if (days < 0 || secs < 0)
		out_printf(o, "\texpires: %s (EXPIRED %d days ago)\n", date,
		    -days);
	else
		out_printf(o, "\texpires: %s (in %d days)\n", date, days);
}

int
tls_mi_info(char *buf, int size)
{
	struct out o = { buf, 0, size, 0 };
	struct tls_domain *td;
	X509 *x;

	if (size > 0)
		buf[0] = '\0';
	tls_clear_errors();
	for (td = tls_domain_list(); td != NULL; td = td->next) {
		out_printf(&o, "Domain:: %s\n\ttype: %s%s\n", td->name,
		    (td->type & TLS_DOMAIN_SRV) ? "server" : "client",
		    (td->type & TLS_DOMAIN_DEF) ? " (default)"
		    : (td->type & TLS_DOMAIN_NAME) ? " (by name)" : "");
		out_printf(&o, "\tcertificate file: %s\n",
		    td->certificate != NULL ? td->certificate : "none");
		x = td->ctx != NULL ? SSL_CTX_get0_certificate(td->ctx) : NULL;
		if (x == NULL)
			out_printf(&o, "\tcertificate: none loaded\n");
		else
			print_cert(&o, x);
	}
	tls_clear_errors();
	return out_end(&o);
}

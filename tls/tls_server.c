/*
 * tls_server.c: one TLS connection, driven by its owning tcp worker
 * (OpenSER's tls_tcpconn_init / tls_read / tls_write / tls_tcpconn_clean,
 * non-blocking).  Every step returns TR_OK, TR_AGAIN with the direction
 * OpenSSL wants, TR_EOF or TR_ERROR.  OpenSSL's error queue is cleared
 * before and drained after every SSL call.  A failed handshake logs one
 * line: peer, local socket, domain and the reason in words.
 */
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>

#include "lib/log.h"
#include "lib/stats.h"
#include "mem/pkg.h"
#include "net/socket_info.h"
#include "net/tcp_conn.h"
#include "tls/tls_config.h"
#include "tls/tls_domain.h"
#include "tls/tls_init.h"
#include "tls/tls_log.h"
#include "tls/tls_server.h"

/* pkg; private to the owning tcp worker */
struct tls_conn {
	SSL *ssl;
	struct tls_domain *td;
	unsigned int id;
	int server;
	int established;
	struct socket_info *local;
	union sockaddr_union remote;
	struct seen_leaf *seen;	/* handshake only: leaf seen while verifying */
};

/* the peer's leaf certificate names, kept while verifying for the log line
 * of a failed handshake; freed once established (idle connections stay
 * small) */
struct seen_leaf {
	char subject[256];
	char issuer[256];
};

static struct stat_var *st_hs_ok, *st_hs_fail, *st_hs_refused, *st_open;

/* Register the TLS counters.  Attendant, before stats_init(). */
int
tls_server_stats_register(void)
{
	st_hs_ok = stats_register("tls", "handshakes_ok");
	st_hs_fail = stats_register("tls", "handshakes_failed");
	st_hs_refused = stats_register("tls", "handshakes_refused_memory");
	st_open = stats_register("tls", "open_connections");
	return st_hs_ok && st_hs_fail && st_hs_refused && st_open ? 0 : -1;
}

/*
 * Verification callback: keeps OpenSSL's verdict and remembers the peer's
 * leaf certificate names, because after a failed verification OpenSSL no
 * longer hands the certificate out and the log line must name it.
 */
static int
verify_cb(int ok, X509_STORE_CTX *xs)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(xs,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tls_conn *t = ssl != NULL ? SSL_get_app_data(ssl) : NULL;
	X509 *leaf = X509_STORE_CTX_get0_cert(xs);

	if (t != NULL && leaf != NULL && t->seen == NULL
	    && (t->seen = pkg_malloc(sizeof(*t->seen))) != NULL) {
		(void)X509_NAME_oneline(X509_get_subject_name(leaf),
		    t->seen->subject, sizeof(t->seen->subject));
		(void)X509_NAME_oneline(X509_get_issuer_name(leaf),
		    t->seen->issuer, sizeof(t->seen->issuer));
	}
	return ok;
}

static const char *
peer_str(const struct tls_conn *t, char *buf, int size)
{
	if (su_to_str(&t->remote, buf, size) < 0)
		(void)snprintf(buf, (size_t)size, "?");
	return buf;
}

static int
tls_conn_init(void **st, const struct tr_conn *tc)
{
	struct tls_domain *td;
	struct tls_conn *t;
	char p[SU_MAX_STR];

	if (su_to_str(&tc->remote, p, sizeof(p)) < 0)
		(void)snprintf(p, sizeof(p), "?");
	if (tls_mem_over_budget()) {
		stats_add(st_hs_refused, 1);
		LM_WARN_RL("tls: refusing a new handshake with %s: OpenSSL memory "
		    "of this process (%zu bytes) is above tls_max_memory "
		    "(%d MB); existing connections keep working", p,
		    tls_mem_used(), tls_max_memory);
		return -1;
	}
	if (tc->server)
		td = tls_domain_find_server(&tc->local->address,
		    tc->local->port_no);
	else
		td = tc->cdom > 0 ? tls_domain_by_index(tc->cdom)
				  : tls_domain_find_client(&tc->remote);
	if (td == NULL || td->ctx == NULL) {
		LM_ERR("tls: no usable %s domain for %s", tc->server ? "server"
		    : "client", p);
		return -1;
	}
	if ((t = pkg_zalloc(sizeof(*t))) == NULL) {
		PKG_MEM_ERROR("setting up a TLS connection");
		return -1;
	}
	tls_clear_errors();
	if ((t->ssl = SSL_new(td->ctx)) == NULL
	    || SSL_set_fd(t->ssl, tc->fd) != 1) {
		tls_log_errors(L_ERR, "tls domain %s: cannot set up the "
		    "connection with %s", td->name, p);
		SSL_free(t->ssl);
		pkg_free(t);
		return -1;
	}
	if (tc->server)
		SSL_set_accept_state(t->ssl);
	else
		SSL_set_connect_state(t->ssl);
	SSL_set_app_data(t->ssl, t);
	/* a peer that closes without close_notify is a normal close for SIP:
	 * Content-Length framing already protects against truncation */
	SSL_set_options(t->ssl, SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_set_verify(t->ssl, SSL_get_verify_mode(t->ssl), verify_cb);
	t->td = td;
	t->id = tc->id;
	t->server = tc->server;
	t->local = tc->local;
	t->remote = tc->remote;
	*st = t;
	return 0;
}

static void
cert_names(SSL *ssl, char *subj, char *iss, int size)
{
	X509 *x = SSL_get1_peer_certificate(ssl);

	subj[0] = iss[0] = '\0';
	if (x == NULL) {
		(void)snprintf(subj, (size_t)size, "(no certificate)");
		return;
	}
	(void)X509_NAME_oneline(X509_get_subject_name(x), subj, size);
	(void)X509_NAME_oneline(X509_get_issuer_name(x), iss, size);
	X509_free(x);
}

static void
log_failure(struct tls_conn *t, int err)
{
	char p[SU_MAX_STR], why[512], subj[256], iss[256];
	long vr = SSL_get_verify_result(t->ssl);

	cert_names(t->ssl, subj, iss, sizeof(subj));
	if (t->seen != NULL) {	/* seen while verifying */
		(void)snprintf(subj, sizeof(subj), "%s", t->seen->subject);
		(void)snprintf(iss, sizeof(iss), "%s", t->seen->issuer);
	}
	if (tls_error_string(why, sizeof(why)) == 0)
		(void)snprintf(why, sizeof(why), "%s",
		    err == SSL_ERROR_SYSCALL ? "connection closed by the peer"
					     : "no reason given");
	/* one per connection: a handshake flood gets a bigger budget */
	LM_LOG_LIMIT(L_NOTICE, 5 * LOG_LIMIT_LINES,
	    "tls: handshake with %s on %s (domain %s) failed: %s%s%s; "
	    "peer certificate %s%s%s", peer_str(t, p, sizeof(p)),
	    t->local != NULL ? t->local->sock_str.s : "?", t->td->name, why,
	    vr != X509_V_OK ? "; verify: " : "",
	    vr != X509_V_OK ? X509_verify_cert_error_string(vr) : "", subj,
	    iss[0] != '\0' ? ", issuer " : "", iss);
}

static enum tr_status
want_of(int err, unsigned int *want)
{
	*want = err == SSL_ERROR_WANT_WRITE ? EPOLLOUT : EPOLLIN;
	return TR_AGAIN;
}

static enum tr_status
tls_handshake(void *st, unsigned int *want)
{
	struct tls_conn *t = st;
	char p[SU_MAX_STR], subj[256], iss[256];
	int r, err;

	tls_clear_errors();
	r = SSL_do_handshake(t->ssl);
	if (r == 1) {
		char desc[192];

		t->established = 1;
		pkg_free(t->seen);
		t->seen = NULL;
		stats_add(st_hs_ok, 1);
		stats_add(st_open, 1);
		cert_names(t->ssl, subj, iss, sizeof(subj));
		/* truncating a long subject is fine: it is a summary */
		if (snprintf(desc, sizeof(desc), "%s %s domain=%.48s peer=%.96s",
		    SSL_get_version(t->ssl), SSL_get_cipher_name(t->ssl),
		    t->td->name, subj) < 0)
			desc[0] = '\0';
		tcp_index_set_desc(t->id, desc);
		if (LOG_ENABLED(L_DBG)) {
			LM_DBG("tls: connection %u with %s (domain %s): %s %s, "
			    "peer %s", t->id, peer_str(t, p, sizeof(p)),
			    t->td->name, SSL_get_version(t->ssl),
			    SSL_get_cipher_name(t->ssl), subj);
		}
		return TR_OK;
	}
	err = SSL_get_error(t->ssl, r);
	if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
		return want_of(err, want);
	stats_add(st_hs_fail, 1);
	log_failure(t, err);
	return TR_ERROR;
}

static enum tr_status
io_error(struct tls_conn *t, int err, const char *what)
{
	char p[SU_MAX_STR];

	if (err == SSL_ERROR_ZERO_RETURN
	    || (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)) {
		tls_clear_errors();
		return TR_EOF;	/* close_notify, or the peer just went away */
	}
	tls_log_errors(L_NOTICE, "tls: connection %u with %s (domain %s): %s "
	    "failed", t->id, peer_str(t, p, sizeof(p)), t->td->name, what);
	return TR_ERROR;
}

static enum tr_status
tls_read(void *st, char *buf, int len, int *n, unsigned int *want)
{
	struct tls_conn *t = st;
	size_t got = 0;
	int err;

	tls_clear_errors();
	if (SSL_read_ex(t->ssl, buf, (size_t)len, &got) == 1) {
		*n = (int)got;
		return TR_OK;
	}
	err = SSL_get_error(t->ssl, 0);
	if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
		return want_of(err, want);
	return io_error(t, err, "read");
}

static enum tr_status
tls_write(void *st, const char *buf, int len, int *n, unsigned int *want)
{
	struct tls_conn *t = st;
	size_t put = 0;
	int err;

	tls_clear_errors();
	if (SSL_write_ex(t->ssl, buf, (size_t)len, &put) == 1) {
		*n = (int)put;
		return TR_OK;
	}
	err = SSL_get_error(t->ssl, 0);
	if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
		return want_of(err, want);
	return io_error(t, err, "write");
}

static int
tls_pending(void *st)
{
	struct tls_conn *t = st;

	return SSL_has_pending(t->ssl);
}

/* Send close_notify (best effort, never waits) and free the state. */
static void
tls_conn_free(void *st)
{
	struct tls_conn *t = st;

	tls_clear_errors();
	if (t->established) {
		(void)SSL_shutdown(t->ssl);
		stats_add(st_open, (uint64_t)-1);
	}
	tls_clear_errors();
	SSL_free(t->ssl);
	pkg_free(t->seen);
	pkg_free(t);
}

static int
tls_client_domain(const union sockaddr_union *to, int requested)
{
	struct tls_domain *td;

	if (requested > 0 && tls_domain_by_index(requested) != NULL)
		return requested;
	td = tls_domain_find_client(to);
	return td != NULL ? td->index : 0;
}

static int
tls_domain_index_by_name(const str *name)
{
	struct tls_domain *td = tls_domain_find_client_name(name);

	return td != NULL ? td->index : 0;
}

const struct stream_ops tls_stream_ops = {
	.name = "tls",
	.handshake_timeout = &tls_handshake_timeout,
	.send_timeout = &tls_send_timeout,
	.lifetime = &tls_connection_lifetime,
	.conn_init = tls_conn_init,
	.handshake = tls_handshake,
	.read = tls_read,
	.pending = tls_pending,
	.write = tls_write,
	.conn_free = tls_conn_free,
	.client_domain = tls_client_domain,
	.domain_by_name = tls_domain_index_by_name,
	.client_domain_avp = &tls_client_domain_avp,
	.crlf_pingpong = &tls_crlf_pingpong,
	.max_msg_chunks = &tls_max_msg_chunks,
};

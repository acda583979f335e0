/*
 * tls_init.c: OpenSSL set-up for openser (see tls_init.h).
 *
 * OpenSSL's allocations go through wrappers installed before the library
 * allocates anything: they count the bytes this process holds (shown in
 * the tls:memory counter, summed over processes) and let tls_server.c
 * refuse new handshakes above tls_max_memory while existing connections
 * keep working.  The memory is process-private: nothing OpenSSL builds is
 * shared live between processes (docs/DESIGN.md section 2).
 */
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/stats.h"
#include "net/socket_info.h"
#include "net/transport.h"
#include "tls/tls_config.h"
#include "tls/tls_domain.h"
#include "tls/tls_init.h"
#include "tls/tls_server.h"

/*
 * The C library's own record of a block's size is what is counted, so no
 * header is added in front of OpenSSL's ~35 blocks per connection (16
 * bytes each were 3% of an idle TLS connection's memory).
 */
static size_t mem_used;
static struct stat_var *st_mem;

static void
mem_account(size_t n, int sign)
{
	if (sign > 0) {
		mem_used += n;
		stats_add(st_mem, n);
	} else {
		mem_used -= n;
		stats_add(st_mem, (uint64_t)0 - n);
	}
}

static void *
tls_mem_malloc(size_t n, const char *file, int line)
{
	void *p = malloc(n);

	if (p != NULL)
		mem_account(malloc_usable_size(p), 1);
	return p;
}

static void
tls_mem_free(void *p, const char *file, int line)
{
	if (p == NULL)
		return;
	mem_account(malloc_usable_size(p), -1);
	free(p);
}

static void *
tls_mem_realloc(void *p, size_t n, const char *file, int line)
{
	size_t old;
	void *np;

	if (p == NULL)
		return tls_mem_malloc(n, file, line);
	if (n == 0) {
		tls_mem_free(p, file, line);
		return NULL;
	}
	old = malloc_usable_size(p);
	if ((np = realloc(p, n)) == NULL)
		return NULL;
	mem_account(old, -1);
	mem_account(malloc_usable_size(np), 1);
	return np;
}

/* Bytes OpenSSL holds in this process. */
size_t
tls_mem_used(void)
{
	return mem_used;
}

/* 1 when this process is above tls_max_memory (new handshakes refused). */
int
tls_mem_over_budget(void)
{
	return tls_max_memory > 0
	    && mem_used > (size_t)tls_max_memory * 1024 * 1024;
}

/*
 * Before the config is parsed (attendant): memory hooks first, then the
 * library, the counters and the default domains.  0 or -1 (logged).
 */
int
pre_init_tls(void)
{
	if (CRYPTO_set_mem_functions(tls_mem_malloc, tls_mem_realloc,
	    tls_mem_free) != 1) {
		LM_CRIT("tls: OpenSSL allocated memory before openser could "
		    "install its memory hooks");
		return -1;
	}
	if (OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS
	    | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, NULL) != 1) {
		LM_CRIT("tls: cannot initialise OpenSSL");
		return -1;
	}
	st_mem = stats_register("tls", "memory");
	if (tls_server_stats_register() == -1 || st_mem == NULL) {
		LM_CRIT("tls: cannot register the TLS counters");
		return -1;
	}
	return tls_domain_defaults_init();
}

/*
 * After the config is checked and the counters are mapped (attendant,
 * before fork): build every
 * domain's context and, when TLS listeners exist, plug the TLS transport
 * into the connection owner.  0 or -1 (logged).
 */
int
init_tls(void)
{
	struct socket_info *si;
	int listeners = 0;

	/* counters are live from here on: start from what this process holds */
	stats_reset(st_mem);
	stats_add(st_mem, mem_used);
	if (tls_domains_init() == -1)
		return -1;
	for (si = sock_list; si != NULL; si = si->next)
		if (si->proto == PROTO_TLS) {
			if (tls_init(si) == -1)
				return -1;
			listeners++;
		}
	if (listeners == 0)
		return 0;
	if (transport_register(PROTO_TLS, &tls_stream_ops) == -1) {
		LM_CRIT("tls: cannot register the TLS transport");
		return -1;
	}
	LM_INFO("tls: %d listener(s), OpenSSL %s", listeners,
	    OpenSSL_version(OPENSSL_VERSION));
	return 0;
}

/* Check that TLS listener <si> has a usable server domain.  0 or -1. */
int
tls_init(struct socket_info *si)
{
	struct tls_domain *td;

	td = tls_domain_find_server(&si->address, si->port_no);
	if (td == NULL || td->ctx == NULL) {
		LM_ERR("tls: listener %s has no usable server domain; configure "
		    "tls_certificate and tls_private_key", si->sock_str.s);
		return -1;
	}
	return 0;
}

/* Free every domain and context (attendant, at exit). */
void
destroy_tls(void)
{
	tls_domains_destroy();
}

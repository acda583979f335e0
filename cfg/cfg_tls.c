/*
 * cfg_tls.c: the TLS part of openser.cfg: tls_* globals, disable_tls,
 * tls_server_domain[...] / tls_client_domain[...] blocks and listen=tls:.
 * Without TLS=1 each of them is the error "TLS support is not compiled
 * in" at its position (a config meant for TLS must not silently run
 * without it).  This file and the keyword table are the only places that
 * know whether TLS is built in.
 */
#include <stdlib.h>
#include <string.h>

#include "cfg/cfg_ctx.h"

#define TLS_MISSING "TLS support is not compiled in; rebuild with TLS=1"

int
cfg_tls_is_keyword(const char *name)
{
	return strncmp(name, "tls_", 4) == 0 || strcmp(name, "disable_tls") == 0;
}

#ifdef USE_TLS

/* The TLS configuration is parsed here once tls/ exists; until then a TLS
 * build says so instead of ignoring the settings. */
#define TLS_TODO "TLS configuration is not implemented yet"

void
cfg_tls_global(struct cfg_ctx *cx, const struct cfg_loc *loc, char *name,
    struct route_val *v)
{
	cfg_error(cx, loc, "%s: " TLS_TODO, name);
	free(name);
	route_val_clear(v);
}

void
cfg_tls_domain_begin(struct cfg_ctx *cx, const struct cfg_loc *loc,
    int server, struct route_val *name)
{
	cfg_error(cx, loc, "%s: " TLS_TODO,
	    server ? "tls_server_domain" : "tls_client_domain");
	route_val_clear(name);
}

int
cfg_tls_listen(struct cfg_ctx *cx, const struct cfg_loc *loc)
{
	return 0;
}

#else

void
cfg_tls_global(struct cfg_ctx *cx, const struct cfg_loc *loc, char *name,
    struct route_val *v)
{
	cfg_error(cx, loc, "%s: " TLS_MISSING, name);
	free(name);
	route_val_clear(v);
}

void
cfg_tls_domain_begin(struct cfg_ctx *cx, const struct cfg_loc *loc,
    int server, struct route_val *name)
{
	cfg_error(cx, loc, "%s: " TLS_MISSING,
	    server ? "tls_server_domain" : "tls_client_domain");
	route_val_clear(name);
}

int
cfg_tls_listen(struct cfg_ctx *cx, const struct cfg_loc *loc)
{
	cfg_error(cx, loc, "listen: " TLS_MISSING);
	return -1;
}

#endif

/* Parameters inside a domain block: the block head reported already. */
void
cfg_tls_domain_set(struct cfg_ctx *cx, const struct cfg_loc *loc, char *name,
    struct route_val *v)
{
	free(name);
	route_val_clear(v);
}

void
cfg_tls_domain_end(struct cfg_ctx *cx, const struct cfg_loc *loc)
{
}

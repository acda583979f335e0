/*
 * pkg.h: per-process memory ("pkg"), for per-message and per-process data.
 * Each process has its own budget (-M MB, default 4): above it pkg_malloc()
 * returns NULL and the caller replies 500 or drops, never crashes.
 * pkg_free(NULL) does nothing.  Each process's figures are also published
 * in a shm slot (pkg_stats_share/attach), so that management commands
 * show every process's usage, not only their own.
 */
#ifndef MEM_PKG_H
#define MEM_PKG_H

#include <stddef.h>

#include "mem/mem_stats.h"

#define PKG_MEM_DEFAULT_MB 4

int pkg_init(size_t size);
void *pkg_malloc(size_t size);
void *pkg_zalloc(size_t size);
void *pkg_realloc(void *p, size_t size);
void pkg_free(void *p);
char *pkg_strndup(const char *s, size_t len);
void pkg_stats_get(struct mem_stats *st);
int pkg_stats_share(int n);
void pkg_stats_attach(int i);
int pkg_stats_of(int i, struct mem_stats *out);

#endif

/*
 * tls_mi.h: text for the management commands tls_list and tls_info
 * (registered by core/mi_core.c; TLS=1 only).  Both run in the MI
 * transport's process and read only shared or read-only state: the
 * connection index and the domains' contexts built before fork.
 */
#ifndef TLS_TLS_MI_H
#define TLS_TLS_MI_H

/*
 * Print the open TLS connections (peer, local socket, domain, version,
 * cipher, peer subject, age) into <buf> of <size> bytes, NUL-terminated.
 * Returns the length, or -1 when the text did not fit (cut).
 */
int tls_mi_list(char *buf, int size);

/*
 * Print every TLS domain with its certificate's subject, SANs and expiry
 * into <buf> of <size> bytes.  Returns the length, or -1 when cut.
 */
int tls_mi_info(char *buf, int size);

#endif

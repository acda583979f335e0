/*
 * tls_log.h: log a failure together with OpenSSL's error queue, and clear
 * the queue before an SSL call (STYLE 3.4).
 */
#ifndef TLS_TLS_LOG_H
#define TLS_TLS_LOG_H

void tls_log_errors(int level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void tls_clear_errors(void);
int tls_error_string(char *buf, int size);

#endif

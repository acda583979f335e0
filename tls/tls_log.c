/*
 * tls_log.c: OpenSSL error queue reporting (see tls_log.h).
 */
#include <openssl/err.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/log.h"
#include "tls/tls_log.h"

/* Drop whatever OpenSSL queued before the next call. */
void
tls_clear_errors(void)
{
	ERR_clear_error();
}

/*
 * Write the queued OpenSSL reasons, "; "-separated, into <buf> and drain
 * the queue.  Returns the length written (0 when the queue was empty).
 */
int
tls_error_string(char *buf, int size)
{
	unsigned long e;
	int n = 0;
	char one[256];

	buf[0] = '\0';
	while ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, one, sizeof(one));
		if (n < size - 1)
			n += snprintf(buf + n, (size_t)(size - n), "%s%s",
			    n > 0 ? "; " : "", one);
	}
	return n < size ? n : size - 1;
}

/* Log "<message>: <OpenSSL reasons>" at <level> and drain the queue. */
void
tls_log_errors(int level, const char *fmt, ...)
{
	char msg[512], why[768];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap); /* truncation is fine */
	va_end(ap);
	if (tls_error_string(why, sizeof(why)) == 0)
		(void)snprintf(why, sizeof(why), "no OpenSSL reason given");
	LM_LOG(level, "%s: %s", msg, why);
}

/*
 * nodelay_preload.so: a diagnostic for bench/ only.  LD_PRELOADed into a
 * proxy, it sets TCP_NODELAY on every accepted and every connected TCP
 * socket, to check whether Nagle's algorithm (with the peer's delayed
 * ACKs) is what delays small replies.  Not used by bench/run.
 *
 *   cc -shared -fPIC -O2 -o build/bench/nodelay_preload.so \
 *       bench/diag/nodelay_preload.c -ldl
 *   LD_PRELOAD=$PWD/build/bench/nodelay_preload.so openser -f ...
 */
#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

int accept(int fd, struct sockaddr *sa, socklen_t *len);
int accept4(int fd, struct sockaddr *sa, socklen_t *len, int flags);

static void
nodelay_set(int fd)
{
	int one = 1;

	if (fd >= 0)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
}

int
accept(int fd, struct sockaddr *sa, socklen_t *len)
{
	int (*real)(int, struct sockaddr *, socklen_t *);
	int r;

	*(void **)&real = dlsym(RTLD_NEXT, "accept");
	r = real(fd, sa, len);
	nodelay_set(r);
	return r;
}

int
accept4(int fd, struct sockaddr *sa, socklen_t *len, int flags)
{
	int (*real)(int, struct sockaddr *, socklen_t *, int);
	int r;

	*(void **)&real = dlsym(RTLD_NEXT, "accept4");
	r = real(fd, sa, len, flags);
	nodelay_set(r);
	return r;
}

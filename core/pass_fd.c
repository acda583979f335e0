/*
 * pass_fd.c: SCM_RIGHTS fd passing (see pass_fd.h).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "core/pass_fd.h"

/*
 * Send <fd> with <len> bytes of <data> on <sock>.  0, or -1 with errno.
 * The caller still owns (and usually closes) its copy of <fd>.
 */
int
pass_fd_send(int sock, int fd, const void *data, size_t len)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr m = { 0 };
	struct iovec iov;
	struct cmsghdr *cm;
	ssize_t n;

	iov.iov_base = (void *)(uintptr_t)data;
	iov.iov_len = len;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	memset(&u, 0, sizeof(u));
	m.msg_control = u.buf;
	m.msg_controllen = sizeof(u.buf);
	cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	do {
		n = sendmsg(sock, &m, MSG_NOSIGNAL);
	} while (n == -1 && errno == EINTR);
	return n == (ssize_t)len ? 0 : -1;
}

/*
 * Receive a descriptor into <fd> (-1 if none came) and exactly <len>
 * bytes into <data>.  0, or -1 with errno (0 on EOF: errno ECONNRESET).
 */
int
pass_fd_recv(int sock, int *fd, void *data, size_t len)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr m = { 0 };
	struct iovec iov;
	struct cmsghdr *cm;
	ssize_t n;

	*fd = -1;
	iov.iov_base = data;
	iov.iov_len = len;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = u.buf;
	m.msg_controllen = sizeof(u.buf);
	do {
		n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
	} while (n == -1 && errno == EINTR);
	if (n == 0)
		errno = ECONNRESET;
	for (cm = CMSG_FIRSTHDR(&m); n > 0 && cm != NULL;
	     cm = CMSG_NXTHDR(&m, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
			memcpy(fd, CMSG_DATA(cm), sizeof(int));
	return n == (ssize_t)len ? 0 : -1;
}

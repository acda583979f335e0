/*
 * pass_fd.h: hand a file descriptor and a small payload to another process
 * over a unix stream socket (SCM_RIGHTS).
 */
#ifndef CORE_PASS_FD_H
#define CORE_PASS_FD_H

#include <stddef.h>

int pass_fd_send(int sock, int fd, const void *data, size_t len);
int pass_fd_recv(int sock, int *fd, void *data, size_t len);

#endif

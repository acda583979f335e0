/*
 * fifo_server.h: the MI FIFO process (OpenSER 1.x protocol).
 */
#ifndef MI_FIFO_FIFO_SERVER_H
#define MI_FIFO_FIFO_SERVER_H

extern char *fifo_name;		/* "/tmp/openser_fifo" */
extern int fifo_mode;		/* 0660 */
extern char *fifo_group;	/* chgrp the FIFO to this group */
extern char *fifo_user;		/* chown the FIFO to this user */
extern char *fifo_reply_dir;	/* "/tmp/": where reply FIFOs are */

/*
 * Check the parameters (mode, user, group, a path that is not some other
 * kind of file).  Attendant, at start-up, also under -c: it creates
 * nothing.  0, or -1 after logging why.
 */
int fifo_server_check(void);

/*
 * The MI FIFO process: create the FIFO, serve requests until proc_stop,
 * remove the FIFO.  <rank> is PROC_MODULE.
 */
void fifo_server_loop(int rank);

#endif

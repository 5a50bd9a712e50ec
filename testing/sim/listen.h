/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The simulator's listening sockets: TCP on one IPv4 address (127.0.0.1
 * unless asked), or a unix socket that replaces only a stale socket of an
 * earlier run, never another file. Listeners and accepted connections are
 * non-blocking and close on exec (the power-loss restart).
 */
#ifndef H743SIM_LISTEN_H
#define H743SIM_LISTEN_H

/* Listen on addr:port (port 0: any free one); *bound gets the port. -1 on error. */
int listen_tcp(const char *addr, int port, int *bound);

/*
 * Listen on a unix socket at path. An existing socket nobody listens on is
 * replaced; anything else at path (a file, a live socket) is refused.
 */
int listen_unix(const char *path);

/* Accept one connection, non-blocking; -1 when none was waiting. */
int listen_accept(int listen_fd);

/*
 * Close a connection with a reset instead of an orderly end, so that the
 * peer's next read or write fails at once rather than waiting for data.
 */
void close_with_reset(int fd);

#endif

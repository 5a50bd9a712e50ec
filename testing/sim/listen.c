// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include "listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* Connections waiting for accept(); the loop takes (or refuses) them at once. */
#define LISTEN_BACKLOG	8

int listen_tcp(const char *addr, int port, int *bound)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	socklen_t len = sizeof(sa);
	int one = 1, fd;

	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "h743sim: --bind wants an IPv4 address, not '%s'\n", addr);
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "h743sim: cannot create a TCP socket: %s\n", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, LISTEN_BACKLOG) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
		fprintf(stderr, "h743sim: cannot listen on %s:%d: %s\n", addr, port, strerror(errno));
		close(fd);
		return -1;
	}
	*bound = ntohs(sa.sin_port);
	return fd;
}

static bool fill_unix_addr(struct sockaddr_un *sa, const char *path)
{
	size_t len = strlen(path);

	*sa = (struct sockaddr_un){ .sun_family = AF_UNIX };
	if (len >= sizeof(sa->sun_path))
		return false;
	memcpy(sa->sun_path, path, len + 1);
	return true;
}

/* 1: a process accepts connections on the socket at path, 0: nobody does, -1: unknown. */
static int socket_is_live(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int ret;

	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
		ret = 1;
	else
		ret = errno == ECONNREFUSED ? 0 : -1;
	close(fd);
	return ret;
}

/* Make room for the socket: only a stale socket may go. */
static int remove_stale_socket(const struct sockaddr_un *sa)
{
	const char *path = sa->sun_path;
	struct stat st;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		fprintf(stderr, "h743sim: --unix %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		fprintf(stderr, "h743sim: --unix %s: the path exists and is not a socket; "
			"refusing to replace it\n", path);
		return -1;
	}
	switch (socket_is_live(sa)) {
	case 0:
		break;
	case 1:
		fprintf(stderr, "h743sim: --unix %s: another process is listening on this socket\n",
			path);
		return -1;
	default:
		fprintf(stderr, "h743sim: --unix %s: cannot tell whether the socket is in use: %s\n",
			path, strerror(errno));
		return -1;
	}
	if (unlink(path) != 0) {
		fprintf(stderr, "h743sim: --unix %s: cannot remove the stale socket: %s\n", path,
			strerror(errno));
		return -1;
	}
	return 0;
}

int listen_unix(const char *path)
{
	struct sockaddr_un sa;
	int fd;

	if (!fill_unix_addr(&sa, path)) {
		fprintf(stderr, "h743sim: --unix path too long (at most %zu bytes): %s\n",
			sizeof(sa.sun_path) - 1, path);
		return -1;
	}
	if (remove_stale_socket(&sa) != 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "h743sim: cannot create a unix socket: %s\n", strerror(errno));
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, LISTEN_BACKLOG) != 0) {
		fprintf(stderr, "h743sim: cannot listen on %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int listen_accept(int listen_fd)
{
	int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), one = 1;

	if (fd >= 0)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));	/* TCP only */
	return fd;
}

void close_with_reset(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

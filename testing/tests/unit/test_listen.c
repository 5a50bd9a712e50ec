// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The listening sockets (issue 9): --unix replaces only a stale socket and
 * refuses a regular file, a directory, a symbolic link or a socket somebody
 * listens on, leaving them as they were; TCP listens on the address asked
 * for (127.0.0.1 by default in main.c); accepted connections never block;
 * a refused client sees a reset, not a connection that waits for data.
 */
#include "unit_helpers.h"

#include "listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

struct tmp {
	char dir[512];
	char path[600];
};

static int setup(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));
	const char *base = getenv("H743_TEST_TMPDIR");

	if (!base)
		base = getenv("TMPDIR");
	assert_non_null(t);
	/* short: a unix socket path has about 100 bytes */
	assert_true(snprintf(t->dir, sizeof(t->dir), "%s/h743-ls-XXXXXX",
		base && strlen(base) < 60 ? base : "/tmp") < (int)sizeof(t->dir));
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/sock", t->dir);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tmp *t = *state;
	char other[640];

	snprintf(other, sizeof(other), "%s/target", t->dir);
	unlink(other);
	unlink(t->path);
	rmdir(t->path);
	rmdir(t->dir);
	free(t);
	return 0;
}

static int connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	strcpy(sa.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void expect_text(const char *path, const char *text)
{
	char buf[256] = "";
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, text);
}

static bool is_socket(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

static void test_unix_creates_socket(void **state)
{
	struct tmp *t = *state;
	int fd = listen_unix(t->path), c;

	assert_true(fd >= 0);
	assert_true(is_socket(t->path));
	c = connect_unix(t->path);
	assert_true(c >= 0);
	close(c);
	close(fd);
}

static void test_unix_refuses_regular_file(void **state)
{
	struct tmp *t = *state;

	write_text(t->path, "precious firmware notes\n");
	assert_int_equal(listen_unix(t->path), -1);
	expect_text(t->path, "precious firmware notes\n");
}

static void test_unix_refuses_directory_and_symlink(void **state)
{
	struct tmp *t = *state;
	char target[640];

	assert_int_equal(mkdir(t->path, 0700), 0);
	assert_int_equal(listen_unix(t->path), -1);
	assert_int_equal(rmdir(t->path), 0);
	snprintf(target, sizeof(target), "%s/target", t->dir);
	write_text(target, "kept\n");
	assert_int_equal(symlink(target, t->path), 0);
	assert_int_equal(listen_unix(t->path), -1);
	expect_text(target, "kept\n");
	struct stat st;

	assert_int_equal(lstat(t->path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
}

/* A socket left behind by a simulator that was killed: replaced. */
static void test_unix_replaces_stale_socket(void **state)
{
	struct tmp *t = *state;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int old = socket(AF_UNIX, SOCK_STREAM, 0), fd, c;

	strcpy(sa.sun_path, t->path);
	assert_int_equal(bind(old, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(old, 1), 0);
	close(old);				/* the file stays, nobody listens */
	assert_true(is_socket(t->path));
	fd = listen_unix(t->path);
	assert_true(fd >= 0);
	c = connect_unix(t->path);
	assert_true(c >= 0);
	close(c);
	close(fd);
}

/* Another simulator listens there: refused, and that one keeps its socket. */
static void test_unix_refuses_live_socket(void **state)
{
	struct tmp *t = *state;
	int first = listen_unix(t->path), c;

	assert_true(first >= 0);
	assert_int_equal(listen_unix(t->path), -1);
	assert_true(is_socket(t->path));
	c = connect_unix(t->path);
	assert_true(c >= 0);
	close(c);
	close(first);
}

static void test_unix_path_too_long(void **state)
{
	char path[200];

	(void)state;
	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = 0;
	assert_int_equal(listen_unix(path), -1);
}

static void test_tcp_binds_the_address_asked(void **state)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int port = 0, fd;

	(void)state;
	fd = listen_tcp("127.0.0.1", 0, &port);
	assert_true(fd >= 0);
	assert_true(port > 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	assert_int_equal(sa.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	assert_int_equal(ntohs(sa.sin_port), port);
	close(fd);
	assert_int_equal(listen_tcp("localhost", 0, &port), -1);	/* IPv4 literals only */
	assert_int_equal(listen_tcp("::1", 0, &port), -1);
}

static int connect_tcp(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void test_accept_never_blocks(void **state)
{
	int port, lfd, c, fd;

	(void)state;
	lfd = listen_tcp("127.0.0.1", 0, &port);
	assert_true(lfd >= 0);
	assert_int_equal(listen_accept(lfd), -1);	/* nobody waiting: no wait */
	assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
	c = connect_tcp(port);
	for (int i = 0; i < 1000 && (fd = listen_accept(lfd)) < 0; i++)
		usleep(1000);
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	close(c);
	close(lfd);
}

/* The refused client's read fails at once with a reset instead of waiting. */
static void test_refused_client_sees_reset(void **state)
{
	int port, lfd, c, fd;
	char b;

	(void)state;
	lfd = listen_tcp("127.0.0.1", 0, &port);
	c = connect_tcp(port);
	for (int i = 0; i < 1000 && (fd = listen_accept(lfd)) < 0; i++)
		usleep(1000);
	assert_true(fd >= 0);
	close_with_reset(fd);
	alarm(10);
	assert_int_equal(recv(c, &b, 1, 0), -1);
	assert_int_equal(errno, ECONNRESET);
	alarm(0);
	close(c);
	close(lfd);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_unix_creates_socket),
		T(test_unix_refuses_regular_file),
		T(test_unix_refuses_directory_and_symlink),
		T(test_unix_replaces_stale_socket),
		T(test_unix_refuses_live_socket),
		cmocka_unit_test(test_unix_path_too_long),
		cmocka_unit_test(test_tcp_binds_the_address_asked),
		cmocka_unit_test(test_accept_never_blocks),
		cmocka_unit_test(test_refused_client_sees_reset),
	};
#undef T

	return cmocka_run_group_tests_name("listen", tests, NULL, NULL);
}

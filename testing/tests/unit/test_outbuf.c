// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Replies to a client that does not read them (issue 9): sending never
 * blocks, even on a blocking socket whose peer never reads; what the socket
 * does not take waits in the buffer, in order; past the limit nothing more
 * is queued (the caller drops the client); a peer that is gone is an error,
 * not a SIGPIPE.
 */
#include "unit_helpers.h"

#include "outbuf.h"

#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#define LIMIT	(256 * 1024)

struct rig {
	struct outbuf ob;
	int fd[2];		/* fd[0] is the simulator's end, fd[1] the client's */
};

static int setup(void **state)
{
	struct rig *r = calloc(1, sizeof(*r));
	int small = 4096;

	assert_non_null(r);
	assert_int_equal(outbuf_init(&r->ob, LIMIT), 0);
	/* blocking sockets: outbuf_flush must not rely on O_NONBLOCK */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, r->fd), 0);
	setsockopt(r->fd[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	setsockopt(r->fd[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	alarm(10);	/* a blocked send fails the test instead of hanging it */
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	struct rig *r = *state;

	alarm(0);
	outbuf_free(&r->ob);
	close(r->fd[0]);
	if (r->fd[1] >= 0)
		close(r->fd[1]);
	free(r);
	return 0;
}

static void pattern(uint8_t *p, size_t n, size_t start)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)((start + i) * 13 + 5);
}

/* Read everything the client end has, checking the pattern from *at on. */
static void drain_and_check(struct rig *r, size_t *at)
{
	uint8_t buf[8192];
	ssize_t n;

	while ((n = recv(r->fd[1], buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		uint8_t want[8192];

		pattern(want, (size_t)n, *at);
		assert_memory_equal(buf, want, (size_t)n);
		*at += (size_t)n;
	}
}

static void test_flush_to_a_reader(void **state)
{
	struct rig *r = *state;
	uint8_t data[1000];
	size_t got = 0;

	pattern(data, sizeof(data), 0);
	assert_int_equal(outbuf_add(&r->ob, data, sizeof(data)), 0);
	assert_int_equal(outbuf_pending(&r->ob), sizeof(data));
	assert_int_equal(outbuf_flush(&r->ob, r->fd[0]), 0);
	assert_int_equal(outbuf_pending(&r->ob), 0);
	drain_and_check(r, &got);
	assert_int_equal(got, sizeof(data));
}

/* The client never reads: nothing blocks, the backlog grows up to the limit only. */
static void test_unread_replies_never_block(void **state)
{
	struct rig *r = *state;
	static uint8_t chunk[16384];
	size_t queued = 0, got = 0;

	for (;;) {
		pattern(chunk, sizeof(chunk), queued);
		if (outbuf_add(&r->ob, chunk, sizeof(chunk)) != 0)
			break;
		queued += sizeof(chunk);
		assert_int_equal(outbuf_flush(&r->ob, r->fd[0]), 0);
		assert_true(queued < 64 * 1024 * 1024);
	}
	/* refused only because the limit was reached, and nothing of it was queued */
	assert_true(outbuf_pending(&r->ob) + sizeof(chunk) > LIMIT);
	assert_true(outbuf_pending(&r->ob) <= LIMIT);
	assert_true(outbuf_pending(&r->ob) > 0);
	/* a client that starts reading gets everything, in order */
	for (int i = 0; i < 100000 && got < queued; i++) {
		drain_and_check(r, &got);
		assert_int_equal(outbuf_flush(&r->ob, r->fd[0]), 0);
	}
	drain_and_check(r, &got);
	assert_int_equal(got, queued);
	assert_int_equal(outbuf_pending(&r->ob), 0);
}

/* Partly sent data moves to the front to make room; the order survives. */
static void test_compaction_keeps_order(void **state)
{
	struct rig *r = *state;
	static uint8_t data[LIMIT + 1000];
	const size_t total = LIMIT - 100 + 1000;
	size_t got = 0;

	pattern(data, sizeof(data), 0);
	assert_int_equal(outbuf_add(&r->ob, data, LIMIT - 100), 0);
	assert_int_equal(outbuf_flush(&r->ob, r->fd[0]), 0);	/* takes a few KiB */
	assert_true(outbuf_pending(&r->ob) <= LIMIT - 100 - 1000);
	/* 1000 bytes do not fit behind the tail (100 left) but do after moving */
	assert_int_equal(outbuf_add(&r->ob, data + LIMIT - 100, 1000), 0);
	assert_int_equal(r->ob.head, 0);
	while (got < total) {
		assert_int_equal(outbuf_flush(&r->ob, r->fd[0]), 0);
		drain_and_check(r, &got);
	}
	assert_int_equal(got, total);
}

static void test_over_limit_at_once_refused(void **state)
{
	struct rig *r = *state;
	static uint8_t data[LIMIT + 1];

	assert_int_equal(outbuf_add(&r->ob, data, LIMIT + 1), -1);
	assert_int_equal(outbuf_pending(&r->ob), 0);
	assert_int_equal(outbuf_add(&r->ob, data, LIMIT), 0);
	assert_int_equal(outbuf_add(&r->ob, data, 1), -1);
	assert_int_equal(outbuf_pending(&r->ob), LIMIT);
}

/* The client is gone: an error (EPIPE), and no SIGPIPE kills the simulator. */
static void test_closed_peer_is_an_error(void **state)
{
	struct rig *r = *state;
	uint8_t data[64] = { 0 };

	close(r->fd[1]);
	r->fd[1] = -1;
	signal(SIGPIPE, SIG_DFL);
	assert_int_equal(outbuf_add(&r->ob, data, sizeof(data)), 0);
	assert_int_equal(outbuf_flush(&r->ob, r->fd[0]), -1);
}

static void test_reset_forgets(void **state)
{
	struct rig *r = *state;
	uint8_t data[64] = { 0 };

	assert_int_equal(outbuf_add(&r->ob, data, sizeof(data)), 0);
	outbuf_reset(&r->ob);
	assert_int_equal(outbuf_pending(&r->ob), 0);
	assert_int_equal(outbuf_flush(&r->ob, r->fd[0]), 0);
	assert_int_equal(recv(r->fd[1], data, sizeof(data), MSG_DONTWAIT), -1);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_flush_to_a_reader),
		T(test_unread_replies_never_block),
		T(test_compaction_keeps_order),
		T(test_over_limit_at_once_refused),
		T(test_closed_peer_is_an_error),
		T(test_reset_forgets),
	};
#undef T

	return cmocka_run_group_tests_name("outbuf", tests, NULL, NULL);
}

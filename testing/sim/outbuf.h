/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Replies waiting for a client that reads slower than it asks. Sends never
 * block: what the socket does not take now stays here, up to a limit; a
 * client that lets more pile up does not read its replies and is dropped by
 * the caller. OpenOCD keeps at most 255 replies outstanding
 * (OpenOCD's src/jtag/drivers/remote_bitbang.c), far below any sensible limit.
 */
#ifndef H743SIM_OUTBUF_H
#define H743SIM_OUTBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct outbuf {
	uint8_t *data;
	size_t limit;		/* bytes it may hold */
	size_t head, tail;	/* pending bytes are data[head..tail) */
};

/* A buffer of limit bytes (allocated now). -1 when out of memory. */
int outbuf_init(struct outbuf *ob, size_t limit);
void outbuf_free(struct outbuf *ob);
/* Forget what is pending (a new connection). */
void outbuf_reset(struct outbuf *ob);

static inline size_t outbuf_pending(const struct outbuf *ob)
{
	return ob->tail - ob->head;
}

/* Queue n bytes. -1 (nothing queued) when they do not fit under the limit. */
int outbuf_add(struct outbuf *ob, const uint8_t *p, size_t n);

/*
 * Send what the socket takes without blocking. 0 when sent or the socket is
 * full, -1 when the connection is gone (errno tells why).
 */
int outbuf_flush(struct outbuf *ob, int fd);

#endif

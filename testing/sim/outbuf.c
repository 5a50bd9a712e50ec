// SPDX-License-Identifier: GPL-2.0-or-later
#include "outbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int outbuf_init(struct outbuf *ob, size_t limit)
{
	*ob = (struct outbuf){ .data = malloc(limit ? limit : 1), .limit = limit };
	return ob->data ? 0 : -1;
}

void outbuf_free(struct outbuf *ob)
{
	free(ob->data);
	*ob = (struct outbuf){ 0 };
}

void outbuf_reset(struct outbuf *ob)
{
	ob->head = 0;
	ob->tail = 0;
}

int outbuf_add(struct outbuf *ob, const uint8_t *p, size_t n)
{
	size_t pending = outbuf_pending(ob);

	if (n > ob->limit - pending)
		return -1;
	if (n > ob->limit - ob->tail) {
		/* move what is pending to the front to make room behind it */
		memmove(ob->data, ob->data + ob->head, pending);
		ob->head = 0;
		ob->tail = pending;
	}
	memcpy(ob->data + ob->tail, p, n);
	ob->tail += n;
	return 0;
}

int outbuf_flush(struct outbuf *ob, int fd)
{
	while (ob->head < ob->tail) {
		ssize_t n = send(fd, ob->data + ob->head, ob->tail - ob->head,
			MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0)
			return -1;
		ob->head += (size_t)n;
	}
	outbuf_reset(ob);
	return 0;
}

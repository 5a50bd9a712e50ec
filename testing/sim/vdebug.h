/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The server side of OpenOCD's vdebug adapter protocol (version 44, OpenOCD
 * 0.12 src/jtag/drivers/vdebug.c), as a DAP-level SWD probe: the "BFM" of an
 * SW-DP (VD_BFM_SWDP, transport dapdirect_swd). Each request is a 24-byte
 * header and a payload; each reply a 16-byte header (request id, words read,
 * status, DUT time) and the data read. Register batches carry DP, AP and
 * ABORT transactions, which run as SWD packets on the SW-DP (swd_dp.c) at
 * the probe's SWCLK; the BFM does what a DAP-level probe's firmware does:
 * the JTAG-to-SWD sequence and line reset at connect, posted-read
 * bookkeeping, and after each batch a CTRL/STAT check that turns a sticky
 * error into an error status and clears it through ABORT.
 */
#ifndef H743SIM_VDEBUG_H
#define H743SIM_VDEBUG_H

#include "swd_dp.h"

#include <stddef.h>
#include <stdint.h>

#define VD_VERSION	44
#define VD_BUFFER_LEN	4024
#define VD_CHEADER_LEN	24
#define VD_SHEADER_LEN	16
/* The largest request and reply. */
#define VD_REQUEST_MAX	(VD_CHEADER_LEN + VD_BUFFER_LEN)
#define VD_REPLY_MAX	(VD_SHEADER_LEN + VD_BUFFER_LEN)
/* Every session opens with VD_CMD_OPEN; no remote_bitbang command is this byte. */
#define VDEBUG_FIRST_BYTE	0x01

struct vdebug_hooks {
	void (*wire_time)(void *ctx, uint64_t ps);	/* the probe clocked SWCLK that long */
	void (*reset_line)(void *ctx, bool srst);		/* NRST driven (true: low) */
	void *ctx;
};

/* Where replies go: the server queues them for its client. */
typedef void (*vdebug_reply_fn)(void *ctx, const uint8_t *data, size_t len);

struct vdebug {
	struct swd_dp *swd;
	struct vdebug_hooks hooks;
	vdebug_reply_fn reply;
	void *reply_ctx;
	uint8_t request[VD_REQUEST_MAX];	/* a request still arriving */
	size_t have;
	bool opened;			/* OPEN seen */
	bool connected;			/* CONNECT to the SW-DP BFM succeeded */
	bool quit;			/* CLOSE seen, or the client broke the protocol */
	bool warned_silent;
	uint64_t base_hz;		/* SWCLK with divider 1 */
	uint32_t divider;		/* SWCLK = base_hz / divider (JTAGCLOCK) */
	uint64_t swclk_cycles;
	uint64_t bytes_in;
	uint64_t bytes_out;
	uint64_t batches;
	uint64_t transactions;
	uint64_t error_batches;		/* batches answered with an error status */
};

/* base_hz: the SWCLK the probe runs at with divider 1 (adapter speed at its maximum). */
void vdebug_init(struct vdebug *vd, struct swd_dp *swd, uint64_t base_hz,
		const struct vdebug_hooks *hooks);
/* A new connection, whose replies go to reply(ctx, ...): nothing opened yet. */
void vdebug_connect(struct vdebug *vd, vdebug_reply_fn reply, void *ctx);
/*
 * Consume n bytes of the client's stream; every complete request is executed
 * and its reply handed to the connection's reply function. A request that breaks the protocol
 * (a length beyond the buffer) ends the connection (quit).
 */
void vdebug_process(struct vdebug *vd, const uint8_t *in, size_t n);

#endif

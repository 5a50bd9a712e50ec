/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * OpenOCD's remote_bitbang wire protocol (server side): '0'..'7' set
 * TCK/TMS/TDI, 'R' samples TDO, 'r'..'u' drive TRST/SRST, 'B'/'b' blink,
 * 'Q' quits. Unknown bytes are ignored, as later OpenOCD versions send more.
 */
#ifndef H743SIM_RBB_H
#define H743SIM_RBB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tap_chain;

struct rbb_hooks {
	void (*tck_edge)(void *ctx);	/* one rising TCK edge has been clocked */
	void (*reset_lines)(void *ctx, bool trst, bool srst);
	void *ctx;
};

struct rbb {
	struct tap_chain *chain;
	struct rbb_hooks hooks;
	bool tck;
	bool quit;
	uint64_t bytes_in;
	uint64_t bytes_out;
	uint64_t unknown_bytes;
};

void rbb_init(struct rbb *rbb, struct tap_chain *chain, const struct rbb_hooks *hooks);
/* Start of a new connection: pins idle, quit flag clear. */
void rbb_connect(struct rbb *rbb);
/*
 * Consume n bytes; every 'R' appends one '0'/'1' to out (which must hold n
 * bytes). Stops after 'Q'. Returns the number of reply bytes.
 */
size_t rbb_process(struct rbb *rbb, const uint8_t *in, size_t n, uint8_t *out);

#endif

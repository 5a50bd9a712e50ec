/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Messages and the optional per-access trace, stamped with virtual time. */
#ifndef H743SIM_LOG_H
#define H743SIM_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct vclock;

extern bool sim_trace_enabled;

void log_set_clock(const struct vclock *clk);
/* Where messages go: stderr unless set (the fuzz targets send them to /dev/null). */
void log_set_stream(FILE *f);
void sim_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sim_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sim_trace_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define sim_trace(...) \
	do { \
		if (sim_trace_enabled) \
			sim_trace_line(__VA_ARGS__); \
	} while (0)

#endif

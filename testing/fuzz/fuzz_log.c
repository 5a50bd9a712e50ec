// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * log.h for the fuzz targets, in place of testing/sim/log.c: every message
 * is still formatted (its arguments are evaluated and read under the
 * sanitizers) but goes nowhere, unless H743_FUZZ_VERBOSE is set in the
 * environment (to watch what a reproduced input does).
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

bool sim_trace_enabled;

static int verbose = -1;

void log_set_clock(const struct vclock *clk)
{
	(void)clk;
}

static void emit(const char *tag, const char *fmt, va_list ap)
{
	char line[512];

	if (verbose < 0)
		verbose = getenv("H743_FUZZ_VERBOSE") != NULL;
	vsnprintf(line, sizeof(line), fmt, ap);
	if (verbose)
		fprintf(stderr, "h743sim: %s%s\n", tag, line);
}

void sim_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
}

void sim_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("warning: ", fmt, ap);
	va_end(ap);
}

void sim_trace_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("trace: ", fmt, ap);
	va_end(ap);
}

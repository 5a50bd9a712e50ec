// SPDX-License-Identifier: GPL-2.0-or-later
#include "log.h"
#include "vclock.h"

#include <stdarg.h>
#include <stdio.h>

bool sim_trace_enabled;
static const struct vclock *log_clock;
static FILE *log_stream;

void log_set_clock(const struct vclock *clk)
{
	log_clock = clk;
}

void log_set_stream(FILE *f)
{
	log_stream = f;
}

/*
 * nonnull: with the stream chosen at run time, gcc 12 (-O2 and UBSan, as in
 * make check-sanitize) otherwise warns of a null format string on the path
 * of UBSan's own null check of vfprintf's argument.
 */
__attribute__((nonnull(1, 2)))
static void emit(const char *tag, const char *fmt, va_list ap)
{
	FILE *out = log_stream ? log_stream : stderr;
	uint64_t ps = log_clock ? log_clock->now : 0;

	fprintf(out, "[%llu.%06llu ms] %s", (unsigned long long)(ps / PS_PER_MS),
		(unsigned long long)(ps % PS_PER_MS / PS_PER_NS), tag);
	vfprintf(out, fmt, ap);
	fputc('\n', out);
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

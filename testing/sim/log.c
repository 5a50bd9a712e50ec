// SPDX-License-Identifier: GPL-2.0-or-later
#include "log.h"
#include "vclock.h"

#include <stdarg.h>
#include <stdio.h>

bool sim_trace_enabled;
static const struct vclock *log_clock;

void log_set_clock(const struct vclock *clk)
{
	log_clock = clk;
}

static void emit(const char *tag, const char *fmt, va_list ap)
{
	uint64_t ps = log_clock ? log_clock->now : 0;

	fprintf(stderr, "[%llu.%06llu ms] %s", (unsigned long long)(ps / PS_PER_MS),
		(unsigned long long)(ps % PS_PER_MS / PS_PER_NS), tag);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
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

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Machine-readable statistics (JSON) of a simulator run. */
#ifndef H743SIM_STATS_H
#define H743SIM_STATS_H

#include <stdint.h>

struct stm32h743;

struct server_stats {
	uint64_t connections;		/* debuggers served */
	uint64_t refused;		/* connections refused: another one was in use */
	uint64_t dropped;		/* clients dropped for leaving their replies unread */
};

int stats_write(const char *path, struct stm32h743 *chip, const struct server_stats *srv);

#endif

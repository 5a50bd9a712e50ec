/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The assembled chip the chip-level unit tests start from: H743xI, silicon
 * revision V, TCK at 4 MHz, the core at 64 MHz, not yet powered on.
 *
 * Each test program keeps its own state struct (the chip and whatever the
 * test drives it with); the chip must be its first member, which lets one
 * teardown serve them all.
 */
#ifndef H743SIM_RIG_CHIP_H
#define H743SIM_RIG_CHIP_H

#include <stddef.h>

#include "stm32h743.h"

/* A zeroed `type` whose member `chip` is initialised; fails the test if not. */
#define RIG_CHIP_NEW(type) \
	((type *)rig_chip_new(sizeof(type), offsetof(type, chip)))

void *rig_chip_new(size_t size, size_t chip_offset);

/* cmocka teardown of a state made by RIG_CHIP_NEW(). */
int rig_chip_teardown(void **state);

#endif

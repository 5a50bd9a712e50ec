/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Two-key lock of the STM32 flash controller (FLASH_KEYRx, FLASH_OPTKEYR):
 * KEY1 then KEY2 unlocks; a wrong key, a wrong order or keying an unlocked
 * register locks it until the next reset (RM0433 section 4.5.1).
 */
#ifndef H743SIM_KEYLOCK_H
#define H743SIM_KEYLOCK_H

#include <stdbool.h>
#include <stdint.h>

enum keylock_state {
	KEYLOCK_WAIT_KEY1,
	KEYLOCK_WAIT_KEY2,
	KEYLOCK_UNLOCKED,
	KEYLOCK_LOCKED_UNTIL_RESET,
};

struct keylock {
	uint32_t key1, key2;
	enum keylock_state state;
};

void keylock_init(struct keylock *k, uint32_t key1, uint32_t key2);
void keylock_reset(struct keylock *k);
/*
 * A key write. Returns false when this write is the sequence error that
 * locks the register until reset: the bus then answers it with an error.
 */
bool keylock_write_key(struct keylock *k, uint32_t value);
/* Software sets the lock bit again. */
void keylock_lock(struct keylock *k);
bool keylock_is_locked(const struct keylock *k);

#endif

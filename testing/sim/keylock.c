// SPDX-License-Identifier: GPL-2.0-or-later
#include "keylock.h"

void keylock_init(struct keylock *k, uint32_t key1, uint32_t key2)
{
	k->key1 = key1;
	k->key2 = key2;
	keylock_reset(k);
}

void keylock_reset(struct keylock *k)
{
	k->state = KEYLOCK_WAIT_KEY1;
}

/*
 * The write that breaks the sequence faults on the bus (UNCONFIRMED:
 * RM0433's LOCK bit description says such a sequence "locks until the next
 * system reset" and that a bus error is raised; the sibling G0/WL manuals say
 * the same). Writes after it are ignored without a fault (UNCONFIRMED).
 */
bool keylock_write_key(struct keylock *k, uint32_t value)
{
	enum keylock_state before = k->state;

	switch (k->state) {
	case KEYLOCK_WAIT_KEY1:
		k->state = value == k->key1 ? KEYLOCK_WAIT_KEY2 : KEYLOCK_LOCKED_UNTIL_RESET;
		break;
	case KEYLOCK_WAIT_KEY2:
		k->state = value == k->key2 ? KEYLOCK_UNLOCKED : KEYLOCK_LOCKED_UNTIL_RESET;
		break;
	case KEYLOCK_UNLOCKED:
		/* Re-keying an unlocked register is a sequence error too. */
		k->state = KEYLOCK_LOCKED_UNTIL_RESET;
		break;
	case KEYLOCK_LOCKED_UNTIL_RESET:
		break;
	}
	return !(k->state == KEYLOCK_LOCKED_UNTIL_RESET && before != KEYLOCK_LOCKED_UNTIL_RESET);
}

void keylock_lock(struct keylock *k)
{
	if (k->state != KEYLOCK_LOCKED_UNTIL_RESET)
		k->state = KEYLOCK_WAIT_KEY1;
}

bool keylock_is_locked(const struct keylock *k)
{
	return k->state != KEYLOCK_UNLOCKED;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The two-key lock of FLASH_KEYRx / FLASH_OPTKEYR (testing/sim/keylock.h):
 * KEY1 then KEY2 unlocks; a wrong key, the wrong order or keying an unlocked
 * register locks it until reset.
 */
#include "unit_helpers.h"

#include "keylock.h"

#define K1 0x45670123u
#define K2 0xCDEF89ABu

static void new_lock(struct keylock *k)
{
	keylock_init(k, K1, K2);
}

static void test_starts_locked(void **state)
{
	struct keylock k;

	(void)state;
	new_lock(&k);
	assert_true(keylock_is_locked(&k));
	assert_int_equal(k.state, KEYLOCK_WAIT_KEY1);
}

static void test_key1_key2_unlocks(void **state)
{
	struct keylock k;

	(void)state;
	new_lock(&k);
	keylock_write_key(&k, K1);
	assert_true(keylock_is_locked(&k));	/* half way is still locked */
	keylock_write_key(&k, K2);
	assert_false(keylock_is_locked(&k));
}

static void test_wrong_first_key_locks_until_reset(void **state)
{
	struct keylock k;

	(void)state;
	new_lock(&k);
	assert_false(keylock_write_key(&k, 0x12345678));	/* this write faults */
	assert_int_equal(k.state, KEYLOCK_LOCKED_UNTIL_RESET);
	assert_true(keylock_write_key(&k, K1));		/* later ones are ignored */
	assert_true(keylock_write_key(&k, K2));
	assert_true(keylock_is_locked(&k));
	keylock_reset(&k);
	keylock_write_key(&k, K1);
	keylock_write_key(&k, K2);
	assert_false(keylock_is_locked(&k));
}

static void test_wrong_second_key_locks_until_reset(void **state)
{
	struct keylock k;

	(void)state;
	new_lock(&k);
	keylock_write_key(&k, K1);
	keylock_write_key(&k, K1);
	assert_int_equal(k.state, KEYLOCK_LOCKED_UNTIL_RESET);
	keylock_write_key(&k, K1);
	keylock_write_key(&k, K2);
	assert_true(keylock_is_locked(&k));
}

static void test_wrong_order_locks_until_reset(void **state)
{
	struct keylock k;

	(void)state;
	new_lock(&k);
	keylock_write_key(&k, K2);
	keylock_write_key(&k, K1);
	assert_true(keylock_is_locked(&k));
	keylock_write_key(&k, K1);
	keylock_write_key(&k, K2);
	assert_true(keylock_is_locked(&k));
}

static void test_rekeying_unlocked_locks_until_reset(void **state)
{
	struct keylock k;

	(void)state;
	new_lock(&k);
	keylock_write_key(&k, K1);
	keylock_write_key(&k, K2);
	assert_false(keylock_is_locked(&k));
	/* even the right first key is a sequence error now */
	keylock_write_key(&k, K1);
	assert_true(keylock_is_locked(&k));
	keylock_write_key(&k, K2);
	assert_true(keylock_is_locked(&k));
	keylock_lock(&k);	/* software relock does not lift the penalty */
	keylock_write_key(&k, K1);
	keylock_write_key(&k, K2);
	assert_true(keylock_is_locked(&k));
}

static void test_relock_then_unlock_again(void **state)
{
	struct keylock k;

	(void)state;
	new_lock(&k);
	keylock_write_key(&k, K1);
	keylock_write_key(&k, K2);
	keylock_lock(&k);
	assert_true(keylock_is_locked(&k));
	keylock_write_key(&k, K1);
	keylock_write_key(&k, K2);
	assert_false(keylock_is_locked(&k));
}

static void test_lock_abandons_half_sequence(void **state)
{
	struct keylock k;

	(void)state;
	new_lock(&k);
	keylock_write_key(&k, K1);
	keylock_lock(&k);
	/* KEY2 alone is now out of order */
	keylock_write_key(&k, K2);
	assert_int_equal(k.state, KEYLOCK_LOCKED_UNTIL_RESET);
}

static void test_keys_are_per_instance(void **state)
{
	struct keylock a, b;

	(void)state;
	keylock_init(&a, K1, K2);
	keylock_init(&b, 0x08192A3B, 0x4C5D6E7F);
	keylock_write_key(&b, K1);	/* bank key into the option lock */
	keylock_write_key(&a, K1);
	keylock_write_key(&a, K2);
	assert_false(keylock_is_locked(&a));
	assert_int_equal(b.state, KEYLOCK_LOCKED_UNTIL_RESET);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_starts_locked),
		cmocka_unit_test(test_key1_key2_unlocks),
		cmocka_unit_test(test_wrong_first_key_locks_until_reset),
		cmocka_unit_test(test_wrong_second_key_locks_until_reset),
		cmocka_unit_test(test_wrong_order_locks_until_reset),
		cmocka_unit_test(test_rekeying_unlocked_locks_until_reset),
		cmocka_unit_test(test_relock_then_unlock_again),
		cmocka_unit_test(test_lock_abandons_half_sequence),
		cmocka_unit_test(test_keys_are_per_instance),
	};

	return cmocka_run_group_tests_name("keylock", tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0-or-later
#include "unit_helpers.h"
#include "rig_chip.h"

void *rig_chip_new(size_t size, size_t chip_offset)
{
	const struct chip_config cfg = {
		.rev_id = REV_ID_V, .tck_hz = 4000000, .cpu_hz = 64000000,
		.variant = flash_find_variant("H743xI"),
	};
	void *rig = calloc(1, size);

	/* rig_chip_teardown() finds the chip where the state starts */
	assert_int_equal(chip_offset, 0);
	assert_non_null(rig);
	assert_int_equal(chip_init(rig, &cfg), 0);
	return rig;
}

int rig_chip_teardown(void **state)
{
	chip_free(*state);
	free(*state);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Constants shared by the test firmware. The integration tests
 * (testing/harness/firmware.py) mirror them: change both together.
 */
#ifndef TESTING_FIRMWARE_FIRMWARE_H
#define TESTING_FIRMWARE_FIRMWARE_H

/* main() calls bp_target() once every RAMTEST_BP_INTERVAL loop iterations. */
#define RAMTEST_BP_INTERVAL	1000u

/* pattern_buffer[i] = RAMTEST_PATTERN_BASE + i, written once at start-up. */
#define RAMTEST_PATTERN_WORDS	16u
#define RAMTEST_PATTERN_BASE	0xC0FFEE00u

/* Printed with semihosting SYS_WRITE0 by the semihost build. */
#define RAMTEST_HELLO		"hello from h743sim\n"

/*
 * flashwriter: at every boot it erases bank 1 sector 1 and programs one
 * flash word of FLASHWRITER_PATTERN at FLASHWRITER_ADDR (the sector start).
 */
#define FLASHWRITER_SECTOR	1u
#define FLASHWRITER_ADDR	0x08020000u
#define FLASHWRITER_PATTERN	0xDEADBEEFu

#endif

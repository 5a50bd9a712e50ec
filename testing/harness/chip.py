# SPDX-License-Identifier: GPL-2.0-or-later
"""STM32H743 facts the tests share: the flash layout and the FLASH option
registers as `mdw` addresses them (RM0433 4.9: bank-2 copies at +0x100)."""

BANK_BASE = (0x08000000, 0x08100000)
BANK_SIZE = 0x100000
SECTOR = 0x20000
SECTORS = 8
WORD = 32                       # one 256-bit flash word

OPTKEYR = 0x52002008
OPTCR = 0x52002018
OPTSR_CUR = 0x5200201C
OPTSR_PRG = 0x52002020
PRAR_CUR = (0x52002028, 0x52002128)
SCAR_CUR = (0x52002030, 0x52002130)
WPSN_CUR = (0x52002038, 0x52002138)
BOOT_CUR = 0x52002040

OPTSR_FACTORY = 0x0006AAD0
RDP_LEVEL0 = 0xAA
RDP_LEVEL2 = 0xCC

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * STM32H743 embedded flash controller registers (RM0433 section 4.9). Offsets
 * are from 0x52002000; bank-2 registers and the aliases of the shared ones
 * sit at +0x100.
 */
#ifndef H743SIM_FLASH_REGS_H
#define H743SIM_FLASH_REGS_H

#define FLASH_REGS_BASE		0x52002000u
/*
 * Decoded window: 4 KiB, the register boundary table of RM0433 ("Memory map
 * and register boundary addresses": FLASH 0x5200 2000 - 0x5200 2FFF)
 * (UNCONFIRMED: the table's size, not a test on silicon).
 */
#define FLASH_REGS_SIZE		0x1000u
#define FLASH_BANK2_REGS	0x100u

#define FLASH_ACR		0x000
#define FLASH_KEYR		0x004
#define FLASH_OPTKEYR		0x008
#define FLASH_CR		0x00C
#define FLASH_SR		0x010
#define FLASH_CCR		0x014
#define FLASH_OPTCR		0x018
#define FLASH_OPTSR_CUR		0x01C
#define FLASH_OPTSR_PRG		0x020
#define FLASH_OPTCCR		0x024
#define FLASH_PRAR_CUR		0x028
#define FLASH_PRAR_PRG		0x02C
#define FLASH_SCAR_CUR		0x030
#define FLASH_SCAR_PRG		0x034
#define FLASH_WPSN_CUR		0x038
#define FLASH_WPSN_PRG		0x03C
#define FLASH_BOOT_CUR		0x040
#define FLASH_BOOT_PRG		0x044
#define FLASH_CRCCR		0x050
#define FLASH_CRCSADD		0x054
#define FLASH_CRCEADD		0x058
#define FLASH_CRCDATA		0x05C
#define FLASH_ECC_FA		0x060

#define FLASH_KEY1		0x45670123u
#define FLASH_KEY2		0xCDEF89ABu
#define FLASH_OPTKEY1		0x08192A3Bu
#define FLASH_OPTKEY2		0x4C5D6E7Fu

/* FLASH_CR */
#define CR_LOCK			(1u << 0)
#define CR_PG			(1u << 1)
#define CR_SER			(1u << 2)
#define CR_BER			(1u << 3)
#define CR_PSIZE_SHIFT		4
#define CR_PSIZE_MASK		(3u << 4)
#define CR_FW			(1u << 6)
#define CR_START		(1u << 7)
#define CR_SNB_SHIFT		8
#define CR_SNB_MASK		(7u << 8)
#define CR_CRC_EN		(1u << 15)
#define CR_IE_MASK		0x1FEF0000u	/* EOPIE..CRCRDERRIE */
#define CR_RESET		0x00000031u	/* LOCK, PSIZE = x64 */

/* FLASH_SR */
#define SR_BSY			(1u << 0)
#define SR_WBNE			(1u << 1)
#define SR_QW			(1u << 2)
#define SR_CRC_BUSY		(1u << 3)
#define SR_EOP			(1u << 16)
#define SR_WRPERR		(1u << 17)
#define SR_PGSERR		(1u << 18)
#define SR_STRBERR		(1u << 19)
#define SR_INCERR		(1u << 21)
#define SR_OPERR		(1u << 22)
#define SR_RDPERR		(1u << 23)
#define SR_RDSERR		(1u << 24)
#define SR_SNECCERR		(1u << 25)
#define SR_DBECCERR		(1u << 26)
#define SR_CRCEND		(1u << 27)
#define SR_CRCRDERR		(1u << 28)
#define SR_FLAGS_MASK		0x1FEF0000u	/* everything CCR can clear */

/* FLASH_OPTCR */
#define OPTCR_OPTLOCK		(1u << 0)
#define OPTCR_OPTSTART		(1u << 1)
#define OPTCR_MER		(1u << 4)
#define OPTCR_OPTCHANGEERRIE	(1u << 30)
#define OPTCR_SWAP_BANK		(1u << 31)

/* FLASH_OPTSR_CUR / _PRG */
#define OPTSR_OPT_BUSY		(1u << 0)
#define OPTSR_BOR_LEV_MASK	(3u << 2)
#define OPTSR_IWDG1_SW		(1u << 4)	/* 1: started by software (UNCONFIRMED) */
#define OPTSR_RDP_SHIFT		8
#define OPTSR_RDP_MASK		(0xFFu << 8)
#define OPTSR_FZ_IWDG_STOP	(1u << 17)	/* 0: IWDG frozen in Stop */
#define OPTSR_SECURITY		(1u << 21)
#define OPTSR_OPTCHANGEERR	(1u << 30)
#define OPTSR_SWAP_BANK_OPT	(1u << 31)
/* Bits of OPTSR_PRG that software can program on single-core parts. */
#define OPTSR_PRG_MASK		0xA03EFFDCu
#define OPTCCR_CLR_OPTCHANGEERR	(1u << 30)

#define RDP_LEVEL0		0xAA
#define RDP_LEVEL2		0xCC

/* PRAR / SCAR */
#define AREA_START_MASK		0xFFFu
#define AREA_END_SHIFT		16
#define AREA_DM			(1u << 31)	/* DMEP / DMES */
#define AREA_PRG_MASK		0x8FFF0FFFu

/* FLASH_CRCCR */
#define CRCCR_CRC_SECT_MASK	0x7u
#define CRCCR_ALL_BANK_REV_Y	(1u << 7)
#define CRCCR_CRC_BY_SECT	(1u << 8)
#define CRCCR_ADD_SECT		(1u << 9)
#define CRCCR_CLEAN_SECT	(1u << 10)
#define CRCCR_START_CRC		(1u << 16)
#define CRCCR_CLEAN_CRC		(1u << 17)
#define CRCCR_BURST_SHIFT	20
#define CRCCR_BURST_MASK	(3u << 20)
#define CRCCR_ALL_BANK_REV_V	(1u << 22)
/*
 * CRCCR reads 0x001C0000 after reset and after CRC_EN is cleared: the burst
 * field at 01 (16 words) and bits 18-19 set. RM0455 (the sibling H7A3/B3
 * manual) gives this reset value for its FLASH_CRCCR; ST's SVD says 0
 * (UNCONFIRMED). It matters because ST's HAL only ORs its burst
 * size into the register, so its bursts differ if the reset value is 0.
 * Bits 18-19 are taken to be reserved and to read 1.
 */
#define CRCCR_RESET		0x001C0000u
#define CRCCR_RESERVED_ONES	(3u << 18)

#endif

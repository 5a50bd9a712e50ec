# SPDX-License-Identifier: GPL-2.0-or-later
#
# What target/stm32h7x.cfg (and stm32h7x_dual_bank.cfg) become with
# `set STM32H7_FLASH_DRIVER stm32h743` (patches/0015): this project's driver
# for both banks, under the names upstream's file gives (stm32h7x.cpu0,
# stm32h7x.dap), so IDE launch configurations and scripts keep working. The
# stm32h7x commands (mass_erase, lock, unlock, option_read, option_write)
# come with the driver.

if { $STM32H7_FLASH_DRIVER ne "stm32h743" } {
	error "STM32H7_FLASH_DRIVER is '$STM32H7_FLASH_DRIVER': set it to stm32h743 (this\
		project's driver) or leave it unset (upstream's stm32h7x)"
}
if { [info exists DUAL_CORE] && $DUAL_CORE } {
	error "STM32H7_FLASH_DRIVER stm32h743 drives the single-core STM32H742/H743/H753/H750\
		(device id 0x450); DUAL_CORE=1 means an H745/H747/H755/H757: leave\
		STM32H7_FLASH_DRIVER unset to use upstream's stm32h7x"
}
# upstream's switches: both banks are declared anyway, one core, no CTI
foreach var {DUAL_BANK DUAL_CORE USE_CTI} {
	if { [info exists $var] } {
		unset $var
	}
}
if { ![info exists CHIPNAME] } {
	set CHIPNAME stm32h7x
}
source [find target/stm32h743.cfg]

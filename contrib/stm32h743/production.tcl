# SPDX-License-Identifier: GPL-2.0-or-later
#
# A production flow for STM32H743 boards: program and verify an image, make
# the option bytes what the product needs, lock (RDP level 1), reset. Ends
# with exit code 0 or 1 and one machine-readable summary line:
#
#   H743-PRODUCTION result=ok image="fw.elf" bytes=123456 options="bor_lev 1" rdp=1
#   H743-PRODUCTION result=fail step=program image="fw.elf" reason="..."
#
# Variables, set with -c before this file (the board file comes first):
#   IMAGE    the file to program (ELF, Intel HEX, S-record; a .bin needs ADDRESS)
#   ADDRESS  load address of a .bin image (optional)
#   OPTIONS  option-byte fields and values the product needs, as for
#            `stm32h743 option_set` (optional), e.g. {bor_lev 1 iwdg1 hw}
#   LOCK     1 to finish at RDP level 1 (optional, default 0)
#
#   openocd -f board/h743custom.cfg -c 'set IMAGE fw.elf' \
#           -c 'set OPTIONS {bor_lev 1}' -c 'set LOCK 1' \
#           -f contrib/stm32h743/production.tcl

# One line, safe inside double quotes for key=value parsers.
proc h743_production_quote {text} {
	return "\"[string map [list \" ' \n { } \r {}] $text]\""
}

proc h743_production_fail {step reason} {
	global IMAGE
	echo "H743-PRODUCTION result=fail step=$step image=[h743_production_quote $IMAGE]\
		reason=[h743_production_quote $reason]"
	shutdown error
	# `shutdown` only asks: stop this script here
	error "production step $step failed"
}

# Make the listed option-byte fields hold their values; one change for all.
proc h743_production_options {pairs} {
	set changes {}
	foreach {field value} $pairs {
		if {[catch {stm32h743 option_get $field} now]} {
			h743_production_fail options $now
		}
		if {$now ne $value} {
			lappend changes $field $value
		}
	}
	if {[llength $changes] && [catch {stm32h743 option_set {*}$changes} result]} {
		h743_production_fail options $result
	}
	foreach {field value} $pairs {
		set now [stm32h743 option_get $field]
		if {$now ne $value} {
			h743_production_fail options "$field reads $now after the change, not $value"
		}
	}
}

if {![info exists IMAGE]} {
	set IMAGE ""
	h743_production_fail setup "IMAGE is not set: -c 'set IMAGE firmware.elf' before this file"
}
if {[catch {init} result]} {
	h743_production_fail init $result
}
set h743_args [list $IMAGE]
if {[info exists ADDRESS]} {
	lappend h743_args $ADDRESS
}
if {[catch {program {*}$h743_args verify} h743_program]} {
	h743_production_fail program $h743_program
}
set h743_bytes 0
regexp {wrote (\d+) bytes} [dict get $h743_program written] -> h743_bytes
if {![info exists OPTIONS]} {
	set OPTIONS {}
}
h743_production_options $OPTIONS
if {[info exists LOCK] && $LOCK && [catch {stm32h743 lock} result]} {
	h743_production_fail lock $result
}
if {[catch {reset run} result]} {
	h743_production_fail reset $result
}
echo "H743-PRODUCTION result=ok image=[h743_production_quote $IMAGE] bytes=$h743_bytes\
	options=[h743_production_quote $OPTIONS] rdp=[stm32h743 option_get rdp]"
shutdown

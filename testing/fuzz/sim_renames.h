/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Forced into every simulator file of the fuzz build (-include): the
 * simulator functions whose names OpenOCD also defines, renamed so that
 * fuzz_commands can link both. A link error "multiple definition of X" in
 * fuzz_commands means one more line here.
 */
#ifndef H743SIM_FUZZ_SIM_RENAMES_H
#define H743SIM_FUZZ_SIM_RENAMES_H

#define mem_ap_init	h743sim_mem_ap_init
#define tap_state_name	h743sim_tap_state_name

#endif

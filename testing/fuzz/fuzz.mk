# SPDX-License-Identifier: GPL-2.0-or-later
#
# Builds the fuzz targets with clang and libFuzzer (GNU make; called by the
# rules in testing/fuzz/Makefile.inc, which pass the variables below). Kept
# out of automake's sight because it uses pattern rules, $(wildcard) and
# generated dependencies, which automake -Wall warns about.
#
#   TOP        absolute top source directory
#   OUT        where everything goes (build/fuzz)
#   OO_SRC     OpenOCD source tree as prepared by scripts/openocd-tree.sh
#   OO_BUILD   OpenOCD build tree (config.h, src/.libs/libopenocd.a)
#   SIM_SOURCES  $(H743SIM_SOURCES) of testing/sim/Makefile.inc
#   FUZZ_CC, UNICORN_CFLAGS, UNICORN_LIBS
#
# Nothing here touches OO_BUILD: libopenocd.a is only read, and the driver
# and simulator are compiled again into OUT, instrumented.

FUZZ_CC ?= clang
SAN = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CFLAGS_COMMON = -std=gnu11 -g -O1 $(SAN) -Wall -Wextra -Werror -MMD -MP
INSTRUMENT = -fsanitize=fuzzer-no-link
LINK = $(FUZZ_CC) -fsanitize=fuzzer $(SAN)

FUZZ_DIR = $(TOP)/testing/fuzz
SIM_C = $(filter-out testing/sim/main.c,$(filter %.c,$(SIM_SOURCES)))
SIM_OBJS = $(patsubst testing/sim/%.c,$(OUT)/obj/sim/%.o,$(SIM_C)) \
	$(OUT)/obj/sim/fuzz_chip.o
DRIVER_C = $(notdir $(wildcard $(TOP)/src/flash/nor/stm32h743*.c))
DRIVER_OBJS = $(patsubst %.c,$(OUT)/obj/driver/%.o,$(DRIVER_C))
LIBOPENOCD = $(OO_BUILD)/src/.libs/libopenocd.a
# the libraries OpenOCD links (libtool's record of them)
OPENOCD_LIBS = $(shell sed -n "s/^dependency_libs='\(.*\)'/\1/p" \
	$(OO_BUILD)/src/libopenocd.la 2>/dev/null) -ljim

SIM_CFLAGS = $(CFLAGS_COMMON) $(INSTRUMENT) $(UNICORN_CFLAGS) \
	-include $(FUZZ_DIR)/sim_renames.h -I$(TOP)/testing/sim -I$(FUZZ_DIR)
# our driver headers first, then OpenOCD's tree (imp.h, helper/, target/)
OPENOCD_CFLAGS = $(CFLAGS_COMMON) $(INSTRUMENT) -DHAVE_CONFIG_H \
	-I$(TOP)/src/flash/nor -I$(OO_SRC)/src/flash/nor -I$(OO_SRC)/src \
	-I$(OO_BUILD) -I$(OO_BUILD)/src -I$(FUZZ_DIR) \
	-Wno-unused-parameter -Wno-sign-compare

# Loops over every byte, bit or flash word: the wire (rbb.c, tap.c), the
# state file's CRC (persist.c), counting word states (flash_array.c).
# Comparison tracing there took half to two thirds of the rbb and persist
# targets' time and guides nothing; edge coverage stays.
NO_CMP_TRACE = rbb tap persist flash_array
$(NO_CMP_TRACE:%=$(OUT)/obj/sim/%.o): SIM_CFLAGS += -fno-sanitize-coverage=trace-cmp

TARGETS = rbb vdebug persist obfields commands

.PHONY: all
all: $(addprefix $(OUT)/fuzz_,$(TARGETS))

$(OUT)/fuzz_rbb: $(OUT)/obj/sim/fuzz_rbb.o $(SIM_OBJS)
	$(LINK) -o $@ $^ $(UNICORN_LIBS) -lm

$(OUT)/fuzz_vdebug: $(OUT)/obj/sim/fuzz_vdebug.o $(SIM_OBJS)
	$(LINK) -o $@ $^ $(UNICORN_LIBS) -lm

$(OUT)/fuzz_persist: $(OUT)/obj/sim/fuzz_persist.o $(SIM_OBJS)
	$(LINK) -o $@ $^ $(UNICORN_LIBS) -lm

$(OUT)/fuzz_obfields: $(OUT)/obj/fuzz_obfields.o $(OUT)/obj/driver/stm32h743_obfields.o
	$(LINK) -o $@ $^

# Our driver objects come first: the archive's own (gcc) copies of them are
# then never pulled in. Time is the simulator's (fuzz_commands.c).
$(OUT)/fuzz_commands: $(OUT)/obj/fuzz_commands.o $(OUT)/obj/sim/fuzz_memory.o \
		$(DRIVER_OBJS) $(SIM_OBJS) $(LIBOPENOCD)
	$(LINK) -o $@ $(filter %.o,$^) \
		-Wl,--wrap=timeval_ms -Wl,--wrap=alive_sleep \
		$(LIBOPENOCD) $(OPENOCD_LIBS) $(UNICORN_LIBS) -lm

$(OUT)/obj/sim/%.o: $(TOP)/testing/sim/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(SIM_CFLAGS) -c -o $@ $<

# The harnesses themselves are not instrumented for coverage: their checks
# would count as features and slow every execution.
$(OUT)/obj/sim/%.o: $(FUZZ_DIR)/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(filter-out $(INSTRUMENT),$(SIM_CFLAGS)) -c -o $@ $<

$(OUT)/obj/driver/%.o: $(TOP)/src/flash/nor/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(OPENOCD_CFLAGS) -c -o $@ $<

$(OUT)/obj/%.o: $(FUZZ_DIR)/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(filter-out $(INSTRUMENT),$(OPENOCD_CFLAGS)) -c -o $@ $<

-include $(wildcard $(OUT)/obj/*.d $(OUT)/obj/*/*.d)

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Static checks of our C code with what Debian offers: cppcheck on the flash
# driver, the Cortex-M cache code, the simulator and the loader; gcc
# -fanalyzer on the simulator and, when the OpenOCD tree has been prepared
# (build/openocd-src with config.h, for its headers), on the driver and the
# cache code. Prints every finding; exit 1 if there is any, 2 if a tool is missing.
#
#   scripts/lint.sh [BUILDDIR]        (default: build)

set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
builddir=${1:-build}
findings=0
report=$(mktemp "${TMPDIR:-/tmp}/h743-lint.XXXXXX")
trap 'rm -f "$report"' EXIT

for tool in cppcheck gcc; do
	if ! command -v "$tool" >/dev/null; then
		echo "lint: $tool is missing (scripts/install-deps.sh installs it)"
		exit 2
	fi
done

DRIVER=(src/flash/nor/stm32h743*.c src/target/cortex_m_cache.c)
SIM=(testing/sim/*.c)
LOADER=(contrib/loaders/flash/stm32h743/*.c)

# count the lines a tool printed as findings, and show them
count() {
	local what=$1 n
	n=$(grep -cE '(warning|error|style|performance|portability):' "$report")
	sed 's/^/  /' "$report"
	echo "lint: $what: $n finding(s)"
	findings=$((findings + n))
}

# cppcheck: the driver sees OpenOCD's headers when the tree is there
oo_inc=()
if [ -f "$builddir/openocd-build/config.h" ]; then
	oo_inc=(-I "$builddir/openocd-src/src" -I "$builddir/openocd-build" -D HAVE_CONFIG_H)
fi
cppcheck --quiet --std=c11 --enable=warning,portability,performance --inline-suppr \
	--suppress=missingIncludeSystem --suppress=missingInclude --error-exitcode=0 \
	"${oo_inc[@]}" -I testing/sim "${DRIVER[@]}" "${SIM[@]}" "${LOADER[@]}" >"$report" 2>&1
count "cppcheck (${#DRIVER[@]} driver/target, ${#SIM[@]} simulator, ${#LOADER[@]} loader files)"

# gcc's static analyzer, file by file
: >"$report"
for f in "${SIM[@]}"; do
	gcc -std=gnu11 -fanalyzer -c -o /dev/null -I testing/sim "$f" 2>&1 |
		grep -E 'warning|error' >>"$report"
done
count "gcc -fanalyzer, simulator"
if [ -f "$builddir/openocd-build/config.h" ]; then
	: >"$report"
	for f in "${DRIVER[@]}"; do
		gcc -std=gnu11 -fanalyzer -c -o /dev/null -DHAVE_CONFIG_H -I "$builddir/openocd-build" \
			-I "$builddir/openocd-src/src" -I "$builddir/openocd-src" \
			-I "$builddir/openocd-src/src/flash/nor" -I "$builddir/openocd-src/src/target" \
			"$f" 2>&1 | grep -E 'warning|error' >>"$report"
	done
	count "gcc -fanalyzer, driver and cache code (with $builddir/openocd-src's headers)"
else
	echo "lint: gcc -fanalyzer of the driver skipped: $builddir/openocd-build/config.h is" \
		"missing (run make first)"
fi

echo "lint: $findings finding(s) in all"
[ "$findings" -eq 0 ]

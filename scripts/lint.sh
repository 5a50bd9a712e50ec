#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Static checks of our C code with what Debian offers, each step ending in a
# "lint: STEP: N finding(s)" line:
#   cppcheck      the flash driver, the Cortex-M cache code, the simulator, the loader;
#   gcc -fanalyzer the simulator and, when the OpenOCD tree has been prepared
#                 (BUILDDIR/openocd-src with config.h, for its headers), the
#                 driver and the cache code;
#   clang-tidy    the same, and the loader (checks: .clang-tidy files);
#   style         the checkpatch rules issue 13 names, on all our C: lines over
#                 120 columns (a tab is 4, as OpenOCD counts), statements after
#                 a case label, a = b = c, string tables not "const char *const",
#                 and in the driver (1 << n) masks that should be BIT(n);
#   checkpatch    the kernel's checkpatch.pl run as OpenOCD runs it (its
#                 .checkpatch.conf) on what would go upstream: the driver, the
#                 cache code, the loader. Found as $H743_CHECKPATCH, on PATH,
#                 or taken from Debian's linux-source-6.1 into BUILDDIR/checkpatch
#                 (scripts/install-deps.sh --checkpatch installs it); skipped,
#                 saying so, when there is none.
# Prints every finding; exit 1 if there is any, 2 if a tool is missing.
#
#   scripts/lint.sh [BUILDDIR]        (default: build)

set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
builddir=${1:-build}
findings=0
report=$(mktemp "${TMPDIR:-/tmp}/h743-lint.XXXXXX")
trap 'rm -f "$report"' EXIT

for tool in cppcheck gcc clang-tidy; do
	if ! command -v "$tool" >/dev/null; then
		echo "lint: $tool is missing (scripts/install-deps.sh installs it)"
		exit 2
	fi
done

DRIVER=(src/flash/nor/stm32h743*.c src/target/cortex_m_cache.c)
SIM=(testing/sim/*.c)
LOADER=(contrib/loaders/flash/stm32h743/*.c)

# count the lines a tool printed as findings (those matching $2, by default
# cppcheck's and gcc's), and show them
count() {
	local what=$1 re=${2:-'(warning|error|style|performance|portability):'} n
	n=$(grep -cE "$re" "$report")
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

# clang-tidy, a file per job; the checks are in .clang-tidy (and the loader's).
# Findings in our headers count once, however many files include them.
tidy_out=$(mktemp -d "${TMPDIR:-/tmp}/h743-tidy.XXXXXX")
trap 'rm -f "$report"; rm -rf "$tidy_out"' EXIT
top_re=$(printf '%s' "$PWD" | sed 's/[][\\.^$*+?(){}|]/\\&/g')
tidy_headers="^$top_re/(testing/sim|src/flash/nor|src/target|contrib/loaders/flash/stm32h743)/"
tidy_jobs=$(nproc 2>/dev/null || echo 2)
tidy() {	# FILE COMPILER-ARGS...
	local f=$1
	shift
	while [ "$(jobs -rp | wc -l)" -ge "$tidy_jobs" ]; do
		wait -n
	done
	clang-tidy --quiet --header-filter="$tidy_headers" "$f" -- -Wall -Wextra "$@" \
		>"$tidy_out/$(echo "$f" | tr / _)" 2>/dev/null &
}
tidy_report() {
	wait
	cat "$tidy_out"/* 2>/dev/null | awk '/^[^ ]+:[0-9]+:[0-9]+: (warning|error):/ { keep = !seen[$0]++ }
		keep' >"$report"
	rm -f "$tidy_out"/*
}
tidy_re='^[^ ]+:[0-9]+:[0-9]+: (warning|error):'
for f in "${SIM[@]}"; do
	tidy "$f" -std=gnu11 -I testing/sim
done
for f in "${LOADER[@]}"; do
	tidy "$f" --target=arm-none-eabi -mcpu=cortex-m7 -mthumb -std=gnu11 -ffreestanding
done
tidy_report
count "clang-tidy, simulator and loader" "$tidy_re"
if [ -f "$builddir/openocd-build/config.h" ]; then
	for f in "${DRIVER[@]}"; do
		tidy "$f" -std=gnu11 -DHAVE_CONFIG_H -I "$builddir/openocd-build" \
			-I "$builddir/openocd-src/src" -I "$builddir/openocd-src" \
			-I "$builddir/openocd-src/src/flash/nor" -I "$builddir/openocd-src/src/target"
	done
	tidy_report
	count "clang-tidy, driver and cache code (with $builddir/openocd-src's headers)" "$tidy_re"
else
	echo "lint: clang-tidy of the driver skipped: $builddir/openocd-build/config.h is" \
		"missing (run make first)"
fi

# style: a few checkpatch rules, everywhere (checkpatch itself, below, is
# optional and looks only at the upstream-bound code)
OURS=(src/flash/nor/stm32h743*.[ch] src/target/cortex_m_cache.[ch] testing/sim/*.[ch]
	contrib/loaders/flash/stm32h743/*.[ch])
awk -v bit_files='^(src/flash/nor/stm32h743|src/target/cortex_m_cache)' '
	function report(rule) {
		printf "%s:%d: %s: %s\n", FILENAME, FNR, rule, $0
	}
	{
		# columns, a tab to the next multiple of 4
		col = 0
		for (i = 1; i <= length($0); i++)
			col = substr($0, i, 1) == "\t" ? col + 4 - col % 4 : col + 1
		if (col > 120)
			report("line of " col " columns (at most 120)")
		# the code alone: no comments, no character or string contents
		code = $0
		gsub(/\/\*.*\*\//, "", code)
		sub(/\/\/.*/, "", code)
		gsub(/\x27(\\.|[^\x27\\])\x27/, "0", code)
		gsub(/"(\\.|[^"\\])*"/, "\"\"", code)
		# case X: / default: followed by a statement (checkpatch lets return
		# and an opening brace through)
		if (match(code, /^[ \t]*(case[ \t(][^:]*|default[ \t]*):/)) {
			rest = substr(code, RLENGTH + 1)
			if (rest !~ /^[ \t]*[{]?[ \t]*\\?[ \t]*$/ && rest !~ /^[ \t]*return[ \t]/)
				report("statement after a case label (on its own line, please)")
		}
		lval = "[*]*[A-Za-z_][A-Za-z0-9_]*(([.]|->)[A-Za-z_][A-Za-z0-9_]*|\\[[^]=]*\\])*"
		if (code ~ "^[ \t]*" lval "[ \t]*=[ \t]*" lval "[ \t]*=([^=]|$)")
			report("multiple assignment (one a line, please)")
		table = "^[ \t]*(static[ \t]+)?(const[ \t]+)?char[ \t]*[*][ \t]*[A-Za-z_][A-Za-z0-9_]*"
		if (code ~ table "[ \t]*\\[[^]]*\\][ \t]*=")
			report("string table: make it \"const char *const\"")
		if (FILENAME ~ bit_files &&
		    code ~ /\([ \t]*1[uUlL]*[ \t]*<<[ \t]*([0-9]+|[A-Za-z_][A-Za-z0-9_]*)[ \t]*\)/)
			report("(1 << n): BIT(n), please")
	}' "${OURS[@]}" >"$report"
count "style (checkpatch rules of issue 13, ${#OURS[@]} files)" '^[^ ]+:[0-9]+: '

# Drop from $report the checkpatch findings scripts/checkpatch.exceptions
# lists: FILE TYPE TEXT, the line's text starting with TEXT (indentation aside).
filter_exceptions() {
	local file line type rest text kept
	kept=$(mktemp "${TMPDIR:-/tmp}/h743-lint.XXXXXX")
	while IFS= read -r finding; do
		if [[ $finding =~ ^([^:]+):([0-9]+):\ [A-Z]+:([A-Z0-9_]+): ]]; then
			file=${BASH_REMATCH[1]} line=${BASH_REMATCH[2]} type=${BASH_REMATCH[3]}
			text=$(sed -n "${line}{s/^[[:space:]]*//;p;q}" "$file")
			while read -r xfile xtype rest; do
				if [ "$xfile" = "$file" ] && [ "$xtype" = "$type" ] &&
				   [ "${text#"$rest"}" != "$text" ]; then
					continue 2
				fi
			done < <(grep -v -e '^#' -e '^[[:space:]]*$' scripts/checkpatch.exceptions)
		fi
		printf '%s\n' "$finding"
	done <"$report" >"$kept"
	mv "$kept" "$report"
}

# checkpatch, as OpenOCD's .checkpatch.conf runs it
CHECKPATCH_IGNORE=AVOID_EXTERNS,BLOCK_COMMENT_STYLE,CAMELCASE,COMPLEX_MACRO,CONST_STRUCT,ENOSYS
CHECKPATCH_IGNORE+=,FILE_PATH_CHANGES,GERRIT_CHANGE_ID,LINE_SPACING,LOGICAL_CONTINUATIONS
CHECKPATCH_IGNORE+=,MACRO_WITH_FLOW_CONTROL,NEW_TYPEDEFS,PARENTHESIS_ALIGNMENT
CHECKPATCH_IGNORE+=,PREFER_DEFINED_ATTRIBUTE_MACRO,PREFER_FALLTHROUGH,PREFER_KERNEL_TYPES
CHECKPATCH_IGNORE+=,SPDX_LICENSE_TAG,SPLIT_STRING,SSCANF_TO_KSTRTO,SWITCH_CASE_INDENT_LEVEL
CHECKPATCH_IGNORE+=,TRACING_LOGGING,VOLATILE,TYPO_SPELLING
checkpatch=${H743_CHECKPATCH:-$(command -v checkpatch.pl || true)}
kernel_src=/usr/src/linux-source-6.1.tar.xz
if [ -z "$checkpatch" ] && [ -f "$kernel_src" ]; then
	# the three files it needs, once per build directory (about 30 s of xz)
	checkpatch=$builddir/checkpatch/checkpatch.pl
	if [ ! -f "$checkpatch" ] || [ "$kernel_src" -nt "$checkpatch" ]; then
		mkdir -p "$builddir/checkpatch"
		tar -xJf "$kernel_src" -C "$builddir/checkpatch" --strip-components=2 \
			linux-source-6.1/scripts/checkpatch.pl linux-source-6.1/scripts/spelling.txt \
			linux-source-6.1/scripts/const_structs.checkpatch && touch "$checkpatch"
	fi
fi
if [ -n "$checkpatch" ] && [ -f "$checkpatch" ]; then
	UPSTREAM=(src/flash/nor/stm32h743*.[ch] src/target/cortex_m_cache.[ch]
		contrib/loaders/flash/stm32h743/*.[ch])
	perl "$checkpatch" --no-tree --file --strict --max-line-length=120 --tab-size=4 \
		--show-types --terse --no-summary --ignore "$CHECKPATCH_IGNORE" \
		"${UPSTREAM[@]}" >"$report" 2>&1
	rm -f .checkpatch-camelcase.*	# its cache of names, which --no-tree does not use
	# known false positives: scripts/checkpatch.exceptions
	filter_exceptions
	count "checkpatch ($checkpatch, ${#UPSTREAM[@]} driver/target/loader files)" \
		'^[^ ]+:[0-9]+: (ERROR|WARNING|CHECK):'
else
	echo "lint: checkpatch skipped: no checkpatch.pl (H743_CHECKPATCH=FILE, or" \
		"scripts/install-deps.sh --checkpatch for Debian's linux-source-6.1)"
fi

echo "lint: $findings finding(s) in all"
[ "$findings" -eq 0 ]

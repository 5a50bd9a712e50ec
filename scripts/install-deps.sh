#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Install the Debian packages needed to build and test this project, and
# make sure `apt-get source openocd` can work (deb-src entry + index),
# unless the OpenOCD tarball is already cached.
#
# Quick and silent when everything is there (no apt-get update).  As root
# it installs directly, otherwise through sudo when available; failing
# both it prints the apt-get command line and exits 1.
#
# Usage: scripts/install-deps.sh [--no-source] [--checkpatch]
#   --no-source   skip the deb-src part (e.g. with --with-openocd-tarball)
#   --checkpatch  also linux-source-6.1, whose scripts/checkpatch.pl make lint
#                 runs the way OpenOCD does (139 MB; CI asks for it)

set -euo pipefail

PACKAGES=(
	# build tools, for us and for OpenOCD (autoreconf after patching)
	gcc make libc6-dev autoconf automake libtool pkg-config texinfo
	patch bzip2 tar dpkg-dev
	# libraries of the simulator and unit tests
	libunicorn-dev libcmocka-dev
	# libraries of OpenOCD and its enabled adapters
	libjim-dev libusb-1.0-0-dev libftdi1-dev libhidapi-dev libjaylink-dev
	# target firmware and debugging it through OpenOCD
	gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi
	gdb-multiarch
	# the tests run under pytest (xdist: parallel workers); the memcheck
	# test runs valgrind
	python3 python3-pytest python3-pytest-xdist valgrind
	# make lint (and its test): static analysis of our C
	cppcheck clang-tidy
	# make bench: its PNG plot
	python3-matplotlib
	# fuzzing (make fuzz, make check's fuzz-smoke): clang and its libFuzzer
	# and sanitizer runtimes (Debian 12: LLVM 14)
	clang libclang-rt-14-dev
)

TARBALL=openocd_0.12.0.orig.tar.bz2
CACHED=${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/h743-openocd/$TARBALL

want_source=yes
for arg in "$@"; do
	case $arg in
	--no-source) want_source=no ;;
	--checkpatch) PACKAGES+=(linux-source-6.1) ;;
	*) echo "usage: $0 [--no-source] [--checkpatch]" >&2; exit 2 ;;
	esac
done
[ -f "$CACHED" ] && want_source=no

say() { echo "install-deps: $*"; }

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
	say "not a Debian/apt system; install the equivalents of: ${PACKAGES[*]}"
	exit 0
fi

# Which packages are missing?
missing=()
for p in "${PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done

# Is there a deb-src entry?  (deb822 .sources files and legacy .list files)
have_deb_src() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && grep -Eqi '^Types:.*\bdeb-src\b' "$f" && return 0
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] && grep -Eq '^[[:space:]]*deb-src[[:space:]]' "$f" && return 0
	done
	return 1
}

need_src_entry=no
need_update=no
if [ "$want_source" = yes ]; then
	if ! have_deb_src; then
		need_src_entry=yes
		need_update=yes
	elif ! apt-cache showsrc openocd 2>/dev/null | grep -q '^Package:'; then
		need_update=yes       # entry present, index not downloaded yet
	fi
fi
[ ${#missing[@]} -gt 0 ] && need_update=yes

if [ ${#missing[@]} -eq 0 ] && [ "$need_src_entry" = no ] && [ "$need_update" = no ]; then
	exit 0
fi

# ---- privileges --------------------------------------------------------------
if [ "$(id -u)" -eq 0 ]; then
	SUDO=()
elif command -v sudo >/dev/null 2>&1; then
	if [ -t 0 ]; then SUDO=(sudo); else SUDO=(sudo -n); fi
else
	say "need root to install packages; please run:"
	[ "$need_src_entry" = yes ] && say "  (add a deb-src line for your Debian mirror to /etc/apt/sources.list.d/)"
	echo "  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
	exit 1
fi

# ---- deb-src entry -------------------------------------------------------------
# Mirror the Debian entries that exist, with Types: deb-src, in a file of
# our own (never edit the system's files).
if [ "$need_src_entry" = yes ]; then
	out=
	if compgen -G '/etc/apt/sources.list.d/*.sources' >/dev/null; then
		out=/etc/apt/sources.list.d/h743-deb-src.sources
		# deb822: copy each stanza whose URIs mention debian, as deb-src.
		content=$(awk 'BEGIN { RS = ""; ORS = "\n\n" }
			/(^|\n)Types:([^\n]* )?deb( |\n|$)/ && /(^|\n)URIs:[^\n]*debian/ {
				gsub(/(^|\n)#[^\n]*/, "")
				sub(/Types:[^\n]*/, "Types: deb-src")
				print
			}' /etc/apt/sources.list.d/*.sources)
	fi
	if [ -z "${content:-}" ] && [ -f /etc/apt/sources.list ]; then
		out=/etc/apt/sources.list.d/h743-deb-src.list
		content=$(sed -nE 's/^[[:space:]]*deb([[:space:]]+.*debian.*)$/deb-src\1/p' /etc/apt/sources.list)
	fi
	if [ -z "${content:-}" ]; then
		say "warning: found no Debian apt entry to derive a deb-src entry from;"
		say "         the OpenOCD tarball will have to be given with --with-openocd-tarball"
	else
		say "adding $out"
		printf '%s\n' "$content" | "${SUDO[@]}" tee "$out" >/dev/null
	fi
fi

export DEBIAN_FRONTEND=noninteractive
if [ "$need_update" = yes ]; then
	say "apt-get update"
	"${SUDO[@]}" apt-get update -q </dev/null
fi
if [ ${#missing[@]} -gt 0 ]; then
	say "installing: ${missing[*]}"
	"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
fi

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Print the path of a verified openocd_0.12.0.orig.tar.bz2 on stdout
# (all messages go to stderr).
#
#   fetch-openocd.sh [FILE]
#
# With FILE (configure --with-openocd-tarball), verify and use it.
# Otherwise use the cached copy in ${XDG_CACHE_HOME:-$HOME/.cache}/h743-openocd/,
# or download it with `apt-get source --download-only openocd` into a
# temporary directory and cache it, so later builds and fresh clones on this
# machine never fetch again.  A checksum mismatch is always a hard error.

set -eu

NAME=openocd_0.12.0.orig.tar.bz2
SHA256=af254788be98861f2bd9103fe6e60a774ec96a8c374744eef9197f6043075afa

if [ -n "${XDG_CACHE_HOME:-}" ]; then
	CACHE_DIR=$XDG_CACHE_HOME/h743-openocd
elif [ -n "${HOME:-}" ]; then
	CACHE_DIR=$HOME/.cache/h743-openocd
else
	CACHE_DIR=
fi

say() { echo "fetch-openocd: $*" >&2; }
die() { say "error: $*"; exit 1; }

# verify FILE [HINT]: hard error naming both hashes on mismatch.
verify() {
	got=$(sha256sum "$1" | cut -d' ' -f1)
	hint=${2:-"This is not the OpenOCD 0.12.0 orig tarball from Debian."}
	[ "$got" = "$SHA256" ] || die "checksum mismatch for $1
  expected sha256 $SHA256
  got      sha256 $got
  $hint"
}

# cache FILE: best effort, atomic (a half-written file never looks cached).
cache() {
	[ -n "$CACHE_DIR" ] || return 0
	[ -f "$CACHE_DIR/$NAME" ] && return 0
	if mkdir -p "$CACHE_DIR" 2>/dev/null &&
	   cp "$1" "$CACHE_DIR/.$NAME.$$" 2>/dev/null &&
	   mv -f "$CACHE_DIR/.$NAME.$$" "$CACHE_DIR/$NAME"; then
		say "cached in $CACHE_DIR/$NAME"
	else
		rm -f "$CACHE_DIR/.$NAME.$$"
		say "warning: could not write the cache directory $CACHE_DIR"
	fi
}

if [ $# -ge 1 ] && [ -n "$1" ]; then
	[ -f "$1" ] || die "$1: no such file"
	verify "$1"
	cache "$1"
	echo "$1"
	exit 0
fi

if [ -n "$CACHE_DIR" ] && [ -f "$CACHE_DIR/$NAME" ]; then
	verify "$CACHE_DIR/$NAME" "The cached copy is damaged: delete it and build again to refetch."
	echo "$CACHE_DIR/$NAME"
	exit 0
fi

command -v apt-get >/dev/null 2>&1 || die "apt-get is not available to download the OpenOCD sources.
  Reconfigure with --with-openocd-tarball=/path/to/$NAME
  (sha256 $SHA256) or --with-openocd-src=DIR."

# Download into a private temporary directory.  The Debian part
# (debian.tar.xz) may 404 and make apt-get fail: only the orig tarball
# matters, so judge success by its presence and checksum.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/h743-openocd.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
say "downloading with: apt-get source --download-only openocd"
(cd "$tmp" && apt-get source --download-only openocd) >"$tmp/apt.log" 2>&1 </dev/null || true
if [ ! -f "$tmp/$NAME" ]; then
	sed 's/^/  | /' "$tmp/apt.log" >&2
	die "apt-get source did not deliver $NAME.
  If it says deb-src URIs are missing or the source package is unknown, run
  scripts/install-deps.sh (as root, or with sudo): it adds a deb-src entry
  and runs apt-get update.  Or reconfigure with
  --with-openocd-tarball=/path/to/$NAME (sha256 $SHA256)."
fi
verify "$tmp/$NAME"

if [ -n "$CACHE_DIR" ]; then
	cache "$tmp/$NAME"
	if [ -f "$CACHE_DIR/$NAME" ]; then
		echo "$CACHE_DIR/$NAME"
		exit 0
	fi
fi
# No usable cache: keep a copy next to the build instead (cwd = builddir).
cp "$tmp/$NAME" "./$NAME"
echo "$PWD/$NAME"

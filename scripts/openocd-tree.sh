#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Prepare and configure the OpenOCD 0.12.0 tree.  Called by Makefile.am on
# every `make`, from the build directory; cheap when nothing changed.
#
#   openocd-tree.sh TOP_SRCDIR [-- OPENOCD-CONFIGURE-ARGS...]
#
# Environment: OPENOCD_TARBALL or OPENOCD_SRC_DIR (from configure; both may
# be empty, then scripts/fetch-openocd.sh finds the tarball).
#
# Layout, relative to the build directory:
#   openocd-src/            pristine upstream + patches + our overlay
#   openocd-build/          OpenOCD's out-of-tree build
#   openocd-unpack.stamp    fingerprint of what openocd-src was made from
#   openocd-overlay.list    overlay files copied into openocd-src
#   openocd-configure.stamp arguments OpenOCD was configured with
#   openocd-*.log           full output of the quiet steps
#
# Steps:
#  1. Unpack (or copy --with-openocd-src) and apply $TOP/patches/*.patch in
#     sorted order.  Redone from scratch, with a fresh openocd-build, when
#     the patch set, the source origin or this script's layout changes, or
#     when an overlay file was deleted (the upstream file must come back).
#  2. Copy $TOP/src, $TOP/tcl and $TOP/contrib over the tree, file by file,
#     only files whose contents differ (new mtime => incremental rebuild).
#  3. autoreconf -fi, only when a patch or an overlay file touched
#     Makefile.am, configure.ac or an .m4 file (or there is no configure).
#  4. Configure OpenOCD in openocd-build when not yet done or when the
#     arguments changed.
# Building and stage-installing are done by make itself (jobserver).

set -eu

LAYOUT=1                      # bump when the unpack procedure changes
SRC=openocd-src
BLD=openocd-build
AUTORECONF_FLAG=$SRC/.h743-need-autoreconf

say() { echo "openocd-tree: $*"; }
die() { echo "openocd-tree: error: $*" >&2; exit 1; }

[ $# -ge 1 ] || die "usage: $0 TOP_SRCDIR [-- CONFIGURE-ARGS...]"
TOP=$(cd "$1" && pwd)
shift
[ "${1:-}" = "--" ] && shift
BUILDDIR=$(pwd)
export LC_ALL=C               # stable sort order for patches and file lists

# ---- inputs ----------------------------------------------------------------
patch_list=
for p in "$TOP"/patches/*.patch; do     # glob order = C locale order
	if [ -f "$p" ]; then patch_list="$patch_list $p"; fi
done

# Files of the overlay, relative to TOP; skip editor and patch leftovers.
overlay_now=$BUILDDIR/openocd-overlay.list.new
(
	cd "$TOP"
	for d in src tcl contrib; do
		[ -d "$d" ] || continue
		find "$d" -type f ! -name '*~' ! -name '.*' ! -name '*.orig' \
			! -name '*.rej'
	done
) | sort >"$overlay_now"

fingerprint=$(
	echo "layout $LAYOUT"
	if [ -n "${OPENOCD_SRC_DIR:-}" ]; then
		echo "src-dir $OPENOCD_SRC_DIR"
	else
		echo "tarball ${OPENOCD_TARBALL:-apt}"
	fi
	for p in $patch_list; do
		sha256sum "$p" | sed "s|$TOP/||"
	done
)

# ---- 1. unpack + patches ---------------------------------------------------
fresh=
if [ ! -d "$SRC" ] || [ ! -f openocd-unpack.stamp ]; then
	fresh="no unpacked tree yet"
elif [ "$(cat openocd-unpack.stamp)" != "$fingerprint" ]; then
	fresh="the patch set or source origin changed"
elif [ -f openocd-overlay.list ] &&
     [ -n "$(comm -23 openocd-overlay.list "$overlay_now")" ]; then
	fresh="overlay file(s) removed: $(comm -23 openocd-overlay.list "$overlay_now" | tr '\n' ' ')"
fi

if [ -n "$fresh" ]; then
	say "preparing a fresh OpenOCD tree ($fresh)"
	# Everything derived from the old tree goes, including its objects:
	# the unpacked files have old mtimes and would look up to date.
	rm -rf "$SRC" "$SRC.tmp" "$BLD" install/share install/bin/openocd \
		openocd-unpack.stamp openocd-overlay.list \
		openocd-configure.stamp openocd-install.stamp
	mkdir "$SRC.tmp"
	if [ -n "${OPENOCD_SRC_DIR:-}" ]; then
		grep -q 'AC_INIT(\[openocd\], *\[0\.12\.0\]' \
			"$OPENOCD_SRC_DIR/configure.ac" ||
			die "$OPENOCD_SRC_DIR is not OpenOCD 0.12.0 (see its configure.ac AC_INIT)"
		# A tree configured in place would make OpenOCD refuse our
		# out-of-tree configure of the copy.
		[ ! -f "$OPENOCD_SRC_DIR/config.status" ] ||
			die "$OPENOCD_SRC_DIR was configured in place; run 'make distclean' there first"
		say "copying $OPENOCD_SRC_DIR"
		cp -a "$OPENOCD_SRC_DIR"/. "$SRC.tmp"/
		rm -rf "$SRC.tmp/.git"
	else
		tarball=$(sh "$TOP/scripts/fetch-openocd.sh" "${OPENOCD_TARBALL:-}")
		say "unpacking $tarball"
		tar -xjf "$tarball" -C "$SRC.tmp" --strip-components=1
	fi
	for p in $patch_list; do
		say "applying patches/${p##*/}"
		patch -d "$SRC.tmp" -p1 --forward --batch --no-backup-if-mismatch \
			-s -i "$p" || die "patches/${p##*/} does not apply (tree left in $BUILDDIR/$SRC.tmp)"
		# Build-system inputs changed?  Look at the "+++ b/path" lines.
		if grep -Eq '^\+\+\+ [^[:space:]]*(Makefile\.am|configure\.ac|\.m4)([[:space:]]|$)' "$p"; then
			touch "$SRC.tmp/.h743-need-autoreconf"
		fi
	done
	mv "$SRC.tmp" "$SRC"
	echo "$fingerprint" >openocd-unpack.stamp
fi

# ---- 2. overlay --------------------------------------------------------------
while IFS= read -r rel; do
	if ! cmp -s "$TOP/$rel" "$SRC/$rel"; then
		mkdir -p "$SRC/${rel%/*}"
		cp "$TOP/$rel" "$SRC/$rel"
		say "overlay $rel"
		case $rel in
		*/Makefile.am | */configure.ac | *.m4) touch "$AUTORECONF_FLAG" ;;
		esac
	fi
done <"$overlay_now"
mv -f "$overlay_now" openocd-overlay.list

# ---- 3. autoreconf (only if the build system was touched) -------------------
if [ -f "$AUTORECONF_FLAG" ] || [ ! -x "$SRC/configure" ]; then
	say "autoreconf -fi (build-system files were patched; log: openocd-autoreconf.log)"
	if ! (cd "$SRC" && autoreconf -fi) >openocd-autoreconf.log 2>&1; then
		tail -n 40 openocd-autoreconf.log >&2
		die "autoreconf failed in $BUILDDIR/$SRC"
	fi
	rm -f "$AUTORECONF_FLAG" openocd-configure.stamp
fi

# ---- 4. configure ------------------------------------------------------------
args=$(printf '%s\n' "$@")
if [ ! -f "$BLD/Makefile" ] || [ ! -f openocd-configure.stamp ] ||
   [ "$(cat openocd-configure.stamp)" != "$args" ]; then
	say "configuring OpenOCD (log: openocd-configure.log)"
	mkdir -p "$BLD"
	if ! (cd "$BLD" && "$BUILDDIR/$SRC/configure" "$@") >openocd-configure.log 2>&1; then
		tail -n 40 openocd-configure.log >&2
		die "OpenOCD's configure failed; full log: $BUILDDIR/openocd-configure.log"
	fi
	sed -n '/^OpenOCD configuration summary/,$p' openocd-configure.log
	echo "$args" >openocd-configure.stamp
fi

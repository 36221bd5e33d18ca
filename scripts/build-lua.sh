#!/usr/bin/env bash
# Provides the Lua library Litige links, as the pkg-config package `litige-lua` in .build-lua/pkgconfig.
#
#   scripts/build-lua.sh          a fixed Lua: the system's liblua5.4 when it is 5.4.8 or newer, else
#                                 Lua 5.4.7 from Debian's source package (trixie's lua5.4 5.4.7-1)
#                                 with the three fixes of 5.4.8 a script can reach, built here
#   scripts/build-lua.sh system   the system's liblua5.4 whatever its release (the host then refuses to
#                                 run scripts on a release with script-reachable bugs; see docs/sandbox.md)
#
# Why: Debian 12 ships Lua 5.4.4, which a sandboxed script can crash (the CVE-2022-33099 fix without
# its follow-up 603b2c64: a __concat metamethod that grows the stack reads freed memory) or make
# miscompile; no wrapper can fix a compiler bug. Lua 5.4.7 (trixie) still has two bugs a script can
# reach (upstream 983bc433, a use after free at the memory ceiling; 3fe7be95, a message handler a
# script can overwrite) and one that miscompiles (782ef85b), fixed in 5.4.8, whose source Debian's
# mirrors here do not serve: the script applies those three fixes, each a line or two, and fails if
# the source does not look as expected. Tests/Hostile/LUA-BUGS.md lists every bug. The source comes
# through apt-get with a private sources list and lists folder under .build-lua/, so the system's apt
# is untouched; apt verifies the files' checksums against the signed index. The
# library gets its own name (liblitigelua.a) so that no -L of another package can put the system's
# liblua5.4 in its place.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-fixed}
root=$PWD/.build-lua
minimum=5.4.8          # a system library must be at least this release
version=5.4.7
debian_version=5.4.7-1
build_id=$debian_version+litige1   # the Debian package plus the three fixes below
mkdir -p "$root/pkgconfig"
pc=$root/pkgconfig/litige-lua.pc
# SwiftPM keeps pkg-config's answer until Package.swift changes: when the package changes, say so.
install_pc() {
  if ! cmp -s "$pc.tmp" "$pc"; then
    mv "$pc.tmp" "$pc"
    touch Package.swift
  else
    rm -f "$pc.tmp"
  fi
}

# SwiftPM refuses -D flags from pkg-config, so what the build did is told by a header of its own.
build_header() {  # the defines of litige_lua_build.h
  mkdir -p "$root/build-include"
  { echo "// Written by scripts/build-lua.sh: how the Lua that Litige links was built."
    echo "$1"; } > "$root/build-include/litige_lua_build.h"
}

system_pc() {
  build_header "// The system's liblua5.4, unchanged."
  cat > "$pc.tmp" <<PC
Name: litige-lua
Description: Lua for Litige: the system's liblua5.4 ($(pkg-config --modversion lua5.4))
Version: $(pkg-config --modversion lua5.4)
Cflags: -I$root/build-include $(pkg-config --cflags lua5.4)
Libs: $(pkg-config --libs lua5.4)
PC
  install_pc
}

if [ "$mode" = system ]; then
  pkg-config --exists lua5.4 || { echo "LUA=system needs liblua5.4-dev: apt-get install -y liblua5.4-dev" >&2; exit 1; }
  system_pc
  echo "Lua: the system's liblua5.4 $(pkg-config --modversion lua5.4)"
  exit 0
fi
if pkg-config --atleast-version=$minimum lua5.4 2>/dev/null; then
  system_pc
  echo "Lua: the system's liblua5.4 $(pkg-config --modversion lua5.4) ($minimum or newer)"
  exit 0
fi
if [ -f "$root/lib/liblitigelua.a" ] && [ "$(cat "$root/lib/version" 2>/dev/null)" = "$build_id" ]; then
  : # already built
else
  echo "Lua: building $version from Debian's source package lua5.4 $debian_version, with the fixes of 5.4.8"
  apt_dir=$root/apt
  rm -rf "$apt_dir"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$root/src"
  echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" \
    > "$apt_dir/sources.list"
  apt_options=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o APT::Sandbox::User=root)
  [ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || {
    echo "the Debian archive keyring is missing: apt-get install -y debian-archive-keyring" >&2; exit 1; }
  command -v cc >/dev/null || { echo "a C compiler is needed: apt-get install -y gcc" >&2; exit 1; }
  apt-get -qq "${apt_options[@]}" update
  (cd "$root/src" && apt-get -qq "${apt_options[@]}" source --download-only "lua5.4=$debian_version")
  rm -rf "$root/src/lua-$version"
  tar -xzf "$root/src/lua5.4_$version.orig.tar.gz" -C "$root/src"
  source_dir=$root/src/lua-$version/src
  # The fixes of Lua 5.4.8 that a sandboxed script can reach, as upstream made them.
  fix() {  # FILE, the line to find (exactly once), the text that replaces it
    python3 - "$source_dir/$1" "$2" "$3" <<'PY' || { echo "cannot apply a Lua fix to $1" >&2; exit 1; }
import sys
path, old, new = sys.argv[1:4]
text = open(path).read()
if text.count(old) != 1:
    sys.exit(f"{path}: expected one occurrence of {old!r}, found {text.count(old)}")
open(path, "w").write(text.replace(old, new))
PY
  }
  # 983bc433: an emergency collection could free a weak metatable's __newindex table while
  # luaV_finishset fills it (a use after free at the memory ceiling): anchor it on the stack.
  fix lvm.c "        luaH_finishset(L, h, key, slot, val);  /* set new value */" \
"        sethvalue2s(L, L->top.p, h);  /* anchor 't' (Lua 5.4.8, 983bc433) */
        L->top.p++;  /* assume EXTRA_STACK */
        luaH_finishset(L, h, key, slot, val);  /* set new value */
        L->top.p--;"
  # 3fe7be95: closing a thread ran __close with a stale message handler a local could overwrite,
  # which then ran with hooks off (an uninterruptible loop).
  fix lstate.c "  status = luaD_closeprotected(L, 1, status);" \
"  L->errfunc = 0;  /* stack unwind can throw away the error function (Lua 5.4.8, 3fe7be95) */
  status = luaD_closeprotected(L, 1, status);"
  fix lstate.c "    luaD_closeprotected(L, 1, LUA_OK);  /* close all upvalues */" \
"    L->errfunc = 0;  /* (Lua 5.4.8, 3fe7be95) */
    luaD_closeprotected(L, 1, LUA_OK);  /* close all upvalues */
    L->top.p = L->stack.p + 1;  /* empty the stack to run finalizers */"
  # 782ef85b: wrong code for an index that is a comparison (t[a < b]).
  fix lcode.c "  if (hasjumps(e))
    luaK_exp2anyreg(fs, e);
  else
    luaK_dischargevars(fs, e);" \
"  if (e->k == VJMP || hasjumps(e))  /* (Lua 5.4.8, 782ef85b) */
    luaK_exp2anyreg(fs, e);
  else
    luaK_dischargevars(fs, e);"
  build=$source_dir
  # Debian's flags (debian/patches/0001-build-system.patch, dpkg-buildflags), plus -fPIC.
  cflags=(-std=gnu99 -O2 -g -fPIC -Wall -Wextra -DLUA_COMPAT_5_3 -DLUA_USE_LINUX
    -fstack-protector-strong -Wformat -Werror=format-security -D_FORTIFY_SOURCE=2)
  objects=()
  for source in "$build"/*.c; do
    case "$(basename "$source")" in lua.c | luac.c | onelua.c) continue ;; esac
    cc "${cflags[@]}" -c "$source" -o "${source%.c}.o"
    objects+=("${source%.c}.o")
  done
  # The stand-alone interpreter of the same release, for `make bench`'s stock-Lua baseline.
  cc "${cflags[@]}" -o "$build/lua" "$build/lua.c" "${objects[@]}" -lm -ldl
  mkdir -p "$root/lib" "$root/include" "$root/bin"
  rm -f "$root/lib/liblitigelua.a"
  ar rcs "$root/lib/liblitigelua.a" "${objects[@]}"
  cp "$build"/{lua.h,luaconf.h,lualib.h,lauxlib.h} "$root/include/"
  cp "$build/lua" "$root/bin/lua"
  echo "$build_id" > "$root/lib/version"
fi
build_header "#define LITIGE_LUA_BACKPORTS_548 1  // 983bc433, 3fe7be95 and 782ef85b applied to 5.4.7"
cat > "$pc.tmp" <<PC
prefix=$root
Name: litige-lua
Description: Lua $version for Litige: Debian's lua5.4 $debian_version with the script-reachable fixes of 5.4.8
Version: $version
Cflags: -I\${prefix}/build-include -I\${prefix}/include
Libs: -L\${prefix}/lib -llitigelua -lm -ldl
PC
install_pc
echo "Lua: $version (.build-lua/lib/liblitigelua.a)"

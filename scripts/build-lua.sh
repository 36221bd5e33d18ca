#!/usr/bin/env bash
# Provides the Lua library Litige links, as the pkg-config package `litige-lua` in .build-lua/pkgconfig.
#
#   scripts/build-lua.sh          a fixed Lua (5.4.6 or newer): the system's liblua5.4 when it is recent
#                                 enough, else Lua 5.4.7 built from Debian's own source package
#   scripts/build-lua.sh system   the system's liblua5.4 whatever its release (the host then refuses to
#                                 run scripts on a release with script-reachable bugs; see docs/sandbox.md)
#
# Why: Debian 12 ships Lua 5.4.4, which a sandboxed script can crash (the CVE-2022-33099 fix without
# its follow-up 603b2c64: a __concat metamethod that grows the stack reads freed memory) or make
# miscompile; no wrapper can fix a compiler bug. The source comes from trixie's lua5.4 5.4.7-1 through
# apt-get with a private sources list and lists folder under .build-lua/, so the system's apt is
# untouched; apt verifies the files' checksums against the signed index. The library gets its own name
# (liblitigelua.a) so that no -L of another package can put the system's liblua5.4 in its place.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-fixed}
root=$PWD/.build-lua
version=5.4.7
debian_version=5.4.7-1
mkdir -p "$root/pkgconfig"
pc=$root/pkgconfig/litige-lua.pc

system_pc() {
  cat > "$pc.tmp" <<PC
Name: litige-lua
Description: Lua for Litige: the system's liblua5.4 ($(pkg-config --modversion lua5.4))
Version: $(pkg-config --modversion lua5.4)
Cflags: $(pkg-config --cflags lua5.4)
Libs: $(pkg-config --libs lua5.4)
PC
  mv "$pc.tmp" "$pc"
}

if [ "$mode" = system ]; then
  pkg-config --exists lua5.4 || { echo "LUA=system needs liblua5.4-dev: apt-get install -y liblua5.4-dev" >&2; exit 1; }
  system_pc
  echo "Lua: the system's liblua5.4 $(pkg-config --modversion lua5.4)"
  exit 0
fi
if pkg-config --atleast-version=5.4.6 lua5.4 2>/dev/null; then
  system_pc
  echo "Lua: the system's liblua5.4 $(pkg-config --modversion lua5.4) (5.4.6 or newer)"
  exit 0
fi
if [ -f "$root/lib/liblitigelua.a" ] && [ "$(cat "$root/lib/version" 2>/dev/null)" = "$debian_version" ]; then
  : # already built
else
  echo "Lua: building $version from Debian's source package lua5.4 $debian_version into .build-lua/"
  apt_dir=$root/apt
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
  build=$root/src/lua-$version/src
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
  echo "$debian_version" > "$root/lib/version"
fi
cat > "$pc.tmp" <<PC
prefix=$root
Name: litige-lua
Description: Lua $version for Litige, built from Debian's source package lua5.4 $debian_version
Version: $version
Cflags: -I\${prefix}/include
Libs: -L\${prefix}/lib -llitigelua -lm -ldl
PC
mv "$pc.tmp" "$pc"
echo "Lua: $version (.build-lua/lib/liblitigelua.a)"

// CLua only carries the pkg-config package `litige-lua` (scripts/build-lua.sh writes it): the
// header search path and the library to link. The Lua API and Litige's C shim are imported from
// CLuaShim, whose header includes lua.h, so that the Lua declarations belong to one Clang module.
#ifndef LITIGE_LUA_LINK_H
#define LITIGE_LUA_LINK_H
#endif

// The C side of Litige's Lua embedding: the Lua API, Litige's control block, and wrappers.
//
// Two kinds of code:
//  - `static inline` wrappers for Lua's C macros, which Swift cannot import (lua_pcall, lua_pop, ...),
//    here in the header;
//  - the pieces that must be C because they sit where Lua may `longjmp` (the trampoline that raises an
//    error only after a Swift callback has returned, the allocator that enforces the memory ceiling,
//    the interrupt hook, the sandbox's protected-call wrappers, the bounded library functions), compiled
//    with warnings on in shim.c.
//
// The invariant the whole embedding rests on: Lua raises (longjmp) only while Lua or C code runs
// inside a protected call started by the host. While Swift code runs, `host_depth` is positive and the
// allocator never refuses memory, so no Lua API call made from Swift can raise a memory error; calls
// that could run a metamethod are made raw. The ceiling is checked again by the trampoline once the
// Swift frame is gone.
#ifndef LITIGE_LUA_H
#define LITIGE_LUA_H

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stddef.h>

/// Why the running call must end. Stored atomically: the watchdog thread and signal handlers set it.
enum {
  LITIGE_INTERRUPT_NONE = 0,
  LITIGE_INTERRUPT_TIMEOUT = 1,
  LITIGE_INTERRUPT_MEMORY = 2,
  LITIGE_INTERRUPT_CANCEL = 3,
};

/// The host's callback for a Swift function: returns the number of results it pushed, or -1 to raise
/// the value on top of the stack as an error once the Swift frame has returned.
typedef int (*litige_host_dispatch)(lua_State *L, int function_id);

/// Per-state bookkeeping, owned by the Swift `LuaState` and passed to Lua as the allocator's `ud`.
typedef struct litige_control {
  size_t used;                    // bytes currently allocated by this Lua state
  size_t peak;                    // the most ever allocated at once
  size_t limit;                   // memory ceiling in bytes; 0 means none
  int host_depth;                 // > 0 while Swift code runs: allocations are never refused then
  int force_failure;              // the next growth fails (one shot), to raise a memory error on purpose
  int refused;                    // the last growth request was refused by the ceiling
  void *refused_block;            // that request's block and new size: Lua retries it once after an
  size_t refused_size;            // emergency collection, and its success cancels the memory error
  int interrupt;                  // LITIGE_INTERRUPT_*, accessed atomically
  lua_State *running;             // the thread (main or coroutine) now running, accessed atomically
  lua_State *main_thread;         // the state's main thread
  litige_host_dispatch dispatch;  // where the trampoline sends calls to Swift functions
  void *host;                     // the Swift LuaState, unretained
} litige_control;

// MARK: - Control block access

static inline litige_control *litige_control_of(lua_State *L) {
  void *ud = NULL;
  lua_getallocf(L, &ud);
  return (litige_control *)ud;
}

static inline int litige_interrupt_reason(litige_control *c) {
  return __atomic_load_n(&c->interrupt, __ATOMIC_SEQ_CST);
}

static inline void litige_clear_interrupt(litige_control *c) {
  __atomic_store_n(&c->interrupt, LITIGE_INTERRUPT_NONE, __ATOMIC_SEQ_CST);
}

static inline void litige_set_running(litige_control *c, lua_State *L) {
  __atomic_store_n(&c->running, L, __ATOMIC_SEQ_CST);
}

// MARK: - Compiled in shim.c

/// Creates a state whose allocator enforces `control`'s ceiling; NULL when out of memory.
lua_State *litige_newstate(litige_control *control);

/// Asks the running call to stop. Safe from another thread and from a signal handler: it only stores
/// the reason and installs a hook on the running thread and the main thread, as lua.c does for Ctrl-C.
void litige_request_interrupt(lua_State *main_thread, int reason);

/// The C function Lua calls for every Swift function; upvalue 1 holds the function's id.
int litige_trampoline(lua_State *L);

/// The sandbox's `pcall`, `xpcall`, `coroutine.resume/wrap/close` and `load`: like the base library's,
/// but a timeout, an interruption or a memory error is raised again instead of returned. `load` takes
/// its size cap in bytes as upvalue 1 and never loads binary chunks.
int litige_pcall(lua_State *L);
int litige_xpcall(lua_State *L);
int litige_coroutine_resume(lua_State *L);
int litige_coroutine_wrap(lua_State *L);
int litige_coroutine_close(lua_State *L);
int litige_load(lua_State *L);

/// Pushes the sandbox's version of library function `original` (a C function): one whose C loop
/// looks at the interrupt flag, or whose pointless work is skipped (see shim.c); `which` is one of
/// LITIGE_BOUND_*.
enum {
  LITIGE_BOUND_STRING_REP = 1,
  LITIGE_BOUND_TABLE_MOVE = 2,
  LITIGE_BOUND_TABLE_INSERT = 3,
  LITIGE_BOUND_TABLE_REMOVE = 4,
};
void litige_push_bounded(lua_State *L, lua_CFunction original, int which);

/// A message handler for the host's own protected calls (after lua.c's msghandler). Returns a table
/// {message=, traceback=, source=, line=}; never calls a metamethod unprotected.
int litige_message_handler(lua_State *L);


/// The release of the Lua headers this host was compiled against ("Lua 5.4.7").
const char *litige_lua_release(void);

/// The release number of those headers, 504 * 100 + the release digit (50407 for 5.4.7).
int litige_lua_release_number(void);

// MARK: - Wrappers for Lua's C macros

static inline int litige_registry_index(void) { return LUA_REGISTRYINDEX; }
static inline int litige_upvalue_index(int i) { return lua_upvalueindex(i); }
static inline int litige_pcall_host(lua_State *L, int nargs, int nresults, int handler) {
  return lua_pcall(L, nargs, nresults, handler);
}
static inline void litige_pop(lua_State *L, int n) { lua_pop(L, n); }
static inline void litige_newtable(lua_State *L) { lua_newtable(L); }
static inline const char *litige_tostring(lua_State *L, int index, size_t *length) {
  return lua_tolstring(L, index, length);
}
static inline void litige_insert(lua_State *L, int index) { lua_insert(L, index); }
static inline void litige_remove(lua_State *L, int index) { lua_remove(L, index); }
static inline void litige_replace(lua_State *L, int index) { lua_replace(L, index); }
static inline void litige_pushcfunction(lua_State *L, lua_CFunction f) { lua_pushcfunction(L, f); }
static inline int litige_loadbuffer(lua_State *L, const char *buffer, size_t size, const char *name) {
  return luaL_loadbufferx(L, buffer, size, name, "t");
}
static inline int litige_isinteger(lua_State *L, int index) { return lua_isinteger(L, index); }
/// A full collection (lua_gc is variadic, which Swift cannot call).
/// > lua_gc [-0, +0, -]: it raises no error; errors in finalizers become warnings (manual 2.5.3).
static inline void litige_full_collect(lua_State *L) { lua_gc(L, LUA_GCCOLLECT); }
static inline void litige_push_host_function(lua_State *L, int function_id) {
  lua_pushinteger(L, function_id);
  lua_pushcclosure(L, litige_trampoline, 1);
}

#endif

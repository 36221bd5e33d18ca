// The C side of Litige's Lua embedding.
//
// Two kinds of code live here, both `static inline` so that this system library target needs no
// compiled C file:
//  - thin wrappers for Lua's C macros, which Swift cannot import (lua_pcall, lua_pop, ...);
//  - the few pieces that must be C because they sit where Lua may `longjmp`: the trampoline that
//    raises an error only after a Swift callback has returned, the allocator that enforces the memory
//    ceiling, the interrupt hook, and the sandbox's protected-call wrappers, which keep a timeout or an
//    out-of-memory error from being caught by the script.
//
// The invariant the whole embedding rests on: Lua raises (longjmp) only while Lua code runs inside a
// protected call started by the host. While Swift code runs, `host_depth` is positive and the allocator
// never refuses memory, so no Lua API call made from Swift can raise; the ceiling is checked again by
// the trampoline once the Swift frame is gone.
#ifndef LITIGE_CLUA_SHIM_H
#define LITIGE_CLUA_SHIM_H

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
  int force_failure;              // makes growth fail, to raise a memory error on purpose
  int refused;                    // the last growth request was refused by the ceiling
  int interrupt;                  // LITIGE_INTERRUPT_*, accessed atomically
  lua_State *running;             // the thread (main or coroutine) now running, accessed atomically
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

// MARK: - Allocator with a ceiling (after ltests.c's debug_realloc)

static inline void *litige_allocate(void *ud, void *ptr, size_t osize, size_t nsize) {
  litige_control *c = (litige_control *)ud;
  // > When ptr is NULL, osize encodes the kind of object that Lua is allocating. (manual, lua_Alloc)
  size_t old = ptr ? osize : 0;
  if (nsize == 0) {
    free(ptr);
    c->used -= old;
    return NULL;
  }
  if (nsize > old) {
    size_t growth = nsize - old;
    if (c->force_failure || (c->limit != 0 && c->host_depth == 0 && c->used + growth > c->limit)) {
      c->refused = 1;
      return NULL;
    }
  }
  void *block = realloc(ptr, nsize);
  if (block == NULL) return NULL;
  if (nsize > old) c->refused = 0;
  c->used = c->used - old + nsize;
  if (c->used > c->peak) c->peak = c->used;
  return block;
}

static inline void litige_set_interrupt(litige_control *c, int reason) {
  int expected = LITIGE_INTERRUPT_NONE;
  __atomic_compare_exchange_n(&c->interrupt, &expected, reason, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

/// Whether a failed protected call failed for lack of memory. Besides LUA_ERRMEM, this includes the
/// "not enough memory" runtime error that lauxlib's buffers raise when the allocator refuses them.
static inline int litige_failed_for_memory(lua_State *L, int status) {
  litige_control *c = litige_control_of(L);
  if (status == LUA_ERRMEM) return 1;
  if (status != LUA_ERRRUN || !c->refused || lua_type(L, -1) != LUA_TSTRING) return 0;
  return strcmp(lua_tostring(L, -1), "not enough memory") == 0;
}

/// Raises Lua's own memory error (the preallocated "not enough memory"), from C, never from Swift.
/// `force_failure` stays set until the protected call that catches the error clears it.
static inline int litige_raise_memory_error(lua_State *L) {
  litige_control *c = litige_control_of(L);
  litige_set_interrupt(c, LITIGE_INTERRUPT_MEMORY);
  c->force_failure = 1;
  lua_newuserdatauv(L, 64, 0);  // fails: luaM_error -> LUA_ERRMEM
  c->force_failure = 0;         // not reached
  return 0;
}

// MARK: - Interrupts (after lua.c's lstop/laction)

static inline int litige_check_interrupt(lua_State *L);

/// The hook the watchdog installs when a deadline passes: it raises until the call has unwound.
static inline void litige_interrupt_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  litige_control *c = litige_control_of(L);
  if (litige_interrupt_reason(c) == LITIGE_INTERRUPT_NONE) {
    lua_sethook(L, NULL, 0, 0);  // a stale hook from a call that has already ended
    return;
  }
  litige_check_interrupt(L);
}

static inline void litige_arm_hook(lua_State *L) {
  lua_sethook(L, litige_interrupt_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT, 1);
}

/// Asks the running call to stop. Safe from another thread and from a signal handler: it only stores
/// the reason and installs a hook, as lua.c does for Ctrl-C.
static inline void litige_request_interrupt(lua_State *main_thread, int reason) {
  litige_control *c = litige_control_of(main_thread);
  litige_set_interrupt(c, reason);
  lua_State *running = __atomic_load_n(&c->running, __ATOMIC_SEQ_CST);
  litige_arm_hook(running ? running : main_thread);
}

/// Raises an error if the call has been interrupted; used wherever Lua would otherwise catch it.
static inline int litige_check_interrupt(lua_State *L) {
  litige_control *c = litige_control_of(L);
  switch (litige_interrupt_reason(c)) {
    case LITIGE_INTERRUPT_NONE:
      return 0;
    case LITIGE_INTERRUPT_MEMORY:
      return litige_raise_memory_error(L);
    case LITIGE_INTERRUPT_TIMEOUT:
      litige_arm_hook(L);
      return luaL_error(L, "time limit exceeded");
    default:
      litige_arm_hook(L);
      return luaL_error(L, "interrupted");
  }
}

/// After a protected call inside the script failed: a memory error or an interrupt is not the
/// script's to catch, so it is raised again.
static inline void litige_rethrow_if_fatal(lua_State *L, int status) {
  litige_control *c = litige_control_of(L);
  c->force_failure = 0;
  if (litige_failed_for_memory(L, status)) litige_set_interrupt(c, LITIGE_INTERRUPT_MEMORY);
  litige_check_interrupt(L);
}

// MARK: - Trampoline for Swift functions

/// The C function Lua calls for every Swift function; upvalue 1 holds the function's id.
static inline int litige_trampoline(lua_State *L) {
  litige_control *c = litige_control_of(L);
  int function_id = (int)lua_tointeger(L, lua_upvalueindex(1));
  c->host_depth++;
  int results = c->dispatch(L, function_id);
  c->host_depth--;
  if (results < 0) return lua_error(L);  // the Swift frame is gone: raising is safe now
  if (c->limit != 0 && c->used > c->limit) return litige_raise_memory_error(L);
  return results;
}

static inline void litige_push_host_function(lua_State *L, int function_id) {
  lua_pushinteger(L, function_id);
  lua_pushcclosure(L, litige_trampoline, 1);
}

// MARK: - Sandbox wrappers of the base library (after lbaselib.c and lcorolib.c)

static inline int litige_finish_pcall(lua_State *L, int status, lua_KContext extra) {
  if (status != LUA_OK && status != LUA_YIELD) {
    litige_rethrow_if_fatal(L, status);
    lua_pushboolean(L, 0);
    lua_pushvalue(L, -2);
    return 2;
  }
  return lua_gettop(L) - (int)extra;
}

static inline int litige_pcall(lua_State *L) {
  litige_check_interrupt(L);
  luaL_checkany(L, 1);
  lua_pushboolean(L, 1);
  lua_insert(L, 1);
  int status = lua_pcallk(L, lua_gettop(L) - 2, LUA_MULTRET, 0, 0, litige_finish_pcall);
  return litige_finish_pcall(L, status, 0);
}

/// Runs the script's xpcall message handler unless the call is interrupted. An error raised by the
/// interrupt hook leaves hooks disabled while Lua runs the handler (ldo.c), so a looping handler could
/// never be stopped: once interrupted, the error passes through untouched.
static inline int litige_guarded_handler(lua_State *L) {
  if (litige_interrupt_reason(litige_control_of(L)) != LITIGE_INTERRUPT_NONE) return 1;
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  return 1;
}

static inline int litige_xpcall(lua_State *L) {
  litige_check_interrupt(L);
  int n = lua_gettop(L);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_pushvalue(L, 2);
  lua_pushcclosure(L, litige_guarded_handler, 1);
  lua_replace(L, 2);
  lua_pushboolean(L, 1);
  lua_pushvalue(L, 1);
  lua_rotate(L, 3, 2);
  int status = lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, litige_finish_pcall);
  return litige_finish_pcall(L, status, 2);
}

static inline int litige_resume_thread(lua_State *L, lua_State *co, int narg) {
  int status, nres;
  litige_check_interrupt(L);
  if (!lua_checkstack(co, narg)) {
    lua_pushliteral(L, "too many arguments to resume");
    return -1;
  }
  lua_xmove(L, co, narg);
  litige_control *c = litige_control_of(L);
  // > Order matters for the watchdog: publish the running thread, then look at the interrupt.
  litige_set_running(c, co);
  if (litige_interrupt_reason(c) != LITIGE_INTERRUPT_NONE) litige_arm_hook(co);
  status = lua_resume(co, L, narg, &nres);
  litige_set_running(c, L);
  if (status != LUA_OK && status != LUA_YIELD) litige_rethrow_if_fatal(L, status);
  litige_check_interrupt(L);
  if (status == LUA_OK || status == LUA_YIELD) {
    if (!lua_checkstack(L, nres + 1)) {
      lua_pop(co, nres);
      lua_pushliteral(L, "too many results to resume");
      return -1;
    }
    lua_xmove(co, L, nres);
    return nres;
  }
  lua_xmove(co, L, 1);
  return -1;
}

static inline lua_State *litige_check_coroutine(lua_State *L, int index) {
  lua_State *co = lua_tothread(L, index);
  luaL_argexpected(L, co, 1, "coroutine");
  return co;
}

static inline int litige_coroutine_resume(lua_State *L) {
  lua_State *co = litige_check_coroutine(L, 1);
  int r = litige_resume_thread(L, co, lua_gettop(L) - 1);
  if (r < 0) {
    lua_pushboolean(L, 0);
    lua_insert(L, -2);
    return 2;
  }
  lua_pushboolean(L, 1);
  lua_insert(L, -(r + 1));
  return r + 1;
}

static inline int litige_coroutine_wrapped(lua_State *L) {
  lua_State *co = lua_tothread(L, lua_upvalueindex(1));
  int r = litige_resume_thread(L, co, lua_gettop(L));
  if (r < 0) {
    int stat = lua_status(co);
    if (stat != LUA_OK && stat != LUA_YIELD) {
      stat = lua_resetthread(co);
      lua_xmove(co, L, 1);
    }
    if (stat != LUA_ERRMEM && lua_type(L, -1) == LUA_TSTRING) {
      luaL_where(L, 1);
      lua_insert(L, -2);
      lua_concat(L, 2);
    }
    return lua_error(L);
  }
  return r;
}

static inline int litige_coroutine_wrap(lua_State *L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  lua_State *co = lua_newthread(L);
  lua_pushvalue(L, 1);
  lua_xmove(L, co, 1);
  lua_pushcclosure(L, litige_coroutine_wrapped, 1);
  return 1;
}

/// coroutine.close: its `__close` handlers run Lua code whose errors it returns, so an interrupt
/// raised there is raised again.
static inline int litige_coroutine_close(lua_State *L) {
  litige_check_interrupt(L);
  lua_State *co = litige_check_coroutine(L, 1);
  lua_Debug ar;
  int status = lua_status(co);
  int closable = co != L && (status == LUA_YIELD || (status != LUA_OK) ||
                             (status == LUA_OK && !lua_getstack(co, 0, &ar)));
  if (!closable) {
    return luaL_error(L, "cannot close a %s coroutine", co == L ? "running" : "normal");
  }
  litige_control *c = litige_control_of(L);
  litige_set_running(c, co);
  status = lua_resetthread(co);
  litige_set_running(c, L);
  if (status != LUA_OK) litige_rethrow_if_fatal(L, status);
  litige_check_interrupt(L);
  if (status == LUA_OK) {
    lua_pushboolean(L, 1);
    return 1;
  }
  lua_pushboolean(L, 0);
  lua_xmove(co, L, 1);
  return 2;
}

/// `load` for scripts: text chunks only, a size cap, and an interrupt inside a reader function is not
/// swallowed. Upvalue 1: the size cap in bytes.
static inline const char *litige_generic_reader(lua_State *L, void *ud, size_t *size) {
  (void)ud;
  luaL_checkstack(L, 2, "too many nested functions");
  lua_pushvalue(L, 1);
  lua_call(L, 0, 1);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    *size = 0;
    return NULL;
  } else if (!lua_isstring(L, -1))
    luaL_error(L, "reader function must return a string");
  lua_replace(L, 5);
  return lua_tolstring(L, 5, size);
}

static inline int litige_load(lua_State *L) {
  litige_check_interrupt(L);
  size_t length;
  const char *source = lua_tolstring(L, 1, &length);
  lua_Integer cap = lua_tointeger(L, lua_upvalueindex(1));
  int has_env = !lua_isnone(L, 4);
  int status;
  if (source != NULL) {
    if ((lua_Integer)length > cap) return luaL_error(L, "chunk too large (%d bytes; the limit is %d)", (int)length, (int)cap);
    const char *name = luaL_optstring(L, 2, source);
    status = luaL_loadbufferx(L, source, length, name, "t");
  } else {
    const char *name = luaL_optstring(L, 2, "=(load)");
    luaL_checktype(L, 1, LUA_TFUNCTION);
    lua_settop(L, 5);
    status = lua_load(L, litige_generic_reader, NULL, name, "t");
  }
  if (status != LUA_OK) {
    litige_check_interrupt(L);
    luaL_pushfail(L);
    lua_insert(L, -2);
    return 2;
  }
  if (has_env) {
    lua_pushvalue(L, 4);
    if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
  }
  return 1;
}

/// A message handler for the host's own protected calls (after lua.c's msghandler). Returns a table
/// {message=, traceback=, source=, line=}; never calls a metamethod unprotected.
static inline int litige_message_handler(lua_State *L) {
  const char *message = NULL;
  // Classify a refused allocation before this handler's own allocations clear `refused`.
  if (litige_failed_for_memory(L, LUA_ERRRUN)) litige_set_interrupt(litige_control_of(L), LITIGE_INTERRUPT_MEMORY);
  int type = lua_type(L, 1);
  if (type == LUA_TSTRING || type == LUA_TNUMBER) {
    lua_pushvalue(L, 1);
    message = lua_tostring(L, -1);
  } else if (luaL_getmetafield(L, 1, "__tostring") != LUA_TNIL) {
    lua_pushvalue(L, 1);
    if (lua_pcall(L, 1, 1, 0) == LUA_OK && lua_type(L, -1) == LUA_TSTRING) {
      message = lua_tostring(L, -1);
    } else {
      lua_pop(L, 1);
      message = lua_pushfstring(L, "(error object is a %s value whose __tostring failed)", luaL_typename(L, 1));
    }
  } else {
    message = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  int message_index = lua_gettop(L);
  lua_createtable(L, 0, 4);
  lua_pushvalue(L, message_index);
  lua_setfield(L, -2, "message");
  luaL_traceback(L, L, NULL, 1);
  lua_setfield(L, -2, "traceback");
  lua_Debug ar;
  for (int level = 1; lua_getstack(L, level, &ar); level++) {
    if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0 && strcmp(ar.source, "=sandbox") != 0) {
      lua_pushstring(L, ar.short_src);
      lua_setfield(L, -2, "source");
      lua_pushinteger(L, ar.currentline);
      lua_setfield(L, -2, "line");
      break;
    }
  }
  return 1;
}

static int litige_panic(lua_State *L) {
  const char *message = lua_tostring(L, -1);
  fprintf(stderr, "litige: unprotected Lua error (a bug in the host): %s\n", message ? message : "?");
  abort();
  return 0;
}

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
static inline lua_State *litige_newstate(litige_control *control) {
  lua_State *L = lua_newstate(litige_allocate, control);
  if (L != NULL) {
    lua_atpanic(L, litige_panic);
    litige_set_running(control, L);
  }
  return L;
}

#endif

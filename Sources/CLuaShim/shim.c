// The delicate C of Litige's Lua embedding; see include/litige_lua.h for the invariant it keeps.
#include "litige_lua.h"

#include <litige_lua_build.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/// The metatable that marks the message handler's report tables.
#define LITIGE_REPORT_METATABLE "litige.error_report"
/// How many stack levels the message handler looks through for the script's position.
#define LITIGE_MAX_LOCATION_LEVELS 256

// MARK: - Allocator with a ceiling (after ltests.c's debug_realloc)

static void *litige_allocate(void *ud, void *ptr, size_t osize, size_t nsize) {
  litige_control *c = (litige_control *)ud;
  // > When ptr is NULL, osize encodes the kind of object that Lua is allocating. (manual, lua_Alloc)
  size_t old = ptr ? osize : 0;
  if (nsize == 0) {
    free(ptr);
    c->used -= old;
    return NULL;
  }
  // While Swift runs (host_depth > 0) nothing is refused: a refusal would raise across a Swift frame.
  if (nsize > old && c->host_depth == 0 && c->limit != 0 && c->used + (nsize - old) > c->limit) {
    // > If Lua cannot allocate, it runs a full (emergency) collection and tries again (lmem.c,
    // > tryagain): the refusal stands only if the garbage of earlier calls does not make room.
    // The call is marked as out of memory now, so that no pcall, __close handler or error object
    // can turn the coming memory error into an ordinary one; a retry that succeeds unmarks it.
    int retry = c->refused && c->refused_block == ptr && c->refused_size == nsize;
    c->refused = 1;
    c->refused_block = ptr;
    c->refused_size = nsize;
    if (!retry) {
      int expected = LITIGE_INTERRUPT_NONE;
      __atomic_compare_exchange_n(&c->interrupt, &expected, LITIGE_INTERRUPT_MEMORY, 0, __ATOMIC_SEQ_CST,
                                  __ATOMIC_SEQ_CST);
    }
    return NULL;
  }
  void *block = realloc(ptr, nsize);
  if (block == NULL) return NULL;
  if (nsize > old) {
    if (c->refused && c->refused_block == ptr && c->refused_size == nsize) {
      // The emergency collection made room for the request it retried: no memory error after all.
      int expected = LITIGE_INTERRUPT_MEMORY;
      __atomic_compare_exchange_n(&c->interrupt, &expected, LITIGE_INTERRUPT_NONE, 0, __ATOMIC_SEQ_CST,
                                  __ATOMIC_SEQ_CST);
    }
    c->refused = 0;
  }
  c->used = c->used - old + nsize;
  if (c->used > c->peak) c->peak = c->used;
  return block;
}

static int litige_panic(lua_State *L) {
  const char *message = lua_tostring(L, -1);
  fprintf(stderr, "litige: unprotected Lua error (a bug in the host): %s\n", message ? message : "?");
  abort();
  return 0;
}

lua_State *litige_newstate(litige_control *control) {
  lua_State *L = lua_newstate(litige_allocate, control);
  if (L != NULL) {
    lua_atpanic(L, litige_panic);
    // > luaL_newmetatable [-0, +1, m]: only a memory error, and nothing is refused before the host's
    // > first call (host_depth is 1).
    luaL_newmetatable(L, LITIGE_REPORT_METATABLE);
    lua_pop(L, 1);
    control->main_thread = L;
    litige_set_running(control, L);
    // Generational collection, as the stock lua5.4 program runs: a night builds short-lived tables
    // (case views, ctx, history) by the million, which the young generation frees cheaply. Bug 7 of
    // Tests/Hostile/LUA-BUGS.md (pacing after a full collection) is fixed in the 5.4.7 build.
    // > lua_gc [-0, +0, -] raises no error (manual 4.6).
    lua_gc(L, LUA_GCGEN, 0, 0);
  }
  return L;
}

// scripts/build-lua.sh defines LITIGE_LUA_BACKPORTS_548 when it built 5.4.7 with the fixes of 5.4.8
// that a script can reach (983bc433, 3fe7be95, 782ef85b): the release then counts as 5.4.8's.
#ifdef LITIGE_LUA_BACKPORTS_548
const char *litige_lua_release(void) { return LUA_RELEASE " (with the script-reachable fixes of 5.4.8)"; }
#else
const char *litige_lua_release(void) { return LUA_RELEASE; }
#endif

int litige_lua_release_number(void) {
  int number = LUA_VERSION_NUM * 100 + atoi(LUA_VERSION_RELEASE);
#ifdef LITIGE_LUA_BACKPORTS_548
  if (number == 50407) number = 50408;
#endif
  return number;
}

// MARK: - Interrupts (after lua.c's lstop/laction)

static void litige_set_interrupt(litige_control *c, int reason) {
  int expected = LITIGE_INTERRUPT_NONE;
  __atomic_compare_exchange_n(&c->interrupt, &expected, reason, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

static int litige_check_interrupt(lua_State *L);

/// The hook installed when a call must stop: it raises until the call has unwound.
static void litige_interrupt_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  litige_control *c = litige_control_of(L);
  if (litige_interrupt_reason(c) == LITIGE_INTERRUPT_NONE) {
    lua_sethook(L, NULL, 0, 0);  // a stale hook from a call that has already ended
    return;
  }
  litige_check_interrupt(L);
}

static void litige_arm_hook(lua_State *L) {
  lua_sethook(L, litige_interrupt_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT, 1);
}

void litige_request_interrupt(lua_State *main_thread, int reason) {
  litige_control *c = litige_control_of(main_thread);
  litige_set_interrupt(c, reason);
  lua_State *running = __atomic_load_n(&c->running, __ATOMIC_SEQ_CST);
  // > lua_sethook ... can be called from a signal handler (lua.c's laction relies on it).
  if (running != NULL && running != main_thread) litige_arm_hook(running);
  litige_arm_hook(main_thread);
}

/// Raises a memory error from C (never from Swift). The interrupt flag makes every protected call of
/// the script raise it again, so it ends the host's call whatever the script does.
static int litige_raise_memory_error(lua_State *L) {
  litige_control *c = litige_control_of(L);
  litige_set_interrupt(c, LITIGE_INTERRUPT_MEMORY);
  litige_arm_hook(L);
  lua_pushliteral(L, "not enough memory");
  return lua_error(L);
}

/// Raises an error if the call has been interrupted; used wherever Lua would otherwise catch it.
static int litige_check_interrupt(lua_State *L) {
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
/// script's to catch, so it is raised again. A memory error is known by the flag the allocator sets
/// when it refuses (not by the status: `error("not enough memory")` is LUA_ERRMEM in stock Lua too,
/// and a script may catch its own).
static void litige_rethrow_if_fatal(lua_State *L, int status) {
  (void)status;
  litige_check_interrupt(L);
}

// MARK: - Trampoline for Swift functions

int litige_trampoline(lua_State *L) {
  litige_control *c = litige_control_of(L);
  int function_id = (int)lua_tointeger(L, lua_upvalueindex(1));
  c->host_depth++;
  int results = c->dispatch(L, function_id);
  c->host_depth--;
  if (results < 0) return lua_error(L);  // the Swift frame is gone: raising is safe now
  // Only the outermost host frame checks the ceiling: a host function may run nested inside a Swift
  // push (a finalizer run by a collection step), and raising there would cross that Swift frame.
  if (c->host_depth == 0 && c->limit != 0 && c->used > c->limit) {
    // What the Swift function allocated may be garbage already; only live memory counts.
    // > lua_gc [-0, +0, -] ... This function does not raise errors (manual 4.6; finalizer errors
    // > become warnings).
    lua_gc(L, LUA_GCCOLLECT);
    if (c->used > c->limit) return litige_raise_memory_error(L);
  }
  return results;
}

// MARK: - Sandbox wrappers of the base library (after lbaselib.c and lcorolib.c)

static int litige_finish_pcall(lua_State *L, int status, lua_KContext extra) {
  if (status != LUA_OK && status != LUA_YIELD) {
    litige_rethrow_if_fatal(L, status);
    lua_pushboolean(L, 0);
    lua_pushvalue(L, -2);
    return 2;
  }
  return lua_gettop(L) - (int)extra;
}

int litige_pcall(lua_State *L) {
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
static int litige_guarded_handler(lua_State *L) {
  if (litige_interrupt_reason(litige_control_of(L)) != LITIGE_INTERRUPT_NONE) return 1;
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  return 1;
}

int litige_xpcall(lua_State *L) {
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

/// Closes a coroutine's pending to-be-closed variables with the watchdog pointed at it: its `__close`
/// handlers run Lua code that must stay interruptible.
static int litige_close_thread(lua_State *L, lua_State *co) {
  litige_control *c = litige_control_of(L);
  litige_set_running(c, co);
  if (litige_interrupt_reason(c) != LITIGE_INTERRUPT_NONE) litige_arm_hook(co);
#if LUA_VERSION_RELEASE_NUM >= 50406
  int status = lua_closethread(co, L);
#else
  int status = lua_resetthread(co);
#endif
  litige_set_running(c, L);
  return status;
}

static int litige_resume_thread(lua_State *L, lua_State *co, int narg) {
  int status, nres;
  litige_check_interrupt(L);
  if (!lua_checkstack(co, narg)) {
    lua_pushliteral(L, "too many arguments to resume");
    return -1;
  }
  lua_xmove(L, co, narg);
  litige_control *c = litige_control_of(L);
  // Order matters for the watchdog: publish the running thread, then look at the interrupt.
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

static lua_State *litige_check_coroutine(lua_State *L, int index) {
  lua_State *co = lua_tothread(L, index);
  luaL_argexpected(L, co, 1, "coroutine");
  return co;
}

int litige_coroutine_resume(lua_State *L) {
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

static int litige_coroutine_wrapped(lua_State *L) {
  lua_State *co = lua_tothread(L, lua_upvalueindex(1));
  int r = litige_resume_thread(L, co, lua_gettop(L));
  if (r < 0) {
    int stat = lua_status(co);
    if (stat != LUA_OK && stat != LUA_YIELD) {
      stat = litige_close_thread(L, co);
      if (stat != LUA_OK) litige_rethrow_if_fatal(L, stat);
      litige_check_interrupt(L);
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

int litige_coroutine_wrap(lua_State *L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  lua_State *co = lua_newthread(L);
  lua_pushvalue(L, 1);
  lua_xmove(L, co, 1);
  lua_pushcclosure(L, litige_coroutine_wrapped, 1);
  return 1;
}

int litige_coroutine_close(lua_State *L) {
  litige_check_interrupt(L);
  lua_State *co = litige_check_coroutine(L, 1);
  lua_Debug ar;
  int status = lua_status(co);
  int closable = co != L && (status == LUA_YIELD || (status != LUA_OK) ||
                             (status == LUA_OK && !lua_getstack(co, 0, &ar)));
  if (!closable) {
    return luaL_error(L, "cannot close a %s coroutine", co == L ? "running" : "normal");
  }
  status = litige_close_thread(L, co);
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

// MARK: - load

typedef struct litige_reader_state {
  size_t total;       // bytes the reader returned so far
  size_t cap;         // the sandbox's source size cap
  int refuse_binary;  // the mode allows binary chunks: refuse one explicitly
} litige_reader_state;

static int litige_is_binary(const char *bytes, size_t length) {
  return length > 0 && bytes[0] == LUA_SIGNATURE[0];
}

/// `load`'s reader (after lbaselib.c's generic_reader), counting bytes against the cap.
static const char *litige_generic_reader(lua_State *L, void *ud, size_t *size) {
  litige_reader_state *state = (litige_reader_state *)ud;
  luaL_checkstack(L, 2, "too many nested functions");
  lua_pushvalue(L, 1);
  lua_call(L, 0, 1);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    *size = 0;
    return NULL;
  } else if (!lua_isstring(L, -1)) {
    luaL_error(L, "reader function must return a string");
  }
  lua_replace(L, 5);
  const char *piece = lua_tolstring(L, 5, size);
  if (state->total == 0 && state->refuse_binary && litige_is_binary(piece, *size)) {
    luaL_error(L, "attempt to load a binary chunk (not allowed in the sandbox)");
  }
  state->total += *size;
  if (state->total > state->cap) {
    luaL_error(L, "chunk too large (more than %I bytes)", (LUAI_UACINT)state->cap);
  }
  return piece;
}

/// An error raised inside a `load` reader went through the message handler in force (lua_load's
/// protected parser uses the current one), which made it the host's report table: give the script
/// the plain message, as stock Lua would.
static void litige_unwrap_report(lua_State *L) {
  if (lua_type(L, -1) != LUA_TTABLE || !lua_getmetatable(L, -1)) return;
  luaL_getmetatable(L, LITIGE_REPORT_METATABLE);
  int is_report = lua_rawequal(L, -1, -2);
  lua_pop(L, 2);
  if (!is_report) return;
  lua_pushliteral(L, "message");
  lua_rawget(L, -2);
  lua_remove(L, -2);
}

int litige_load(lua_State *L) {
  litige_check_interrupt(L);
  size_t length;
  const char *source = lua_tolstring(L, 1, &length);
  const char *mode = luaL_optstring(L, 3, "bt");
  // Scripts load text only: a mode allowing text loads as "t" (a binary chunk then gets Lua's own
  // "attempt to load a binary chunk" message); a mode without 't' keeps its stock refusal of text.
  int allows_text = strchr(mode, 't') != NULL;
  const char *effective_mode = allows_text ? "t" : mode;
  litige_reader_state state = {0, (size_t)lua_tointeger(L, lua_upvalueindex(1)), !allows_text};
  int has_env = !lua_isnone(L, 4);
  int status;
  if (source != NULL) {
    const char *name = luaL_optstring(L, 2, source);
    if (length > state.cap) {
      luaL_pushfail(L);
      lua_pushfstring(L, "chunk too large (%I bytes; the limit is %I)", (LUAI_UACINT)length,
                      (LUAI_UACINT)state.cap);
      return 2;
    }
    if (state.refuse_binary && litige_is_binary(source, length)) {
      luaL_pushfail(L);
      lua_pushliteral(L, "attempt to load a binary chunk (not allowed in the sandbox)");
      return 2;
    }
    status = luaL_loadbufferx(L, source, length, name, effective_mode);
  } else {
    const char *name = luaL_optstring(L, 2, "=(load)");
    luaL_checktype(L, 1, LUA_TFUNCTION);
    lua_settop(L, 5);
    status = lua_load(L, litige_generic_reader, &state, name, effective_mode);
  }
  if (status != LUA_OK) {
    litige_rethrow_if_fatal(L, status);
    litige_unwrap_report(L);
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

// MARK: - Library functions whose C loops must stay interruptible

// table.insert, table.remove and table.move shift elements in a C loop that no hook reaches, and a
// __len may claim any length: `table.insert(setmetatable({}, {__len = ...}), 1, x)` would loop 2^63
// times. These are ltablib.c's functions (Lua 5.4.7, MIT licence, PUC-Rio) with one change: the loop
// looks at the interrupt flag every LITIGE_CHECK_EVERY steps, so the call's time limit ends it.
// string.rep("", n) copies nothing n times; its result is "" at once.
#define LITIGE_CHECK_EVERY 4096
#define LITIGE_TAB_R 1
#define LITIGE_TAB_W 2
#define LITIGE_TAB_L 4

static int litige_check_field(lua_State *L, const char *key, int n) {
  lua_pushstring(L, key);
  return (lua_rawget(L, -n) != LUA_TNIL);
}

static void litige_check_table(lua_State *L, int arg, int what) {
  if (lua_type(L, arg) != LUA_TTABLE) {
    int n = 1;
    if (lua_getmetatable(L, arg) &&
        (!(what & LITIGE_TAB_R) || litige_check_field(L, "__index", ++n)) &&
        (!(what & LITIGE_TAB_W) || litige_check_field(L, "__newindex", ++n)) &&
        (!(what & LITIGE_TAB_L) || litige_check_field(L, "__len", ++n))) {
      lua_pop(L, n);
    } else {
      luaL_checktype(L, arg, LUA_TTABLE);
    }
  }
}

static lua_Integer litige_table_length(lua_State *L, int arg, int what) {
  litige_check_table(L, arg, what | LITIGE_TAB_L);
  return luaL_len(L, arg);
}

/// Raises the pending interrupt, if any, every LITIGE_CHECK_EVERY steps of a C loop.
static void litige_loop_step(lua_State *L, lua_Integer step) {
  if ((step % LITIGE_CHECK_EVERY) == 0) litige_check_interrupt(L);
}

static int litige_table_insert(lua_State *L) {
  lua_Integer pos;
  lua_Integer e = litige_table_length(L, 1, LITIGE_TAB_R | LITIGE_TAB_W);
  e = (lua_Integer)((lua_Unsigned)e + 1u);  // first empty element
  switch (lua_gettop(L)) {
    case 2:
      pos = e;
      break;
    case 3: {
      lua_Integer i;
      pos = luaL_checkinteger(L, 2);
      luaL_argcheck(L, (lua_Unsigned)pos - 1u < (lua_Unsigned)e, 2, "position out of bounds");
      for (i = e; i > pos; i--) {
        litige_loop_step(L, i);
        lua_geti(L, 1, i - 1);
        lua_seti(L, 1, i);
      }
      break;
    }
    default:
      return luaL_error(L, "wrong number of arguments to 'insert'");
  }
  lua_seti(L, 1, pos);
  return 0;
}

static int litige_table_remove(lua_State *L) {
  lua_Integer size = litige_table_length(L, 1, LITIGE_TAB_R | LITIGE_TAB_W);
  lua_Integer pos = luaL_optinteger(L, 2, size);
  if (pos != size) {
    luaL_argcheck(L, (lua_Unsigned)pos - 1u <= (lua_Unsigned)size, 2, "position out of bounds");
  }
  lua_geti(L, 1, pos);
  for (; pos < size; pos++) {
    litige_loop_step(L, pos);
    lua_geti(L, 1, pos + 1);
    lua_seti(L, 1, pos);
  }
  lua_pushnil(L);
  lua_seti(L, 1, pos);
  return 1;
}

static int litige_table_move(lua_State *L) {
  lua_Integer f = luaL_checkinteger(L, 2);
  lua_Integer e = luaL_checkinteger(L, 3);
  lua_Integer t = luaL_checkinteger(L, 4);
  int tt = !lua_isnoneornil(L, 5) ? 5 : 1;
  litige_check_table(L, 1, LITIGE_TAB_R);
  litige_check_table(L, tt, LITIGE_TAB_W);
  if (e >= f) {
    lua_Integer n, i;
    luaL_argcheck(L, f > 0 || e < LUA_MAXINTEGER + f, 3, "too many elements to move");
    n = e - f + 1;
    luaL_argcheck(L, t <= LUA_MAXINTEGER - n + 1, 4, "destination wrap around");
    if (t > e || t <= f || (tt != 1 && !lua_compare(L, 1, tt, LUA_OPEQ))) {
      for (i = 0; i < n; i++) {
        litige_loop_step(L, i);
        lua_geti(L, 1, f + i);
        lua_seti(L, tt, t + i);
      }
    } else {
      for (i = n - 1; i >= 0; i--) {
        litige_loop_step(L, i);
        lua_geti(L, 1, f + i);
        lua_seti(L, tt, t + i);
      }
    }
  }
  lua_pushvalue(L, tt);
  return 1;
}

static int litige_string_rep(lua_State *L) {
  size_t l = 0, lsep = 0;
  luaL_checklstring(L, 1, &l);
  lua_Integer n = luaL_checkinteger(L, 2);
  luaL_optlstring(L, 3, "", &lsep);
  if (n > 0 && l == 0 && lsep == 0) {
    lua_pushliteral(L, "");
    return 1;
  }
  return ((lua_CFunction)lua_tocfunction(L, lua_upvalueindex(1)))(L);
}

void litige_push_bounded(lua_State *L, lua_CFunction original, int which) {
  switch (which) {
    case LITIGE_BOUND_STRING_REP:
      lua_pushcfunction(L, original);
      lua_pushcclosure(L, litige_string_rep, 1);
      return;
    case LITIGE_BOUND_TABLE_MOVE:
      lua_pushcfunction(L, litige_table_move);
      return;
    case LITIGE_BOUND_TABLE_INSERT:
      lua_pushcfunction(L, litige_table_insert);
      return;
    case LITIGE_BOUND_TABLE_REMOVE:
      lua_pushcfunction(L, litige_table_remove);
      return;
    default:
      lua_pushcfunction(L, original);
  }
}

// MARK: - Message handler

int litige_message_handler(lua_State *L) {
  const char *message = NULL;
  int type = lua_type(L, 1);
  if (type == LUA_TSTRING || type == LUA_TNUMBER) {
    lua_pushvalue(L, 1);
    message = lua_tostring(L, -1);
  } else if (litige_interrupt_reason(litige_control_of(L)) == LITIGE_INTERRUPT_NONE &&
             luaL_getmetafield(L, 1, "__tostring") != LUA_TNIL) {
    // The error object's __tostring is script code: it runs protected, and not at all once the call
    // was interrupted (hooks are off while a message handler runs, so a loop there could not stop).
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
  (void)message;
  int message_index = lua_gettop(L);
  lua_createtable(L, 0, 4);
  luaL_setmetatable(L, LITIGE_REPORT_METATABLE);
  lua_pushvalue(L, message_index);
  lua_setfield(L, -2, "message");
  // > luaL_traceback ... shows at most the first 10 and the last 11 levels (lauxlib.c, LEVELS1/2).
  luaL_traceback(L, L, NULL, 1);
  lua_setfield(L, -2, "traceback");
  lua_Debug ar;
  for (int level = 1; level <= LITIGE_MAX_LOCATION_LEVELS && lua_getstack(L, level, &ar); level++) {
    // Chunks named "=..." are the host's own (the sandbox prelude, the REPL's helpers); scripts' chunks
    // are named "@file".
    if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0 && ar.source[0] != '=') {
      lua_pushstring(L, ar.short_src);
      lua_setfield(L, -2, "source");
      lua_pushinteger(L, ar.currentline);
      lua_setfield(L, -2, "line");
      break;
    }
  }
  return 1;
}

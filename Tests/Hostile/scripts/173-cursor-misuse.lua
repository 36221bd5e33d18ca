-- hostile: crash: misuses the iterator of litige.cases (wrong state, exhausted cursor, cursor as a case, iterator of another cursor).
-- expect: ok
local next_case, cursor = litige.cases{}
local _, other = litige.cases{ active = true }
local probes = {
  function() return next_case() end,
  function() return next_case(nil) end,
  function() return next_case({}) end,
  function() return next_case(case or litige.case(1)) end,
  function() return next_case(other) end,
  function() return cursor.id end,
  function() return cursor:tag("x") end,
  function() cursor.position = 0 end,
  function() return tostring(cursor) end,
}
for _, probe in ipairs(probes) do pcall(probe) end
local seen = 0
for c in next_case, cursor do seen = seen + 1 if seen > 3 then break end end
for _ = 1, 3 do pcall(next_case, cursor) end

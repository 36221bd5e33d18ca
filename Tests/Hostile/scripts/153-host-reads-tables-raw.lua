-- hostile: range: passes a decision a table whose only in_days comes from __index (and whose __pairs lies), to make the host run script code or trust metamethods.
-- expect: error: days
local c = case or litige.case(1)
local args = setmetatable({ reason = "lying metamethods" }, {
  __index = function(_, key) if key == "in_days" then return 3 end end,
  __pairs = function() error("ESCAPED: the host ran __pairs", 0) end,
  __len = function() error("ESCAPED: the host ran __len", 0) end,
})
c:follow_up(args)
error("ACCEPTED: the core took the value", 0)

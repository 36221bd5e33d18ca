-- hostile: range: passes a table that pretends to be a date through __tostring, __eq, __len, __concat and __index.
-- expect: error: deadline
local c = case or litige.case(1)
local liar = setmetatable({}, {
  __tostring = function() return "2026-12-31" end, __eq = function() return true end,
  __len = function() return 10 end, __concat = function() return "2026-12-31" end,
  __index = function() return "2026-12-31" end, __lt = function() return false end,
})
c:set_deadline(liar, "a table dressed as a date")
error("ACCEPTED: the core took the value", 0)

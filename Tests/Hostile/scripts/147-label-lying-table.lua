-- hostile: range: adds a tag that is a table pretending to be the string "vip" (__tostring, __eq, __len, __concat).
-- expect: error: tag
local c = case or litige.case(1)
local liar = setmetatable({}, {
  __tostring = function() return "vip" end, __eq = function() return true end,
  __len = function() return 3 end, __concat = function() return "vip" end,
})
c:tag(liar, "a table dressed as a label")
error("ACCEPTED: the core took the value", 0)

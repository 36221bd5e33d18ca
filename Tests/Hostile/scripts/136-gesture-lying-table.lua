-- hostile: range: proposes a voucher whose amount is a table that pretends to be a number (__tostring, __tonumber-like __index, arithmetic and comparison metamethods).
-- expect: error: amount
local c = case or litige.case(1)
local function five() return 5 end
local liar = setmetatable({}, {
  __tostring = function() return "5" end, __index = five, __len = five, __unm = five,
  __add = five, __mul = five, __lt = function() return true end, __le = function() return true end,
})
c:propose_gesture{ kind = "voucher", amount = liar, reason = "a table dressed as a number" }
error("ACCEPTED: the core took the value", 0)

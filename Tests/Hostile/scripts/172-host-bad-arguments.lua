-- hostile: crash: calls every litige function with missing, wrong-typed and extreme arguments (nil, tables, NaN, huge integers, NUL bytes, invalid UTF-8).
-- expect: ok
local odd = { nil, {}, 0 / 0, math.huge, math.maxinteger, math.mininteger, -1, 0.5, "", "\0", "\xff\xfe", ("9"):rep(5000), true, print }
local names = { "case", "cases", "invoice", "customer", "now", "today", "date", "add_days", "days_between", "gesture_cap" }
local calls = 0
for _, name in ipairs(names) do
  local f = litige[name]
  assert(type(f) == "function", "litige." .. name .. " should exist")
  for i = 1, 14 do
    for j = 1, 14, 3 do
      pcall(f, odd[i], odd[j])
      calls = calls + 1
    end
  end
  pcall(f)
end
pcall(litige.log, "\0", "\xff\xfe", 0 / 0, math.mininteger, {}, print)
assert(calls == 700, "every call should have been tried")

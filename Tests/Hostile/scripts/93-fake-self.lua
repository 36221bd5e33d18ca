-- hostile: escape: calls a case method with something else than a case as self (a table, a string, a customer, a cursor, nil), hoping to decide on a forged object.
-- expect: ok
local c = case or litige.case(1)
local tag = c.tag
local _, cursor = litige.cases{}
local fakes = { {}, "1", 1, c.customer, cursor, setmetatable({ id = 1 }, { __index = c }), false }
for i = 1, 7 do
  local ok, message = pcall(tag, fakes[i], "forged", "a forged self")
  if ok then error("ESCAPED: a decision was made on fake self " .. i .. " (" .. type(fakes[i]) .. ")", 0) end
  assert(tostring(message):find("bad self"), "fake self " .. i .. " should be refused as a bad self")
end
local ok = pcall(tag)
if ok then error("ESCAPED: a decision was made without a self", 0) end

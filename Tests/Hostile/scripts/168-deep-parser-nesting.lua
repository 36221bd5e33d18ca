-- hostile: crash: compiles expressions nested 100,000 deep (parentheses, table constructors, concatenations, blocks), recursion inside the C parser.
-- expect: ok
local n = 100000
local sources = {
  "return " .. ("("):rep(n) .. "1" .. (")"):rep(n),
  "return " .. ("{"):rep(n) .. ("}"):rep(n),
  "return " .. ("'a'.."):rep(n) .. "'a'",
  ("do "):rep(n) .. ("end "):rep(n),
  "return " .. ("- "):rep(n) .. "1",
  "local a = " .. ("function() return "):rep(n / 10) .. "1" .. (" end"):rep(n / 10),
}
for i, source in ipairs(sources) do
  local ok, f = pcall(load, source)
  assert(ok, "load itself should not raise for source " .. i)
  assert(f == nil, "nesting " .. i .. " should be refused by the parser's limits")
end

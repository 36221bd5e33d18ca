-- hostile: crash: Lua 5.4.4 bug Wrong line number for function calls (bugs.html 5.4.6 #3, commit 5ab6a575)
-- expect: ok
-- A call whose arguments start on a later line than the called expression is reported at
-- the line where the expression starts, not at the line of the '(' of the call.
local function lineof(code)
  local ok, msg = pcall(assert(load(code, "=calls", "t", {})))
  assert(not ok)
  return tonumber(string.match(msg, "^calls:(%d+):")), msg
end
local l, msg = lineof("\nfoo\n(\n0\n)\n")
assert(l == 3, msg)
l, msg = lineof("local a = {x = 13}\na\n.\nx\n(\n23\n)\n")
assert(l == 5, msg)

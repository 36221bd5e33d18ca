-- hostile: crash: Lua 5.4.4 bug Wrong line in error message for arithmetic errors (bugs.html 5.4.4 #10, commit 02bab9fc)
-- expect: ok
-- Integer modulo/floor division by zero raise without saving the pc: the error names an
-- earlier line, and L->top is stale while the error is raised (an assertion in debug builds).
local function lineof(code)
  local f = assert(load(code, "=arith", "t", {}))
  local ok, msg = pcall(f)
  assert(not ok)
  return tonumber(string.match(msg, "^arith:(%d+):")), msg
end
local l, msg = lineof("local a = 0\nlocal b = 1\nlocal c = b % a\n")
assert(l == 3, msg)
l, msg = lineof("local a = 0\nlocal b = 1\nlocal c = b // a\n")
assert(l == 3, msg)
l, msg = lineof("local a = 1\nlocal b = 2\nlocal c = a + b\nreturn c % 0\n")
assert(l == 4, msg)

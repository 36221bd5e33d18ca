-- hostile: crash: Lua 5.4.4 bug 'break' may not properly close variable in a 'for' loop (bugs.html 5.4.4 #6, commit 997f11f5)
-- expect: ok
-- A generic 'for' with a closing value (4th value) whose body creates an upvalue: the
-- compiler emits the OP_CLOSE for 'break' at the wrong level, so the closing value's
-- __close never runs (a resource the script's code relies on being released is leaked).
local closed = 0
local o = setmetatable({}, {__close = function() closed = closed + 1 end})
local function test()
  for k, v in next, {}, nil, o do
    local function f() return k end   -- an upvalue in the loop body
    break
  end
  return closed
end
assert(test() == 1, "to-be-closed loop value not closed by 'break'")
for k in next, { 1 }, nil, o do
  local function g() return k end
  break
end
assert(closed == 2, "to-be-closed loop value not closed by 'break' (top level)")

-- hostile: crash: Lua 5.4.4 bug Wrong code generation for constants in bitwise operations (bugs.html 5.4.4 #3, commit c764ca71)
-- expect: ok
-- With more than 255 constants in a function, a folded constant operand such as (2 or 3) is
-- put in the constant table but coded as a register: the operation reads a stack slot.
local code = { "local x = {" }
for i = 1, 257 do code[#code + 1] = i .. ".1," end
code[#code + 1] = "}; "
code = table.concat(code)
local function check(expression, expected)
  local f = assert(load(code .. "return " .. expression, "=bitwise", "t", {}))
  local ok, value = pcall(f)
  assert(ok and value == expected, expression .. " gave " .. tostring(value))
end
check("(1 ~ (2 or 3))", 1 ~ 2)
check("(1 | (2 or 3))", 1 | 2)
check("(1 & (3 or 4))", 1 & 3)
check("(1 << (2 or 3))", 1 << 2)
check("(1 + (2 or 3))", 1 + 2)

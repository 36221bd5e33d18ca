-- hostile: semantics: to-be-closed variables close in reverse order on normal exit, break, return and error, and an error in __close replaces the original one.
-- expect: ok
local log = {}
local function closer(name) return setmetatable({}, { __close = function(_, err) log[#log + 1] = name .. (err and "!" or "") end }) end
do
  local a <close> = closer("a")
  local b <close> = closer("b")
end
for i = 1, 3 do
  local c <close> = closer("loop" .. i)
  if i == 2 then break end
end
local function early() local d <close> = closer("d") return "r" end
assert(early() == "r")
local ok = pcall(function() local e <close> = closer("e") error("boom") end)
assert(not ok)
assert(table.concat(log, ",") == "b,a,loop1,loop2,d,e!", table.concat(log, ","))
local ok2, message2 = pcall(function()
  local f <close> = setmetatable({}, { __close = function() error("from close", 0) end })
  error("original", 0)
end)
assert(not ok2 and message2 == "from close", tostring(message2))
assert(not pcall(load("local x <close> = 42")), "a value without __close cannot be to-be-closed")
local nothing <close> = nil
local falsy <close> = false

-- hostile: escape: inspects the string metatable's view (raw fields, its own metatable, rawequal games) to reach the real metatable or string library.
-- expect: ok
local mt = getmetatable("")
assert(type(mt) == "table", "strings keep a metatable")
if rawget(mt, "__index") ~= nil then error("ESCAPED: the view holds the real fields raw", 0) end
if getmetatable(mt) ~= false and getmetatable(mt) ~= nil then error("ESCAPED: the view's metatable is visible", 0) end
if pcall(setmetatable, mt, {}) then error("ESCAPED: the view's metatable was replaced", 0) end
if pcall(setmetatable, "", {}) then error("ESCAPED: setmetatable on a string", 0) end
assert(rawequal(mt.__index, string), "the string methods are the string library")
assert(rawequal(getmetatable("a"), getmetatable("b")), "all strings share one metatable")
for key, value in pairs(mt.__index) do
  if key == "dump" then error("ESCAPED: string.dump in the methods of strings", 0) end
  if type(value) ~= "function" then error("ESCAPED: a non-function in the string library: " .. tostring(key), 0) end
end

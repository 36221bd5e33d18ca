-- hostile: escape: looks for string.dump through the global, the string metatable, a string value, pairs over the library and require.
-- expect: ok
local seen = { string.dump, ("").dump, getmetatable("").__index.dump, require("string").dump }
for key, value in pairs(string) do
  if key == "dump" then seen[5] = value end
end
for i = 1, 5 do
  if seen[i] ~= nil then error("ESCAPED: string.dump reachable by path " .. i, 0) end
end

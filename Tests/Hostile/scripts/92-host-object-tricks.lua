-- hostile: escape: pokes at a case object (its metatable, raw access, setmetatable, metamethod names as fields) to reach the host's class table.
-- expect: ok
local c = case or litige.case(1)
assert(c ~= nil, "case 1 exists in the demo workspace")
if type(getmetatable(c)) == "table" then error("ESCAPED: the class metatable of a case is visible", 0) end
local reads = {
  function() return rawget(c, "id") end,
  function() return c.__index end,
  function() return c.__gc end,
  function() return c.__newindex end,
  function() return c.__metatable end,
}
for i, read in ipairs(reads) do
  local ok, value = pcall(read)
  if ok and value ~= nil then error("ESCAPED: read " .. i .. " returned a " .. type(value), 0) end
end
local writes = {
  function() rawset(c, "id", 0) end,
  function() setmetatable(c, {}) end,
  function() c.__index = print end,
  function() c.id = 0 end,
}
for i, write in ipairs(writes) do
  if pcall(write) then error("ESCAPED: write " .. i .. " on a case was accepted", 0) end
end

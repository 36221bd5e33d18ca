-- hostile: escape: plays with _ENV (its metatable, a replaced _ENV, rawget, _G chains) to reach the shared table behind the globals.
-- expect: ok
if getmetatable(_ENV) ~= false and getmetatable(_ENV) ~= nil then
  error("ESCAPED: the environment's metatable is visible", 0)
end
assert(_G == _ENV and _G._G == _G, "_G is the script's own environment")
for _, name in ipairs{ "io", "debug", "package", "dofile", "loadfile" } do
  if rawget(_ENV, name) ~= nil or _ENV[name] ~= nil then error("ESCAPED: _ENV." .. name, 0) end
end
local shared = nil
for _, v in pairs(_ENV) do
  if type(v) == "table" and v ~= _ENV and rawget(v, "print") and rawget(v, "string") then shared = v end
end
if shared then error("ESCAPED: pairs(_ENV) handed out the shared globals", 0) end
do
  local _ENV = setmetatable({}, { __index = _ENV })
  if io or debug or package then error("ESCAPED: a fresh _ENV found a host library", 0) end
end

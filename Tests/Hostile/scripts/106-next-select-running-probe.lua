-- hostile: leak: looks for a writable table behind the libraries with next, select, ipairs and coroutine.running, and writes into whatever it finds.
-- expect: ok
local libraries = { string = string, table = table, math = math, os = os, coroutine = coroutine, utf8 = utf8, litige = litige }
libraries.strmeta = getmetatable("")
for name, lib in pairs(libraries) do
  local key, value = next(lib)
  if key ~= nil then error("ESCAPED: next(" .. name .. ") sees raw fields of the view", 0) end
  local state = select(2, pairs(lib))
  if state ~= lib and type(state) == "table" then error("ESCAPED: pairs(" .. name .. ") returned another table", 0) end
  for _, v in ipairs(lib) do
    if type(v) == "table" and pcall(rawset, v, "x", 1) then error("ESCAPED: ipairs(" .. name .. ") gave a writable table", 0) end
  end
  for k, v in pairs(lib) do
    if type(v) == "table" and pcall(rawset, v, "probe", 1) then error("ESCAPED: " .. name .. "." .. tostring(k) .. " is writable", 0) end
  end
end
local thread = coroutine.running()
if pcall(rawset, thread, "x", 1) or pcall(setmetatable, thread, {}) or type(getmetatable(thread)) == "table" then
  error("ESCAPED: the running thread carries writable state", 0)
end

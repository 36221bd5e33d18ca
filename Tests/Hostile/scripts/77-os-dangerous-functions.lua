-- hostile: escape: looks for os.execute, os.exit, os.getenv, os.remove, os.rename, os.tmpname, os.setlocale and warn, directly and through require("os").
-- expect: ok
local names = { "execute", "exit", "getenv", "remove", "rename", "tmpname", "setlocale" }
local views = { os, _G.os, require("os"), select(2, pcall(load("return os"))) }
for _, view in ipairs(views) do
  for _, name in ipairs(names) do
    if type(view) == "table" and view[name] ~= nil then error("ESCAPED: os." .. name .. " is reachable", 0) end
  end
end
if warn ~= nil or rawget(_G, "warn") ~= nil then error("ESCAPED: warn is reachable", 0) end
for _, name in ipairs{ "clock", "time", "date", "difftime" } do
  assert(type(os[name]) == "function", "os." .. name .. " should stay available")
end

-- hostile: escape: tries to read a file through dofile, loadfile and load of a path, the classic ways to reach the disk.
-- expect: ok
if dofile ~= nil or loadfile ~= nil or _G.dofile ~= nil or _G.loadfile ~= nil then
  error("ESCAPED: dofile or loadfile is reachable", 0)
end
-- load takes source text, never a path: a path is a syntax error.
local f = load("/etc/passwd")
if f ~= nil then error("ESCAPED: load compiled a path", 0) end
local g = load("return ...", "@/etc/passwd")
if g ~= nil and g() ~= nil then error("ESCAPED: load read a file named in its chunk name", 0) end

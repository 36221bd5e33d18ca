-- hostile: escape: looks for debug and package (and their loaders) as globals, through _G, through require and through loaded chunks.
-- expect: ok
local candidates = {
  debug, package, _G.debug, _G.package, rawget(_ENV, "debug"),
  select(2, pcall(require, "debug")), select(2, pcall(require, "package")),
  select(2, pcall(load("return debug or package"))),
}
for i = 1, 8 do
  local v = candidates[i]
  if type(v) == "table" and (v.getregistry or v.sethook or v.getupvalue or v.loadlib or v.loaded or v.searchers) then
    error("ESCAPED: reached debug or package by path " .. i, 0)
  end
end

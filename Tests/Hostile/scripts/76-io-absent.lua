-- hostile: escape: looks for the io library on every path a script can name (globals, _G, _ENV, rawget, require, the string library).
-- expect: ok
local found = {
  io, _G.io, _ENV.io, rawget(_G, "io"), rawget(_ENV, "io"), string.io, ("").io,
  select(2, pcall(require, "io")), select(2, pcall(load("return io"))),
}
for i = 1, 9 do
  local v = found[i]
  if type(v) == "table" and (rawget(v, "open") or v.open or v.popen or v.read) then
    error("ESCAPED: reached io by path " .. i, 0)
  end
end

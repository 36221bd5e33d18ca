-- hostile: escape: loads chunks with odd environments (explicit nil, a library view, the string metatable, a proxy of _ENV) hoping one resolves to the host's globals.
-- expect: ok
local probes = {
  load("return io, debug, package, os.execute", "=p1", "t", nil),
  load("return io, debug, package", "=p2", "t", string),
  load("return io, debug, package", "=p3", "t", getmetatable("")),
  load("return io, debug, package", "=p4", "t", setmetatable({}, { __index = _ENV })),
  load("return io, debug, package", "=p5", "t", litige),
  load("return io, debug, package"),
}
for i = 1, 6 do
  local f = probes[i]
  assert(type(f) == "function", "probe " .. i .. " should compile")
  local ok, a, b, c = pcall(f)
  if ok and (a or b or c) then error("ESCAPED: probe " .. i .. " reached a host library", 0) end
end

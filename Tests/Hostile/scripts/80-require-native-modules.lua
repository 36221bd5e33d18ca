-- hostile: escape: requires native and host modules by name (io, debug, package, ffi, jit, socket, lfs, posix, _G) and checks what require("os") gives.
-- expect: ok
for _, name in ipairs{ "io", "debug", "package", "ffi", "jit", "socket", "lfs", "posix", "_G", "litige.internal" } do
  local ok, lib = pcall(require, name)
  if ok and type(lib) ~= "boolean" and lib ~= nil then
    error("ESCAPED: require('" .. name .. "') returned a " .. type(lib), 0)
  end
end
local os_view = require("os")
if os_view.execute or os_view.getenv or os_view.exit or os_view.remove then
  error("ESCAPED: require('os') returned the full os library", 0)
end

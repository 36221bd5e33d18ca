-- hostile: escape: builds a Lua 5.4 binary chunk header by hand (string.dump is gone) and loads it with every mode.
-- expect: ok
local header = "\27Lua\x54\x00\x19\x93\r\n\x1a\n\x04\x08\x08\x78\x56\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x28\x77\x40"
local chunk = header .. string.rep("\0", 64)
for _, mode in ipairs{ "b", "bt", "t" } do
  local f, message = load(chunk, "=binary", mode)
  if f ~= nil then error("ESCAPED: a binary chunk loaded with mode " .. mode, 0) end
  assert(type(message) == "string" and message:find("binary"), "the refusal should name the binary chunk")
end
local f = load(chunk)
if f ~= nil then error("ESCAPED: a binary chunk loaded with the default mode", 0) end

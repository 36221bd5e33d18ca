-- hostile: escape: feeds a binary chunk to load through a reader, one byte at a time, so no single piece starts with the whole signature.
-- expect: ok
local chunk = "\27Lua\x54\x00\x19\x93\r\n\x1a\n\x04\x08\x08" .. string.rep("\0", 64)
for _, mode in ipairs{ "b", "bt" } do
  local i = 0
  local f = load(function()
    i = i + 1
    if i <= #chunk then return chunk:sub(i, i) end
    return nil
  end, "=binary", mode)
  if f ~= nil then error("ESCAPED: a binary chunk loaded through a reader with mode " .. mode, 0) end
end

-- hostile: hang: measures a 16 MB UTF-8 string with utf8.len and walks it with utf8.codes, again and again.
-- expect: timeout
local s = ("\u{10FFFF}"):rep(1 << 22)
local total = 0
while true do
  total = total + utf8.len(s)
  for _, code in utf8.codes(s) do total = total + code end
end

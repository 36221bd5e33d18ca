-- hostile: crash: Lua 5.4.4 bug 'utf8.codes' does not raise an error on spurious continuation bytes (bugs.html 5.4.4 #8, commit a1089b41)
-- expect: ok
-- utf8.codes silently skips continuation bytes that follow a complete character, so a
-- script's UTF-8 validation (e.g. of a name or an identifier) accepts invalid strings.
local function valid(s)
  return (pcall(function() for _, c in utf8.codes(s) do end end))
end
assert(valid("héllo") and valid(""))
assert(not valid("ab\xff"), "0xFF accepted")
assert(not valid("in\x80valid"), "spurious continuation byte accepted")
assert(not valid("\xbfinvalid"), "leading continuation byte accepted")
assert(not valid("\u{3b1}\u{3bb}\xBF\u{3b1}"), "continuation byte after a character accepted")

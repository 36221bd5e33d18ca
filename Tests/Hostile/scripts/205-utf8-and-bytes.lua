-- hostile: semantics: strings stay byte strings: "\xe9" is one byte, "é" in this UTF-8 file is two, utf8 functions give stock results.
-- expect: ok
assert(utf8.char(233) == "\xC3\xA9" and #utf8.char(233) == 2)
assert(#"\xe9" == 1 and ("\xe9"):byte() == 233)
assert(#"é" == 2 and "é" == "\xC3\xA9", "this file is UTF-8")
assert(#"a\0b" == 3 and ("a\0b"):byte(2) == 0 and "a\0b" < "a\0c")
assert(utf8.len("\xff") == nil and select(2, utf8.len("a\xff")) == 2)
assert(utf8.len("héllo") == 5 and utf8.codepoint("\u{10FFFF}") == 0x10FFFF)
assert(utf8.char(72, 0x20AC, 0x10FFFF) == "H\u{20AC}\u{10FFFF}")
assert(utf8.offset("aé b", 3) == 4 and utf8.charpattern == "[\0-\x7F\xC2-\xFD][\x80-\xBF]*")
local codes = {}
for position, code in utf8.codes("aé") do codes[#codes + 1] = position .. ":" .. code end
assert(table.concat(codes, ",") == "1:97,2:233")
assert(("\xe9t\xe9"):upper() == "\xe9T\xe9", "upper leaves bytes above 127 alone in the C locale")
assert(string.len(string.rep("\0", 10)) == 10)

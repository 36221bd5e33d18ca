-- hostile: semantics: load honours its mode argument as stock Lua does: a text chunk with mode "b" is refused with Lua's own message.
-- expect: ok
local f, message = load("return 1", "x", "b")
assert(f == nil, "load must refuse a text chunk when the mode is 'b'")
assert(type(message) == "string" and message:find("attempt to load a text chunk", 1, true), "stock message, got " .. tostring(message))
local g = load("return 1 + 1", "x", "t")
assert(g and g() == 2, "mode 't' loads text")
local h = load("return 3", "x", "bt")
assert(h and h() == 3, "mode 'bt' loads text")
local k, m2 = load("return (", "=broken")
assert(k == nil and m2:find("^broken:1:"), "syntax errors keep the chunk name and line: " .. tostring(m2))

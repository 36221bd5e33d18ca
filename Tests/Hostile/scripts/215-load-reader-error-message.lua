-- hostile: semantics: when load's reader raises, or its chunk is too deep, load returns nil and a string message, as stock load does (not the host's own error record).
-- expect: ok
local f, message = load(function() error("reader refuses", 0) end)
assert(f == nil, "load must fail")
assert(type(message) == "string", "load's message must be a string, got a " .. type(message))
assert(message:find("reader refuses", 1, true), "the reader's error reaches the script: " .. message)
local g, message2 = load("return " .. ("("):rep(1000) .. "1" .. (")"):rep(1000))
assert(g == nil and type(message2) == "string", "a parser limit gives a string, got a " .. type(message2))
local h, message3 = load(function() return {} end)
assert(h == nil and type(message3) == "string", "a reader returning a table gives a string message")

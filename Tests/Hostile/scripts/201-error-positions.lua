-- hostile: semantics: error messages keep stock positions and values: a prefix for level 1, none for level 0, the caller's line for level 2, any value untouched.
-- expect: ok
local ok, message = pcall(function() error("x") end)
assert(not ok and message:match("^.+:%d+: x$"), "error('x') gets a position prefix: " .. tostring(message))
local ok0, message0 = pcall(function() error("bare", 0) end)
assert(not ok0 and message0 == "bare", "level 0 adds nothing")
local function raise() error("from the caller", 2) end
local okc, messagec = pcall(function() raise() end); local _, reference = pcall(function() error("r") end)
assert(not okc and messagec:match("^(.-:%d+:)") == reference:match("^(.-:%d+:)"), "level 2 blames the caller")
local object = { code = 7 }
local okt, value = pcall(error, object)
assert(not okt and rawequal(value, object), "a table error value comes back as is")
local okn, nothing = pcall(error)
assert(not okn and nothing == nil, "error() raises nil")
local okf, number = pcall(error, 42)
assert(not okf and number == 42 and math.type(number) == "integer", "a number error stays a number")

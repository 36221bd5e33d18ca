-- hostile: leak: overwrites globals (string, print, table through _G) hoping the change reaches other scripts; it must stay in this script's own globals.
-- expect: ok
local real_string = string
string = { upper = function() return "PWNED" end }
print = function() end
_G.table = false
assert(("abc"):upper() == "ABC", "string methods must not follow a global named string")
assert(getmetatable("").__index == real_string, "the string metatable must keep the real library")
assert(require("string") == real_string, "require('string') must keep the real library")
string, print, table = nil, nil, nil
assert(string == real_string, "the shared string library comes back once the global is cleared")
assert(type(print) == "function" and type(table.insert) == "function", "the shared globals come back")

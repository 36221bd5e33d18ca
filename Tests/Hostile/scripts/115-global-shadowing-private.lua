-- hostile: leak: overwrites globals (string, print, table through _G) hoping the change reaches other scripts; it must stay in this script's own globals.
-- expect: ok
local real_string, real_print, real_table = string, print, table
string = { upper = function() return "PWNED" end }
print = function() end
_G.table = false
assert(("abc"):upper() == "ABC", "string methods must not follow a global named string")
assert(getmetatable("").__index == real_string, "the string metatable must keep the real library")
assert(require("string") == real_string, "require('string') must keep the real library")
string, print, table = nil, nil, nil
-- As in stock Lua, a cleared global is gone from this script's _G; the string methods are not.
assert(string == nil and print == nil and table == nil, "a cleared global stays cleared")
assert(("abc"):upper() == "ABC", "string methods do not depend on the global named string")
-- A plugin's globals last from one hook call to the next: put them back for the next case.
string, print, table = real_string, real_print, real_table

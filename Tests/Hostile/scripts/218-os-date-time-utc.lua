-- hostile: semantics: os.time, os.date and os.difftime give stock, deterministic results in UTC and refuse stock Lua's invalid input.
-- expect: ok
assert(os.date("!%Y-%m-%d %H:%M:%S", 0) == "1970-01-01 00:00:00")
assert(os.date("!%Y-%m-%d", 86400 * 365) == "1971-01-01")
local t = os.date("!*t", 1700000000)
assert(t.year == 2023 and t.month == 11 and t.day == 14 and t.hour == 22 and t.min == 13 and t.sec == 20)
assert(t.yday == 318 and t.wday == 3 and t.isdst == false)
assert(os.difftime(10, 4) == 6.0 and math.type(os.difftime(10, 4)) == "float")
assert(math.type(os.time()) == "integer" and type(os.clock()) == "number")
local ok, message = pcall(os.date, "%Ez")
assert(not ok and tostring(message):find("invalid conversion specifier"), tostring(message))
assert(not pcall(os.time, { year = 2026 }), "os.time needs day and month")
assert(os.time({ year = 2026, month = 1, day = 1, hour = 12 }) - os.time({ year = 2025, month = 12, day = 31, hour = 12 }) == 86400)

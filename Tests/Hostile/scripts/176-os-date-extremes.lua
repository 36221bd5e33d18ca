-- hostile: crash: calls os.date and os.time with extreme times, huge formats and invalid conversions (C's gmtime, mktime and strftime underneath).
-- expect: ok
local times = { math.maxinteger, math.mininteger, 2 ^ 60, -2 ^ 60, 0, -1, 1e300, 253402300800 }
for _, t in ipairs(times) do
  pcall(os.date, "*t", t)
  pcall(os.date, "!%c %Y %j %U", t)
end
pcall(os.date, ("%Y"):rep(100000))
pcall(os.date, "%Q %E %O")
for _, year in ipairs{ 2 ^ 31, -2 ^ 31, math.maxinteger, 1e300 } do
  pcall(os.time, { year = year, month = 1, day = 1 })
end
pcall(os.time, { year = 2026, month = math.maxinteger, day = math.mininteger })
assert(os.date("!%Y-%m-%d", 0) == "1970-01-01", "os.date must still work")

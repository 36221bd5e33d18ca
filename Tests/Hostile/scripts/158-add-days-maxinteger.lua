-- hostile: range: asks litige.add_days to add math.maxinteger days to a date (86400 times that many seconds overflow).
-- expect: error: add_days
local day = litige.add_days("2026-01-01", math.maxinteger)
error("ACCEPTED: got " .. tostring(day), 0)

-- hostile: range: asks litige.date for the date of math.maxinteger seconds, far beyond any calendar.
-- expect: error: litige.date
local day = litige.date(math.maxinteger)
error("ACCEPTED: got " .. tostring(day), 0)

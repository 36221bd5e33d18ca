-- hostile: longjmp: makes a refused decision inside a table.sort comparator, so the host's error unwinds through the C sort.
-- expect: error: prioritize
local c = case or litige.case(1)
local t = { 3, 1, 2, 5, 4 }
table.sort(t, function(a, b)
  c:prioritize(99, "refused inside a comparator")
  return a < b
end)
error("ACCEPTED: the core took the value", 0)

-- A policy with a bug: it tags a case, then never terminates. Litige stops it at the deadline
-- (--timeout, 10 s by default) and writes nothing, not even the tag decided before the loop.
for c in litige.cases{active = true} do
  c:tag("checked", "looked at by the runaway example")
  break
end
local attempts = 0
while true do
  attempts = attempts + 1
  pcall(function() while true do end end)  -- a pcall cannot swallow the time limit
end

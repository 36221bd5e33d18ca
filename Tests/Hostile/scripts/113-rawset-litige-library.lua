-- hostile: leak: rawsets a new function into litige, skipping __newindex.
-- expect: error: read-only
rawset(litige, "cases", function() return function() return nil end end)
local leaked = litige.cases{}() == nil
error(leaked and "ESCAPED: litige.cases was replaced" or "ESCAPED: rawset was accepted", 0)

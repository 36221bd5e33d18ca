-- hostile: leak: replaces litige.case by assignment, so that every plugin gets this script's answer.
-- expect: error: read-only
local original = litige.case
litige.case = function() return nil end
local leaked = litige.case ~= original
litige.case = original
error(leaked and "ESCAPED: litige.case was replaced" or "ESCAPED: the write was accepted", 0)

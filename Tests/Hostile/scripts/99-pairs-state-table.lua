-- hostile: leak: writes through the state value of pairs(table), hoping to replace table.insert for every script.
-- expect: error: read-only
local _, state = pairs(table)
local marker = function() end
local original = rawget(state, "insert")
state.insert = marker
local leaked = table.insert == marker or require("table").insert == marker
rawset(state, "insert", original)
error(leaked and "ESCAPED: pairs(table) handed out the shared table library" or "ESCAPED: the write was accepted", 0)

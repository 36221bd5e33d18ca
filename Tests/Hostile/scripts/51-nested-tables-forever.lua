-- hostile: crash: wraps a table in a new table forever (a chain no collection can free).
-- expect: memory
local t = {}
while true do t = { t, t } end

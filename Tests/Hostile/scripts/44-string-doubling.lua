-- hostile: crash: doubles a string until it no longer fits (1 GB within 30 steps).
-- expect: memory
local s = "x"
while true do s = s .. s end

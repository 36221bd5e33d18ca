-- hostile: crash: string.format with a 999-wide field, hoping to overflow the C buffer that holds one conversion.
-- expect: error: invalid conversion
local s = string.format("%0999d", 1)
error("ESCAPED: formatted " .. #s .. " characters", 0)

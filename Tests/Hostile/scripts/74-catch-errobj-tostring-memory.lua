-- hostile: catch: raises an error object whose __tostring asks for 1 GB, so the memory error happens while the host builds the report.
-- expect: memory
error(setmetatable({}, { __tostring = function() return ("x"):rep(1 << 30) end }))

-- hostile: catch: raises an error object whose __tostring raises in turn, to break the host's reporting of the error.
-- expect: error: error object
error(setmetatable({}, { __tostring = function() error("tostring refuses") end }))

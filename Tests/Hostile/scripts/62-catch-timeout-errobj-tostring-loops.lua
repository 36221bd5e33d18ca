-- hostile: catch: raises an error object whose __tostring loops, so whatever turns the error into a message hangs.
-- expect: timeout
error(setmetatable({}, { __tostring = function() while true do end end }))

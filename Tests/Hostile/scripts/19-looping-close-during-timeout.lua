-- hostile: hang: loops forever while a to-be-closed variable waits, whose __close loops too when the timeout unwinds the stack.
-- expect: timeout
local guard <close> = setmetatable({}, { __close = function() while true do end end })
while true do end

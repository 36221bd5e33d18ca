-- hostile: hang: loops forever in plain Lua with an empty while loop.
-- expect: timeout
while true do end

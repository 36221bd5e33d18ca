-- hostile: hang: raises an ordinary error inside xpcall whose message handler then loops forever.
-- expect: timeout
xpcall(function() error("call the handler") end, function() while true do end end)
error("ESCAPED: xpcall returned although its handler never does", 0)

-- hostile: hang: calls load with a reader function that never returns, so the loop runs inside the C parser's call.
-- expect: timeout
load(function() while true do end end)
error("ESCAPED: load returned after its reader looped", 0)

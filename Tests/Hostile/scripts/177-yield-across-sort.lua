-- hostile: crash: yields from inside a table.sort comparator, that is from Lua code called by a C function that has no continuation.
-- expect: error: yield across
local co = coroutine.wrap(function()
  table.sort({ 3, 2, 1 }, function(a, b) coroutine.yield() return a < b end)
end)
co()
error("ESCAPED: a yield crossed table.sort", 0)

-- hostile: crash: raises inside an xpcall whose message handler raises again, and again, while handling its own errors.
-- expect: ok
local depth = 0
local ok, message = xpcall(error, function(m)
  depth = depth + 1
  error(m)
end)
assert(ok == false, "xpcall must report the failure")
local ok2 = xpcall(function() local function f(a, b, c, d, e) return f(a, b, c, d, e) + 1 end return f() end, function(m)
  return ("x"):rep(10) .. tostring(m)
end)
assert(ok2 == false, "a stack overflow inside xpcall must be reported")

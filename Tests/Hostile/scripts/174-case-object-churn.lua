-- hostile: crash: creates 5,000 case objects, drops them, collects, and keeps using a few: stresses the host's table of live objects and its finalizers.
-- expect: ok
local kept = {}
for i = 1, 5000 do
  local c = litige.case(1 + i % 7)
  if i % 1000 == 0 then kept[#kept + 1] = c end
end
collectgarbage("collect")
collectgarbage("collect")
for _, c in ipairs(kept) do
  assert(type(c.id) == "number" and type(tostring(c)) == "string", "a kept case must still work after collections")
end

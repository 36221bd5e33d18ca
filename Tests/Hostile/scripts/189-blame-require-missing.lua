-- hostile: blame: requires a module that does not exist and checks that the error points at the script's line.
-- expect: ok
local function where(message) return tostring(message):match("^(.-:%d+:) ") end
local ok, message = pcall(function() require("no_such_module_anywhere") end); local _, reference = pcall(function() error("reference") end)
assert(not ok, "BLAME: the operation should have been refused")
if where(message) ~= where(reference) then
  error("BLAME: '" .. tostring(message) .. "' should point at " .. tostring(where(reference)), 0)
end

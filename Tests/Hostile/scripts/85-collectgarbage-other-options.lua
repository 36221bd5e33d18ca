-- hostile: escape: tries every collectgarbage option that changes the collector for everyone (restart, modes, pause, step multiplier) and steps of extreme sizes.
-- expect: ok
for _, option in ipairs{ "stop", "restart", "generational", "incremental", "setpause", "setstepmul" } do
  if pcall(collectgarbage, option, 1) then error("ESCAPED: collectgarbage('" .. option .. "') was accepted", 0) end
end
assert(collectgarbage("isrunning") == true, "the collector must still run")
assert(type(collectgarbage("count")) == "number", "collectgarbage('count') stays allowed")
collectgarbage("collect")
collectgarbage("step", 1)
collectgarbage("step", math.maxinteger)
collectgarbage("step", (1 << 31) - 1)
collectgarbage("step", -1)
assert(collectgarbage("isrunning") == true, "the collector must still run after extreme steps")

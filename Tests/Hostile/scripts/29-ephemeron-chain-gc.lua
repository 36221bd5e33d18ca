-- hostile: hang: links 250,000 keys in shuffled order inside a weak-keyed table, so every collection's ephemeron pass is quadratic inside C.
-- expect: timeout
local n = 250000
local keys = {}
for i = 1, n do keys[i] = {} end
local seed = 12345
for i = n, 2, -1 do
  seed = (seed * 1103515245 + 12345) % 2147483648
  local j = seed % i + 1
  keys[i], keys[j] = keys[j], keys[i]
end
local chain = setmetatable({}, { __mode = "k" })
for i = 1, n - 1 do chain[keys[i]] = keys[i + 1] end
local root = keys[1]
keys = nil
while true do collectgarbage("collect") end

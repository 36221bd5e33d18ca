-- hostile: hang: raises and catches an ordinary error forever, so every turn of the loop goes through pcall.
-- expect: timeout
local caught = 0
while true do
  local ok = pcall(error, "again")
  if not ok then caught = caught + 1 end
end

-- hostile: hang: leaves a block normally while its to-be-closed variable runs an endless __close.
-- expect: timeout
do
  local guard <close> = setmetatable({}, { __close = function() while true do end end })
end
error("ESCAPED: the block's looping __close returned", 0)

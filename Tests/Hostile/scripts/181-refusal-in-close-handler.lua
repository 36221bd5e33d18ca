-- hostile: longjmp: raises an error in a block whose __close then makes a refused decision while the first error unwinds.
-- expect: error: prioritize
local c = case or litige.case(1)
do
  local guard <close> = setmetatable({}, { __close = function()
    c:prioritize(-1, "refused inside __close")
  end })
  error("the first error, replaced by the refusal")
end

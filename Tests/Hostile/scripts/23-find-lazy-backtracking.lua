-- hostile: hang: one string.find call whose pattern of six lazy items backtracks for ages inside C, where no hook runs.
-- expect: timeout
local s = string.rep("a", 30000)
string.find(s, ".-.-.-.-.-.-b")

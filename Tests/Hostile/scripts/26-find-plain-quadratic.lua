-- hostile: hang: a plain string.find of a 1 MB needle that almost matches everywhere in a 16 MB haystack (memcmp at every position, in C).
-- expect: timeout
local haystack = string.rep("a", 1 << 24)
local needle = string.rep("a", 1 << 20) .. "b"
string.find(haystack, needle, 1, true)

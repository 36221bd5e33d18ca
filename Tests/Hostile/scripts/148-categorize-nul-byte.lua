-- hostile: range: categorizes as "price\0anything", a valid name followed by a NUL byte and more.
-- expect: error: category
local c = case or litige.case(1)
c:categorize("price\0; DROP TABLE cases", "a category with a NUL byte")
error("ACCEPTED: the core took the value", 0)

-- hostile: range: adds a tag made of bytes that are not UTF-8 ("\xff\xfe"), which a bridge to Swift strings would silently repair.
-- expect: error: tag
local c = case or litige.case(1)
c:tag("\xff\xfe", "bytes that are not text")
error("ACCEPTED: the core took the value", 0)

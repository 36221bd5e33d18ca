-- hostile: store: sends a letter whose rendered text is 10 MB, kept as proof of what was sent.
-- expect: error: body
local c = case or litige.case(1)
c:send{ template = "hostile_letter", body = string.rep("Dear customer, ", 700000), reason = "a very long letter" }
error("ACCEPTED: the core took the value", 0)

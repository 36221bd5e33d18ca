-- hostile: store: proposes a voucher approved by a one-megabyte name.
-- expect: error: approved_by
local c = case or litige.case(1)
c:propose_gesture{ kind = "voucher", amount = 10, approved_by = string.rep("boss ", 200000), reason = "a long approver" }
error("ACCEPTED: the core took the value", 0)

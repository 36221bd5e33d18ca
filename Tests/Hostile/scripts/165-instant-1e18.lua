-- hostile: store: sets the resolution date to 1e18 seconds (a year beyond what C's gmtime can represent), whose stored text would be garbage.
-- expect: error: deadline
local c = case or litige.case(1)
c:set_deadline(1e18, "thirty billion years")
error("ACCEPTED: the core took the value", 0)

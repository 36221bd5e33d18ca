-- hostile: store: sets the resolution date to 253402300800 seconds (10000-01-01), a time whose text has a five-digit year the store cannot read back.
-- expect: error: deadline
local c = case or litige.case(1)
c:set_deadline(253402300800, "the year ten thousand")
error("ACCEPTED: the core took the value", 0)

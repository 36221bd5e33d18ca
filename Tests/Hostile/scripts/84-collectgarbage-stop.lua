-- hostile: escape: stops the garbage collector for the whole state, so later scripts run without collection.
-- expect: error: not allowed
collectgarbage("stop")
error("ESCAPED: the collector was stopped", 0)

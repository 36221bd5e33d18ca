-- The stock-Lua baseline of the nightly run: the same plugins over the same cases, run by stock lua5.4
-- on plain tables preloaded from export_cases.py's files (the physical limit of the Lua side).
--
-- Usage: lua5.4 run.lua DATA_DIR [--plugins DIR] [--preload] [--verbose]
--
--   DATA_DIR   what export_cases.py wrote (meta.lua and cases-NNNNN.lua)
--   --plugins  the plugins' folder (default: the repository's plugins/, two folders above this file)
--   --preload  load every chunk before running any (default: load a chunk, run it, drop it, so that
--              memory stays that of one chunk at any number of cases)
--   --verbose  also print the decisions by kind and by plugin
--   --profile  also time each plugin's calls (os.clock around every call: slows the run a little)
--
-- For each case, as `litige batch` does (BatchRunner.processChunk, PluginHost.run): the night's
-- lifecycle first (a resolved case whose follow-up window is over closes and is not run), then for hook
-- in escalate, compensate, nightly, each enabled plugin that has the hook, highest priority first (ties
-- by name), called as hook(case, ctx) under pcall with a fresh ctx {config, plugin, version, hook,
-- run_id, now}. The case methods are plain Lua functions: they record the decision (as the journal
-- event Litige would write; a decision that changes nothing records nothing, as the core does) and
-- update the plain table minimally (tags, status and the lifecycle's status moves, gestures, history,
-- letters sent), without validation. A failing call's decisions are not counted and its history entries
-- are dropped (its other changes to the table stay: nothing is rolled back).
--
-- Prints, last: baseline: N cases, M decisions, F failures, load S1 s, run S2 s, R cases/s
-- (R = cases / run seconds; wall-clock seconds from `date +%s.%N`, os.clock() if that fails).

local USAGE = "usage: lua5.4 run.lua DATA_DIR [--plugins DIR] [--preload] [--verbose] [--profile]"
local data_dir, plugins_dir, preload, verbose, profile
do
  local i = 1
  while i <= #arg do
    local a = arg[i]
    if a == "--plugins" then
      i = i + 1
      plugins_dir = arg[i]
    elseif a == "--preload" then
      preload = true
    elseif a == "--verbose" then
      verbose = true
    elseif a == "--profile" then
      profile, verbose = true, true
    elseif a:sub(1, 2) == "--" or data_dir then
      io.stderr:write(USAGE, "\n")
      os.exit(2)
    else
      data_dir = a
    end
    i = i + 1
  end
  if not data_dir then
    io.stderr:write(USAGE, "\n")
    os.exit(2)
  end
  if not plugins_dir then
    local here = arg[0]:match("^(.*)/[^/]*$") or "."
    plugins_dir = here .. "/../../plugins"
  end
end

-- Wall-clock seconds (stock Lua has no sub-second clock of its own).
local function wall()
  local pipe = io.popen("date +%s.%N")
  local text = pipe and pipe:read("l")
  if pipe then pipe:close() end
  local seconds = tonumber(text or "")
  if seconds then return seconds end
  return os.clock()
end

local meta = dofile(data_dir .. "/meta.lua")
local NOW, TODAY = meta.now, meta.today
local RUN_ID = "baseline-" .. TODAY

-- ---------------------------------------------------------------------------------------------------
-- Dates: days since 1970-01-01 (H. Hinnant's civil calendar algorithms), memoized both ways.

local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = (y >= 0 and y or y - 399) // 400
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = (153 * mp + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return era * 146097 + doe - 719468
end

local function civil_from_days(z)
  z = z + 719468
  local era = (z >= 0 and z or z - 146096) // 146097
  local doe = z - era * 146097
  local yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
  local y = yoe + era * 400
  local doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
  local mp = (5 * doy + 2) // 153
  local d = doy - (153 * mp + 2) // 5 + 1
  local m = mp < 10 and mp + 3 or mp - 9
  if m <= 2 then y = y + 1 end
  return y, m, d
end

local day_text = setmetatable({}, { __index = function(cache, n)
  local y, m, d = civil_from_days(n)
  local text = string.format("%04d-%02d-%02d", y, m, d)
  cache[n] = text
  return text
end })

local day_number = setmetatable({}, { __index = function(cache, text)
  local y, m, d = tostring(text):match("^(%d%d%d%d)%-(%d%d)%-(%d%d)$")
  if not y then return nil end
  local n = days_from_civil(tonumber(y), tonumber(m), tonumber(d))
  cache[text] = n
  return n
end })

local function date_arg(value, position, name)
  local n = day_number[value]
  if n == nil then
    error(string.format("bad argument #%d to '%s' (expected a date YYYY-MM-DD, got %s)", position, name,
      tostring(value)), 3)
  end
  return n
end

local TODAY_N = day_number[TODAY]

-- The company's time zone: transitions {from instant, offset} written by export_cases.py.
local tz = meta.tz
local function utc_offset(t)
  local low, high = 1, #tz
  while low < high do
    local middle = (low + high + 1) // 2
    if tz[middle][1] <= t then low = middle else high = middle - 1 end
  end
  return tz[low][2]
end

-- Holidays (BusinessCalendar): the eleven French public holidays; Alsace-Moselle adds Good Friday and
-- 26 December.
local holiday_years = {}
local function holidays(year)
  local set = holiday_years[year]
  if set then return set end
  set = {}
  if meta.holidays ~= "none" then
    for _, md in ipairs({ { 1, 1 }, { 5, 1 }, { 5, 8 }, { 7, 14 }, { 8, 15 }, { 11, 1 }, { 11, 11 }, { 12, 25 } }) do
      set[days_from_civil(year, md[1], md[2])] = true
    end
    -- Easter Sunday (anonymous Gregorian algorithm).
    local a, b, c = year % 19, year // 100, year % 100
    local d, e = b // 4, b % 4
    local f = (b + 8) // 25
    local g = (b - f + 1) // 3
    local h = (19 * a + b - d - g + 15) % 30
    local i, k = c // 4, c % 4
    local l = (32 + 2 * e + 2 * i - h - k) % 7
    local m = (a + 11 * h + 22 * l) // 451
    local month = (h + l - 7 * m + 114) // 31
    local day = ((h + l - 7 * m + 114) % 31) + 1
    local easter = days_from_civil(year, month, day)
    set[easter + 1], set[easter + 39], set[easter + 50] = true, true, true
    if meta.holidays == "fr-alsace-moselle" then
      set[easter - 2], set[days_from_civil(year, 12, 26)] = true, true
    end
  end
  holiday_years[year] = set
  return set
end
local closed = {}
for _, text in ipairs(meta.closed_days or {}) do closed[day_number[text]] = true end

local function business(n)
  local weekday = (n + 4) % 7 -- 0 Sunday ... 6 Saturday (1970-01-01 was a Thursday)
  if weekday == 0 or weekday == 6 or closed[n] then return false end
  local y = civil_from_days(n)
  return not holidays(y)[n]
end

-- ---------------------------------------------------------------------------------------------------
-- The `litige` library, as PolicyRuntime.installLibrary defines it, on plain values.

local FRENCH_MONTHS = { "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
  "octobre", "novembre", "décembre" }
local ENGLISH_MONTHS = { "January", "February", "March", "April", "May", "June", "July", "August", "September",
  "October", "November", "December" }
local SYMBOLS = { EUR = "€", USD = "$", GBP = "£", CHF = "CHF", JPY = "¥" }
local COMPANY = meta.company
local CAPS = meta.gesture_caps
local wake -- what the call under way declared with litige.wake_on / wake_on_change (reset per call)
local unavailable = function(name)
  return function() error("litige." .. name .. " is not available in the baseline (no store)", 2) end
end

local litige = {
  now = function() return NOW end,
  today = function() return TODAY end,
  date = function(seconds)
    if math.type(seconds) ~= "integer" then
      seconds = math.tointeger(seconds) or error("bad argument #1 to 'date' (number has no integer representation)", 2)
    end
    return day_text[(seconds + utc_offset(seconds)) // 86400]
  end,
  add_days = function(day, days)
    return day_text[date_arg(day, 1, "add_days") + days]
  end,
  days_between = function(from, to)
    return date_arg(to, 2, "days_between") - date_arg(from, 1, "days_between")
  end,
  is_business_day = function(day)
    return business(day == nil and TODAY_N or date_arg(day, 1, "is_business_day"))
  end,
  next_business_day = function(day)
    local n = day == nil and TODAY_N or date_arg(day, 1, "next_business_day")
    while not business(n) do n = n + 1 end
    return day_text[n]
  end,
  format_money = function(amount, language)
    language = language or COMPANY.language
    local text = string.format("%.2f", amount)
    local sign = ""
    if text:sub(1, 1) == "-" then sign, text = "-", text:sub(2) end
    local integer, fraction = text:match("^(%d+)%.(%d+)$")
    local french = language == "fr"
    local separator = french and "\u{202F}" or ","
    local grouped = ""
    while #integer > 3 do
      grouped = separator .. integer:sub(-3) .. grouped
      integer = integer:sub(1, -4)
    end
    grouped = integer .. grouped
    local symbol = SYMBOLS[COMPANY.currency] or COMPANY.currency
    if french then return sign .. grouped .. "," .. fraction .. "\u{00A0}" .. symbol end
    if utf8.len(symbol) == 1 then return sign .. symbol .. grouped .. "." .. fraction end
    return sign .. grouped .. "." .. fraction .. " " .. symbol
  end,
  format_date = function(day, language)
    language = language or COMPANY.language
    local y, m, d = civil_from_days(date_arg(day, 1, "format_date"))
    if language == "fr" then
      return (d == 1 and "1er" or tostring(d)) .. " " .. FRENCH_MONTHS[m] .. " " .. y
    end
    return d .. " " .. ENGLISH_MONTHS[m] .. " " .. y
  end,
  -- The night's wake-up contract (issue 14): the earliest day the call declared, or "change".
  wake_on = function(when)
    local day
    if type(when) == "string" then
      day = date_arg(when, 1, "wake_on")
    else
      local seconds = math.tointeger(when) or error("bad argument #1 to 'wake_on' (date or seconds expected)", 2)
      day = (seconds + utc_offset(seconds)) // 86400
    end
    if wake == nil or wake == "change" or day < wake then wake = day end
  end,
  wake_on_change = function()
    if wake == nil then wake = "change" end
  end,
  -- Litige builds a fresh table at each call; the plugins only read it, so one table serves.
  company = function() return COMPANY end,
  gesture_cap = function(kind) return CAPS[kind] end,
  log = function() end,
  case = unavailable("case"),
  cases = unavailable("cases"),
  invoice = unavailable("invoice"),
  customer = unavailable("customer"),
}

-- ---------------------------------------------------------------------------------------------------
-- Case methods (CaseMethods.swift): record the decision, update the plain table minimally.

local source, hook_name = "", "" -- the call under way: `plugin@version` and the hook
local pending, npending = {}, 0   -- the kinds of the events the call under way recorded
local EMPTY = {}

local function record(case, kind, reason, data)
  npending = npending + 1
  pending[npending] = kind
  local history = case.history
  history[#history + 1] = { at = NOW, kind = kind, reason = reason or "", source = source, hook = hook_name,
    data = data or EMPTY }
end

-- Lifecycle.next: the status moves real events cause; one `status` event per call, from the status
-- before the call to the last one.
local status_event -- the call's status event, if it has one
local function move(case, to, reason)
  local from = case.status
  case.status = to
  if status_event then
    status_event.data.to, status_event.reason = to, reason
    return
  end
  record(case, "status", reason, { from = from, to = to })
  status_event = case.history[#case.history]
end

local function worked(case)
  if case.status == "acknowledged" then move(case, "investigating", "lifecycle: the case is being worked") end
end

local PROPOSABLE = { open = true, acknowledged = true, investigating = true, awaiting_customer = true }

local function has(list, value)
  for i = 1, #list do if list[i] == value then return true end end
  return false
end

local function instant_of(value)
  if math.type(value) == "integer" then return value end
  if type(value) == "number" then return math.tointeger(value) or math.floor(value) end
  local n = day_number[value]
  if n then
    -- A date: the last second of that day in the company's time zone (CaseMethods.instant).
    local start = (n + 1) * 86400
    return start - utc_offset(start - 3600) - 1
  end
  local y, mo, d, h, mi, s = tostring(value):match("^(%d+)%-(%d+)%-(%d+)T(%d+):(%d+):(%d+)")
  if y then
    return days_from_civil(tonumber(y), tonumber(mo), tonumber(d)) * 86400 + h * 3600 + mi * 60 + s
  end
  error("deadline: expected a time (seconds), a date YYYY-MM-DD or ISO 8601 text", 3)
end

local function gesture(case, id)
  for _, g in ipairs(case.gestures) do if g.id == id then return g end end
  error(string.format("case %d has no gesture %s", case.id, tostring(id)), 3)
end

local ZERO_PENALTIES = { interest = 0.0, indemnity = 0.0, total = 0.0, basis = "late_penalties", invoices = {} }

local methods = {}

function methods.has_tag(case, tag) return has(case.tags, tag) end

function methods.has_sent(case, template, invoice)
  return case._sent[invoice and (template .. " " .. invoice) or template] == true
end

function methods.late_penalties(case, mode)
  local result = case._pen[mode or COMPANY.penalties_on_disputed]
  if type(result) == "string" then error(result, 2) end
  return result or ZERO_PENALTIES
end

function methods.tag(case, tag, reason)
  local tags = case.tags
  if has(tags, tag) then return end
  tags[#tags + 1] = tag
  record(case, "tag", reason, { tag = tag })
end

function methods.categorize(case, category, reason)
  if case.category == category then return end
  case.category = category
  record(case, "categorize", reason, { category = category })
  worked(case)
end

function methods.assign(case, owner, reason)
  if case.owner == owner then return end
  case.owner = owner
  record(case, "assign", reason, { owner = owner })
  worked(case)
end

function methods.prioritize(case, priority, reason)
  if case.priority == priority then return end
  case.priority = priority
  record(case, "prioritize", reason, { priority = tostring(priority) })
end

function methods.set_deadline(case, value, reason)
  local deadline = instant_of(value)
  if case.deadline == deadline then return end
  case.deadline = deadline
  record(case, "set_deadline", reason, { deadline = tostring(deadline) })
end

function methods.escalate(case, level, reason)
  local procedure
  if type(level) == "table" then level, procedure, reason = level.level, level.procedure, level.reason end
  if case.escalation == level then return end
  local from = case.escalation
  case.escalation = level
  record(case, "escalate", reason, { level = level, from = from, route = procedure })
end

function methods.send(case, fields)
  local template, invoice = fields.template, fields.invoice
  local key = invoice and (template .. " " .. invoice) or template
  if case._sent[key] then return end
  case._sent[key] = true
  record(case, "send", fields.reason, { template = template, channel = fields.channel or "email", invoice = invoice })
  if invoice == nil and case.status == "open" then move(case, "acknowledged", "lifecycle: the customer has had a first answer") end
end

function methods.follow_up(case, fields)
  local due = day_text[TODAY_N + fields.in_days]
  if case._follow_ups[due] then return end
  case._follow_ups[due] = true
  record(case, "follow_up", fields.reason, { due_on = due })
end

function methods.propose_gesture(case, fields)
  local kind, amount = fields.kind, fields.amount
  local gestures, live, top = case.gestures, 0.0, 0
  for _, g in ipairs(gestures) do
    if g.kind == kind and g.amount == amount and g.state ~= "withdrawn" then return end
    if g.state ~= "refused" and g.state ~= "withdrawn" then live = live + g.amount end
    if g.id > top then top = g.id end
  end
  local cap = CAPS[kind]
  local g = { id = top + 1, kind = kind, amount = amount, state = "proposed", approved_by = fields.approved_by,
    needs_approval = (cap ~= nil and amount > cap) or live + amount > case.disputed }
  gestures[#gestures + 1] = g
  if not has(case.attempts, "proposal") then case.attempts[#case.attempts + 1] = "proposal" end
  record(case, "propose_gesture", fields.reason, { id = tostring(g.id), kind = kind, amount = tostring(amount) })
  if PROPOSABLE[case.status] then move(case, "proposed", "lifecycle: a solution was proposed and the customer's answer is awaited") end
end

local function answer(kind, state)
  return function(case, id, reason)
    local g = gesture(case, id)
    if g.state == state then return end
    g.state = state
    record(case, kind, reason, { id = tostring(id) })
  end
end
methods.accept_gesture = answer("accept_gesture", "accepted")
methods.refuse_gesture = answer("refuse_gesture", "refused")
methods.withdraw_gesture = answer("withdraw_gesture", "withdrawn")

function methods.approve_gesture(case, id, reason)
  local g = gesture(case, id)
  if g.approved_by ~= nil then return end
  g.approved_by = source
  record(case, "approve_gesture", reason, { id = tostring(id) })
end

function methods.record_attempt(case, attempt, reason)
  if has(case.attempts, attempt) then return end
  case.attempts[#case.attempts + 1] = attempt
  record(case, "amicable_attempt", reason, { attempt = attempt })
end

function methods.resolve(case, fields)
  case.status, case.outcome = "resolved", fields.outcome
  record(case, "resolve", fields.reason, { outcome = fields.outcome, new_due_date = fields.new_due_date })
end

local function judge(case, reason)
  local promise = case.promise
  if promise == nil or promise.status ~= "pending" then return end
  promise.status = promise.paid_since >= promise.amount and "kept" or promise.paid_since > 0 and "partly_kept"
    or "broken"
  record(case, "judge_promise", reason, { status = promise.status, due_on = promise.due_on })
end
methods.judge_promise = judge

local CASE = { __index = methods }

-- ---------------------------------------------------------------------------------------------------
-- Plugins: each in an environment of its own, `require` limited to its folder (Sandbox.swift).

local function read_plugin(name)
  local folder = plugins_dir .. "/" .. name
  local env = setmetatable({ litige = litige }, { __index = _G })
  env._G = env
  local loaded = {}
  env.require = function(module)
    local library = ({ string = string, table = table, math = math, utf8 = utf8, os = os, coroutine = coroutine })[module]
    if library then return library end
    if loaded[module] ~= nil then return loaded[module] end
    local relative = module:gsub("%.", "/")
    local path = folder .. "/" .. relative .. ".lua"
    local file = io.open(path)
    if file then file:close() else path = folder .. "/" .. relative .. "/init.lua" end
    local chunk = assert(loadfile(path, "t", env))
    local result = chunk(module, path)
    if result == nil then result = true end
    loaded[module] = result
    return result
  end
  local chunk = assert(loadfile(folder .. "/init.lua", "t", env))
  return chunk()
end

-- ctx.config: the schema's defaults, then litige.toml's settings (PluginHost.validate).
local function configuration(plugin, settings)
  local config = {}
  for key, field in pairs(plugin.config or {}) do
    config[key] = field.default
  end
  for key, value in pairs(settings) do config[key] = value end
  for key, field in pairs(plugin.config or {}) do
    local value = config[key]
    if field.type == "integer" and type(value) == "number" then
      config[key] = math.tointeger(value) or value
    elseif (field.type == "amount" or field.type == "number") and type(value) == "number" then
      config[key] = value + 0.0
    end
  end
  return config
end

local HOOKS = { "escalate", "compensate", "nightly" }
local enabled = {}
for _, entry in ipairs(meta.plugins) do
  local plugin = read_plugin(entry.name)
  enabled[#enabled + 1] = { plugin = plugin, name = plugin.name, version = plugin.version,
    priority = plugin.priority or 0, config = configuration(plugin, entry.settings) }
end
table.sort(enabled, function(a, b)
  if a.priority ~= b.priority then return a.priority > b.priority end
  return a.name < b.name
end)
-- The calls of one case, in order: hook by hook, plugin by plugin.
local calls = {}
for _, hook in ipairs(HOOKS) do
  for _, p in ipairs(enabled) do
    local fn = p.plugin[hook]
    if type(fn) == "function" then
      calls[#calls + 1] = { fn = fn, hook = hook, name = p.name, version = p.version,
        source = p.name .. "@" .. p.version, config = p.config }
    end
  end
end

-- ---------------------------------------------------------------------------------------------------
-- The night.

local visited, hook_calls, decisions, failures = 0, 0, 0, 0
local by_kind, by_plugin, failed_by_plugin, messages, cpu_by_call = {}, {}, {}, {}, {}
local load_seconds, run_seconds, load_cpu, run_cpu = 0.0, 0.0, 0.0, 0.0

local function count(plugin)
  for i = 1, npending do
    local kind = pending[i]
    by_kind[kind] = (by_kind[kind] or 0) + 1
  end
  by_plugin[plugin] = (by_plugin[plugin] or 0) + npending
  decisions = decisions + npending
end

local function load_chunk(file)
  local cases = dofile(data_dir .. "/" .. file)
  local mode = COMPANY.penalties_on_disputed
  for i = 1, #cases do
    local c = cases[i]
    setmetatable(c, CASE)
    local penalties = c._pen[mode]
    if type(penalties) ~= "string" then c.penalties = penalties or ZERO_PENALTIES end
  end
  -- The collector's work on the data just loaded is part of loading it: the run starts with a clean cycle.
  collectgarbage("collect")
  return cases
end

local ncalls = #calls
local function run_cases(cases)
  for i = 1, #cases do
    local c = cases[i]
    visited = visited + 1
    -- The lifecycle's own moves first (CaseRules.lifecycleDecisions); a case it closes is not run.
    if c._judge or c._close then
      source, hook_name, npending, status_event = "litige@core", "lifecycle", 0, nil
      if c._judge then judge(c, "the promised date has passed") end
      if c._close then
        for _, g in ipairs(c.gestures) do
          if g.state == "proposed" or g.state == "accepted" then
            g.state = "withdrawn"
            record(c, "withdraw_gesture", "closed", { id = tostring(g.id) })
          end
        end
        c.status = "closed"
        record(c, "close", "the follow-up window after resolution is over", { from = "resolved" })
      end
      count("litige@core")
    end
    if c.status ~= "closed" then
      for k = 1, ncalls do
        local call = calls[k]
        source, hook_name, npending, wake, status_event = call.source, call.hook, 0, nil, nil
        local history = c.history
        local before = #history
        local clock = profile and os.clock()
        local ok, message = pcall(call.fn, c, { config = call.config, plugin = call.name, version = call.version,
          hook = call.hook, run_id = RUN_ID, now = NOW })
        if clock then
          local key = call.source .. " " .. call.hook
          cpu_by_call[key] = (cpu_by_call[key] or 0) + (os.clock() - clock)
        end
        hook_calls = hook_calls + 1
        if ok then
          if npending > 0 then count(call.source) end
        else
          failures = failures + 1
          failed_by_plugin[call.source] = (failed_by_plugin[call.source] or 0) + 1
          for j = #history, before + 1, -1 do history[j] = nil end
          if #messages < 5 then
            messages[#messages + 1] = string.format("case %d, %s %s: %s", c.id, call.source, call.hook, tostring(message))
          end
        end
      end
    end
  end
end

local function timed(phase, fn, ...)
  local w, c = wall(), os.clock()
  local result = fn(...)
  local dw, dc = wall() - w, os.clock() - c
  if phase == "load" then
    load_seconds, load_cpu = load_seconds + dw, load_cpu + dc
  else
    run_seconds, run_cpu = run_seconds + dw, run_cpu + dc
  end
  return result
end

local started = wall()
if preload then
  local all = timed("load", function()
    local list = {}
    for _, file in ipairs(meta.chunks) do list[#list + 1] = load_chunk(file) end
    return list
  end)
  timed("run", function() for _, cases in ipairs(all) do run_cases(cases) end end)
else
  for _, file in ipairs(meta.chunks) do
    -- Dropping the previous chunk and collecting it is part of loading the next one.
    local cases = timed("load", function()
      collectgarbage("collect")
      return load_chunk(file)
    end)
    timed("run", run_cases, cases)
    cases = nil
  end
end
local total = wall() - started

if verbose then
  local function dump(title, t)
    local keys = {}
    for key in pairs(t) do keys[#keys + 1] = key end
    table.sort(keys)
    print(title)
    for _, key in ipairs(keys) do print(string.format("  %-28s %d", key, t[key])) end
  end
  dump("decisions by kind:", by_kind)
  dump("decisions by plugin:", by_plugin)
  if failures > 0 then dump("failures by plugin:", failed_by_plugin) end
  if profile then
    print("cpu seconds by call:")
    for key, seconds in pairs(cpu_by_call) do print(string.format("  %-36s %.3f", key, seconds)) end
  end
end
for _, message in ipairs(messages) do print("failure: " .. message) end
print(string.format("as of %s: %d hook calls (%d per case: %s), %d chunk files%s; cpu load %.2f s, run %.2f s; "
  .. "total %.2f s; lua memory %.0f MB", TODAY, hook_calls, ncalls,
  (function()
    local names = {}
    for _, call in ipairs(calls) do names[#names + 1] = call.name .. ":" .. call.hook end
    return table.concat(names, " ")
  end)(), #meta.chunks, preload and " (preloaded)" or "", load_cpu, run_cpu, total, collectgarbage("count") / 1024))
print(string.format("baseline: %d cases, %d decisions, %d failures, load %.2f s, run %.2f s, %.0f cases/s",
  visited, decisions, failures, load_seconds, run_seconds, run_seconds > 0 and visited / run_seconds or 0))

-- Acknowledgement and communication: answer fast, in the customer's language, and keep them informed.
-- domain.md §3.2: a first answer within 24 hours (61% of customers left without one go elsewhere);
-- §5: keep the customer informed of progress; document everything.

local messages = {
  fr = {
    acknowledgement = "Bonjour,\n\nNous avons bien reçu votre réclamation (dossier n° %s) et la traitons en priorité. "
      .. "%s vous répondra au plus tard le %s.\n\n%s",
    progress = "Bonjour,\n\nVotre dossier n° %s est toujours suivi par %s. "
      .. "Nous revenons vers vous au plus tard le %s.\n\n%s",
  },
  en = {
    acknowledgement = "Hello,\n\nWe have received your complaint (case no. %s) and are handling it as a priority. "
      .. "%s will answer by %s at the latest.\n\n%s",
    progress = "Hello,\n\nYour case no. %s is still being handled by %s. "
      .. "We will get back to you by %s at the latest.\n\n%s",
  },
}

-- The departments as a letter names them.
local departments = {
  fr = { sales = "notre service commercial", accounting = "notre service comptabilité", quality = "notre service qualité",
    logistics = "notre service logistique", operations = "notre service des opérations",
    administration = "notre service administratif", legal = "notre service juridique", client = "notre service client" },
  en = { sales = "our sales department", accounting = "our accounting department", quality = "our quality department",
    logistics = "our logistics department", operations = "our operations department",
    administration = "our administration department", legal = "our legal department", client = "our customer service" },
}

local function capitalized(text) return (text:gsub("^%l", string.upper)) end

-- Answer where the customer wrote: a letter by letter, a public review in private by email.
local reply_channel = { letter = "letter", registered_letter = "letter", phone = "email", meeting = "email",
  web = "email", social = "email", email = "email" }

-- The letter in the customer's language: the department by name, the date in long form, signed by
-- the company.
local function text(case, name, by)
  local language = messages[case.customer.language] and case.customer.language or "fr"
  local department = departments[language][case.owner or "client"] or departments[language].client
  if name == "acknowledgement" then department = capitalized(department) end
  local company = litige.company()
  local signature = company.name ~= "" and company.name or (language == "fr" and "Le service client" or "Customer service")
  return string.format(messages[language][name], case.reference or tostring(case.id), department, litige.format_date(by, language), signature)
end

-- The day of the last letter or message to the customer, and how many progress updates were sent.
local function last_news(case)
  local last, updates = nil, 0
  for _, event in ipairs(case.history) do
    if event.kind == "send" or (event.kind == "communication" and event.data.direction == "out") then
      last = litige.date(event.at)
    end
    if event.kind == "send" and event.data.template:find("^progress_update") then updates = updates + 1 end
  end
  return last, updates
end

-- A progress update, once keep_informed_days have passed without news, on working days.
local function keep_informed(case, ctx)
  if case.status ~= "acknowledged" and case.status ~= "investigating" and case.status ~= "awaiting_customer" then return end
  if not litige.is_business_day() then return litige.wake_on(litige.next_business_day()) end
  local last, updates = last_news(case)
  if last == nil then return end   -- only a letter or a message (a change) starts the clock
  if litige.days_between(last, litige.today()) < ctx.config.keep_informed_days then
    return litige.wake_on(litige.add_days(last, ctx.config.keep_informed_days))
  end
  local by = litige.next_business_day(litige.add_days(litige.today(), ctx.config.keep_informed_days))
  case:send{ template = "progress_update_" .. (updates + 1), channel = "email", body = text(case, "progress", by),
    reason = "no news for " .. litige.days_between(last, litige.today()) .. " days: keep the customer informed" }
end

-- The first answer, with the date a full answer is promised by (a working day): a tracked commitment.
local function acknowledge(case, ctx)
  if case.status ~= "open" or case:has_sent("acknowledgement") then return end
  -- An e-mail answers the same day, any day; a postal letter is dated a working day.
  local channel = reply_channel[case.channel]
  if channel ~= "email" and not litige.is_business_day() then return litige.wake_on(litige.next_business_day()) end
  local by = litige.next_business_day(litige.add_days(litige.today(), ctx.config.answer_within_days))
  case:send{ template = "acknowledgement", channel = channel,
    body = text(case, "acknowledgement", by), reason = "first answer within 24 hours, in the customer's language" }
  -- The promised answer is a commitment the owner's queue tracks: a follow-up on that day.
  case:follow_up{ in_days = litige.days_between(litige.today(), by), reason = "answer promised to the customer by " .. by }
  -- On a working day too.
  local news_by = litige.next_business_day(litige.add_days(litige.today(), ctx.config.keep_informed_days))
  case:follow_up{ in_days = litige.days_between(litige.today(), news_by), reason = "keep the customer informed" }
end


return {
  name = "acknowledgement",
  version = "1.3.1",
  priority = 90,   -- after triage, which sets the owner and the deadline
  description = "Acknowledges every new case in the customer's language and keeps them informed.",
  config = {
    answer_within_days = { type = "integer", default = 5, min = 1, max = 60, doc = "Days promised for a full answer." },
    keep_informed_days = { type = "integer", default = 7, min = 1, max = 60, doc = "Follow-up interval to keep the customer informed." },
    reply_within_days = { type = "integer", default = 1, min = 1, max = 10, doc = "Days to answer a customer's message." },
  },

  triage = acknowledge,
  -- A case opened on a Sunday or a holiday, or imported, is acknowledged on the next working day; a
  -- customer left without news for keep_informed_days gets a progress update (domain.md §5).
  -- Needed again when the case changes, or on the day a progress update falls due (the night's
  -- wake-up index: the earliest date declared holds).
  nightly = function(case, ctx)
    litige.wake_on_change()
    acknowledge(case, ctx)
    keep_informed(case, ctx)
  end,

  on_communication = function(case, message, ctx)
    if message.direction ~= "in" or case.status == "resolved" or case.status == "closed" then return end
    case:follow_up{ in_days = ctx.config.reply_within_days, reason = "answer the customer's " .. message.channel .. " message" }
    if message.channel == "social" then
      case:tag("public_complaint", "the customer wrote in public")
      if case.priority > 1 then case:prioritize(1, "a public message makes the case urgent") end
    end
  end,
}

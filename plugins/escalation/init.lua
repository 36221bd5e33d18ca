-- Escalation: amicable -> mediation -> formal notice -> court, when a case makes no progress.
-- domain.md §3: mediation is costly and slow, so it may be skipped; the formal notice is a registered
-- letter and the proof that an amicable settlement was tried; court needs both (the core checks it,
-- and chooses the route by amount: request form up to 5,000 EUR, summons above, lawyer above 10,000).

local templates = {
  fr = require("templates.formal_notice_fr"),
  en = require("templates.formal_notice_en"),
}

local DAY = 86400

-- When the case reached its current level: the last escalation event, or its opening.
local function level_since(case)
  local since = case.opened_at
  for _, event in ipairs(case.history) do
    if event.kind == "escalate" and event.data.level == case.escalation then since = event.at end
    -- The formal notice runs from the letter, sent once a person decided.
    if case.escalation == "formal_notice" and event.kind == "send" and event.data.template == "formal_notice"
      and event.at > since then
      since = event.at
    end
  end
  return since
end

-- Days without progress: since the later of reaching the level, the customer's last message and the
-- customer's last answer to a proposal (the time an offer waited for the customer does not count).
local function idle_days(case, now)
  local since = level_since(case)
  for _, message in ipairs(case.communications) do
    if message.direction == "in" and message.at > since then since = message.at end
  end
  for _, event in ipairs(case.history) do
    local answered = event.kind == "accept_gesture" or event.kind == "refuse_gesture" or event.kind == "withdraw_gesture"
      or (event.kind == "status" and event.data.from == "proposed")
    if answered and event.at > since then since = event.at end
  end
  return (now - since) // DAY, since
end

-- The night's wake-up index (docs/policies.md): the ladder needs the case again when it changes, on the
-- day the idle time reaches `days`, or when what is collectable decides, the day it can change (a due
-- date passing: case.claimable_changes_on).
local function wake_after_idle(since, days) litige.wake_on(since + days * DAY) end
-- Waiting for something to be claimable: only a due date passing (or a recorded change) can do it.
local function wake_when_claimable_changes(case)
  if case.claimable_changes_on then litige.wake_on(case.claimable_changes_on) end
end

local words = {
  fr = {
    line = "  - facture %s du %s, échéance %s : %s",
    penalties = "Pénalités de retard (article L441-10 du Code de commerce) : %s ; indemnité forfaitaire pour frais de recouvrement (article D441-5) : %s.\n",
    interest = "Intérêts au taux légal (article 1231-6 du Code civil) : %s.\n",
  },
  en = {
    line = "  - invoice %s of %s, due %s: %s",
    penalties = "Late-payment penalties (French Commercial Code, article L441-10): %s; fixed recovery indemnity (article D441-5): %s.\n",
    interest = "Interest at the legal rate (French Civil Code, article 1231-6): %s.\n",
  },
}

-- The letter: the creditor's identity, each invoice still owing with its original due date, the
-- penalties the core computes (when the company claims them), a date to pay on a working day.
local function render(case, ctx)
  local customer = case.customer
  local language = templates[customer.language] and customer.language or "fr"
  local template, text = templates[language], words[language]
  local company = litige.company()
  -- Only what can be demanded today: the part still in dispute, or not due again, is not claimed.
  local lines, outstanding = {}, 0
  for _, invoice in ipairs(case.invoices) do
    if invoice.collectable > 0 then
      outstanding = outstanding + invoice.collectable
      lines[#lines + 1] = string.format(text.line, invoice.number, litige.format_date(invoice.issued_on, language),
        litige.format_date(invoice.due_on, language), litige.format_money(invoice.collectable, language))
    end
  end
  local penalty_lines, extra = "", 0
  -- Penalties on the disputed part are claimed only if the dispute is lost (receivables' penalty claim);
  -- the formal notice claims those of what is undisputed or overdue again.
  local ok, penalties = pcall(case.late_penalties, case, "waive")
  if ok and penalties and penalties.total > 0 then
    extra = penalties.total
    if penalties.basis == "late_penalties" then
      penalty_lines = string.format(text.penalties, litige.format_money(penalties.interest, language),
        litige.format_money(penalties.indemnity, language))
    else
      penalty_lines = string.format(text.interest, litige.format_money(penalties.interest, language))
    end
  end
  local legal = {}
  if company.legal_form ~= "" then legal[#legal + 1] = company.legal_form end
  if company.siren ~= "" then legal[#legal + 1] = "SIREN " .. company.siren end
  local facts = {
    creditor_name = company.name ~= "" and company.name or "—",
    creditor_legal = #legal > 0 and (", " .. table.concat(legal, ", ")) or "",
    creditor_address = company.address,
    today = litige.format_date(litige.today(), language),
    case_id = case.reference or tostring(case.id),
    customer_name = customer.name,
    opened_on = litige.format_date(litige.date(case.opened_at), language),
    invoice_lines = table.concat(lines, "\n") .. "\n",
    outstanding = litige.format_money(outstanding, language),
    penalty_lines = penalty_lines,
    total = litige.format_money(outstanding + extra, language),
    pay_by = litige.format_date(litige.next_business_day(litige.add_days(litige.today(), ctx.config.payment_days)), language),
  }
  return (template:gsub("{{([%w_]+)}}", function(key) return facts[key] or ("{{" .. key .. "}}") end)),
    extra > 0 and "waive" or nil
end

-- Sends the formal notice; the penalties it states are recorded as claimed (for the accounting feed).
local function send_formal_notice(case, ctx)
  local body, claim = render(case, ctx)
  case:send{ template = "formal_notice", channel = "registered_letter", body = body, claim_penalties = claim,
    reason = "formal notice by registered letter with acknowledgement of receipt" }
end

-- The core refuses a formal notice or court when nothing is owed (domain.md §4) and court without a
-- real amicable attempt (a proposal, a mediation, a conciliation); this policy does not ask for them.
local function claimable(case, level)
  if case.claimable > 0 then return true end
  wake_when_claimable_changes(case)
  if case.owed > 0 then
    case:tag("nothing_collectable", string.format("what is owed is in dispute or not due again: no %s", level))
  else
    case:tag("nothing_owed", string.format("nothing is owed on the invoices: no %s", level))
  end
  return false
end

-- Whether a conciliation, a mediation or a participative procedure is on record (a proposal is not).
local function cpc_750_1_attempt(case)
  for _, attempt in ipairs(case.attempts) do
    if attempt ~= "proposal" then return true end
  end
  return false
end

-- A person decides the formal notice and court (config ask_before_*): the policy puts the case in the
-- decision queue with its reason (tags formal_notice_proposed, court_proposed); once a person has
-- escalated (litige case escalate), the policy sends the formal notice letter on the next working day.
-- Whether a person escalated the case to its current level (litige case escalate, the REPL).
local function escalated_by_person(case)
  for index = #case.history, 1, -1 do
    local event = case.history[index]
    if event.kind == "escalate" and event.data.level == case.escalation then
      return event.source:sub(1, 5) == "user:"
    end
  end
  return false
end

local function propose(case, level, reason)
  local tag = level .. "_proposed"
  if not case:has_tag(tag) then case:tag(tag, reason .. ": a person decides (litige case escalate " .. case.id .. " " .. level .. ")") end
end

local function escalate(case, ctx)
  litige.wake_on_change()
  if case.status == "closed" then return end
  -- Letters go out on working days only (no Sunday, no public holiday).
  if not litige.is_business_day() then return litige.wake_on(litige.next_business_day()) end
  local config = ctx.config
  -- A resolved case is not escalated by this policy; a person may still decide a formal notice for
  -- the remainder (a broken promise), and then the letter goes out below.
  if case.status == "resolved" and not (case.escalation == "formal_notice" and escalated_by_person(case)) then
    return
  end
  -- Escalated by a person: the letter goes out once.
  if case.escalation == "formal_notice" and not case:has_sent("formal_notice") and escalated_by_person(case) then
    if not claimable(case, "formal notice") then return end
    send_formal_notice(case, ctx)
    return
  end
  -- A proposal awaiting the customer's answer pauses the ladder.
  if case.status == "proposed" then return end
  local idle, since = idle_days(case, ctx.now)
  local level = case.escalation
  local function to_formal_notice(why)
    if case.claimable <= 0 and case.owed > 0 then
      wake_when_claimable_changes(case)
      -- Everything owed is in dispute: nothing can be demanded until someone rules on the claim
      -- (rejected: the amount falls due again; accepted: it is conceded).
      if not case:has_tag("ruling_proposed") then
        case:tag("ruling_proposed", why .. ": what is owed is in dispute; a person rules on it (litige case resolve "
          .. case.id .. " --outcome rejected|partially_accepted|accepted)")
      end
      return
    end
    if not claimable(case, "formal notice") then return end
    if config.ask_before_formal_notice then return propose(case, "formal_notice", why) end
    case:escalate("formal_notice", why)
    send_formal_notice(case, ctx)
  end
  if level == "amicable" then
    if config.skip_mediation and idle >= config.formal_notice_after_days then
      to_formal_notice(idle .. " days without progress; mediation skipped by policy")
    elseif not config.skip_mediation and idle >= config.mediation_after_days then
      case:escalate("mediation", idle .. " days without progress in amicable talks")
    else
      wake_after_idle(since, config.skip_mediation and config.formal_notice_after_days or config.mediation_after_days)
    end
  elseif level == "mediation" and idle < config.formal_notice_after_days then
    wake_after_idle(since, config.formal_notice_after_days)
  elseif level == "mediation" then
    to_formal_notice(idle .. " days in mediation without agreement")
  elseif level == "formal_notice" and idle < config.court_after_days then
    wake_after_idle(since, config.court_after_days)
  elseif level == "formal_notice" then
    if not claimable(case, "court") then return end
    if case.owed < config.court_minimum then
      case:tag("write_off_candidate", string.format("%.2f %s owed is below the court minimum", case.owed, case.currency))
    elseif #case.attempts == 0 then
      case:tag("court_needs_amicable_attempt", "no proposal, mediation or conciliation on record")
    elseif config.ask_before_court then
      propose(case, "court", idle .. " days after the formal notice without payment")
    elseif case.customer.kind == "person" and case.owed <= 5000 and not cpc_750_1_attempt(case) then
      -- CPC 750-1: before the tribunal judiciaire up to 5,000 EUR only a conciliation, a mediation or a
      -- participative procedure opens the ordinary route; an order for payment needs none.
      case:escalate{ level = "court", procedure = "order_for_payment",
        reason = idle .. " days after the formal notice without payment: order for payment" }
    else
      case:escalate("court", idle .. " days after the formal notice without payment")
    end
  end
end

return {
  name = "escalation",
  version = "1.3.2",
  priority = 50,
  description = "Moves stalled cases up the ladder and sends the formal notice letter.",
  config = {
    mediation_after_days = { type = "integer", default = 30, min = 1, max = 365, doc = "Days of amicable talks without progress before mediation." },
    formal_notice_after_days = { type = "integer", default = 21, min = 1, max = 365, doc = "Days without progress before the formal notice." },
    court_after_days = { type = "integer", default = 30, min = 8, max = 365, doc = "Days after the formal notice before court." },
    skip_mediation = { type = "boolean", default = false, doc = "Go from amicable talks straight to the formal notice." },
    court_minimum = { type = "amount", default = 500, min = 0, doc = "Below this, a case is a write-off candidate rather than a court case." },
    payment_days = { type = "integer", default = 8, min = 1, max = 60, doc = "Days the formal notice gives to pay." },
    ask_before_formal_notice = { type = "boolean", default = true, doc = "A person decides the formal notice (work queue 'decision')." },
    ask_before_court = { type = "boolean", default = true, doc = "A person decides court (work queue 'decision')." },
  },
  escalate = escalate,
}

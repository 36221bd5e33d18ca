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
  end
  return since
end

-- Days without progress: since the later of reaching the level and the customer's last message.
local function idle_days(case, now)
  local since = level_since(case)
  for _, message in ipairs(case.communications) do
    if message.direction == "in" and message.at > since then since = message.at end
  end
  return (now - since) // DAY
end

local function money(amount, currency)
  local text = string.format("%.2f", amount)
  local whole, cents = text:match("^(%-?%d+)%.(%d+)$")
  whole = whole:reverse():gsub("(%d%d%d)", "%1 "):reverse():gsub("^ ", "")
  return whole .. "," .. cents .. " " .. currency
end

local function render(case, ctx)
  local customer = case.customer
  local template = templates[customer.language] or templates.fr
  local lines, outstanding = {}, 0
  for _, invoice in ipairs(case.invoices) do
    outstanding = outstanding + invoice.outstanding
    lines[#lines + 1] = string.format("  - %s du %s, échéance %s : %s", invoice.number, invoice.issued_on,
      invoice.due_on, money(invoice.outstanding, invoice.currency))
  end
  local attempts, last = 0, nil
  for _, message in ipairs(case.communications) do
    if message.direction == "out" then
      attempts = attempts + 1
      last = message.at
    end
  end
  local facts = {
    case_id = tostring(case.id),
    customer_name = customer.name,
    opened_on = litige.date(case.opened_at),
    attempts = tostring(attempts),
    last_attempt_on = last and litige.date(last) or litige.date(case.opened_at),
    invoice_lines = table.concat(lines, "\n") .. "\n",
    outstanding = money(outstanding, case.currency),
    pay_by = litige.add_days(litige.today(), ctx.config.payment_days),
  }
  return (template:gsub("{{([%w_]+)}}", function(key) return facts[key] or ("{{" .. key .. "}}") end))
end

-- The core refuses a formal notice or court when nothing is owed (domain.md §4) and court without a
-- real amicable attempt (a proposal, a mediation, a conciliation); this policy does not ask for them.
local function claimable(case, level)
  if case.owed > 0 then return true end
  case:tag("nothing_owed", string.format("nothing is owed on the invoices: no %s", level))
  return false
end

-- Whether a conciliation, a mediation or a participative procedure is on record (a proposal is not).
local function cpc_750_1_attempt(case)
  for _, attempt in ipairs(case.attempts) do
    if attempt ~= "proposal" then return true end
  end
  return false
end

local function escalate(case, ctx)
  if case.status == "resolved" or case.status == "closed" then return end
  -- A proposal awaiting the customer's answer pauses the ladder.
  if case.status == "proposed" then return end
  local config, idle = ctx.config, idle_days(case, ctx.now)
  local level = case.escalation
  if level == "amicable" then
    if config.skip_mediation and idle >= config.formal_notice_after_days then
      if not claimable(case, "formal notice") then return end
      case:escalate("formal_notice", idle .. " days without progress; mediation skipped by policy")
      case:send{ template = "formal_notice", channel = "registered_letter", body = render(case, ctx),
        reason = "formal notice by registered letter with acknowledgement of receipt" }
    elseif not config.skip_mediation and idle >= config.mediation_after_days then
      case:escalate("mediation", idle .. " days without progress in amicable talks")
    end
  elseif level == "mediation" and idle >= config.formal_notice_after_days then
    if not claimable(case, "formal notice") then return end
    case:escalate("formal_notice", idle .. " days in mediation without agreement")
    case:send{ template = "formal_notice", channel = "registered_letter", body = render(case, ctx),
      reason = "formal notice by registered letter with acknowledgement of receipt" }
  elseif level == "formal_notice" and idle >= config.court_after_days then
    if not claimable(case, "court") then return end
    if case.owed < config.court_minimum then
      case:tag("write_off_candidate", string.format("%.2f %s owed is below the court minimum", case.owed, case.currency))
    elseif #case.attempts == 0 then
      case:tag("court_needs_amicable_attempt", "no proposal, mediation or conciliation on record")
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
  version = "1.0.0",
  priority = 50,
  description = "Moves stalled cases up the ladder and sends the formal notice letter.",
  config = {
    mediation_after_days = { type = "integer", default = 30, min = 1, max = 365, doc = "Days of amicable talks without progress before mediation." },
    formal_notice_after_days = { type = "integer", default = 21, min = 1, max = 365, doc = "Days without progress before the formal notice." },
    court_after_days = { type = "integer", default = 30, min = 8, max = 365, doc = "Days after the formal notice before court." },
    skip_mediation = { type = "boolean", default = false, doc = "Go from amicable talks straight to the formal notice." },
    court_minimum = { type = "amount", default = 500, min = 0, doc = "Below this, a case is a write-off candidate rather than a court case." },
    payment_days = { type = "integer", default = 8, min = 1, max = 60, doc = "Days the formal notice gives to pay." },
  },
  escalate = escalate,
}

-- Receivables: late penalties on disputed invoices and the payment promise (domain.md §4).
-- Collection of a disputed invoice is suspended by the core when the case opens, and resumed with a
-- new due date when it is resolved. Late penalties are due by law between companies (ECB rate + 10
-- points, plus a 40 EUR recovery indemnity per invoice); while an invoice is disputed, a company either
-- waives them or lets them accrue quietly and claims them only if the customer loses the dispute.
-- A payment promise is judged by the core once its date has passed; a broken one resumes the chase.

-- The amounts come from the core (case:late_penalties): each day at its half-year's rate, the
-- contract's or the ECB rate + 10 points, never below three times the legal rate, a partial payment
-- lowering the base from the next day, the 40 EUR indemnity per invoice between businesses, and against
-- a consumer legal interest from the formal notice (docs/legal-rules.md).

local letters = {
  fr = {
    claim = "Objet : pénalités de retard — dossier n° %s\n\n%s\n\nConformément à l'article L441-10 du Code de commerce, "
      .. "les pénalités de retard et l'indemnité forfaitaire pour frais de recouvrement (article D441-5) s'élèvent à %s :\n%s\n"
      .. "Nous vous remercions de régler cette somme au plus tard le %s.\n\n%s",
    line = "  - facture %s : %s de pénalités (%d jour%s)%s",
    indemnity = " et %s d'indemnité forfaitaire",
    reminder = "Objet : promesse de paiement — dossier n° %s\n\nVous vous étiez engagé à régler %s au plus tard le %s ; "
      .. "nous avons reçu %s à ce jour. Nous vous remercions de régulariser la situation sans délai.\n\n%s",
  },
  en = {
    claim = "Re: late-payment penalties — case %s\n\n%s\n\nUnder article L441-10 of the French Commercial Code, late-payment "
      .. "penalties and the fixed recovery indemnity (article D441-5) amount to %s:\n%s\n"
      .. "Please pay this amount by %s.\n\n%s",
    line = "  - invoice %s: %s of penalties (%d day%s)%s",
    indemnity = " and %s fixed indemnity",
    reminder = "Re: payment promise — case %s\n\nYou promised to pay %s by %s; we have received %s so far. "
      .. "Please settle the balance without delay.\n\n%s",
  },
}

local function letter_language(case)
  return letters[case.customer.language] and case.customer.language or "fr"
end

local function signature()
  local company = litige.company()
  local parts = { company.name }
  if company.legal_form ~= "" then parts[#parts + 1] = company.legal_form end
  if company.siren ~= "" then parts[#parts + 1] = "SIREN " .. company.siren end
  return table.concat(parts, " — ") .. (company.address ~= "" and ("\n" .. company.address) or "")
end

local function penalty_letter(case, penalties, config)
  local language = letter_language(case)
  local text = letters[language]
  local lines = {}
  for _, row in ipairs(penalties.invoices) do
    if row.interest > 0 or row.indemnity > 0 then
      lines[#lines + 1] = string.format(text.line, row.number, litige.format_money(row.interest, language), row.days,
        row.days > 1 and "s" or "",
        row.indemnity > 0 and string.format(text.indemnity, litige.format_money(row.indemnity, language)) or "")
    end
  end
  local pay_by = litige.next_business_day(litige.add_days(litige.today(), config.payment_days))
  return string.format(text.claim, case.reference or tostring(case.id), case.customer.name, litige.format_money(penalties.total, language),
    table.concat(lines, "\n"), litige.format_date(pay_by, language), signature())
end

-- The penalties the core computes, or nil after tagging the case when a half-year's rate is missing
-- from the company's tables: a person adds it to litige.toml; the night goes on.
local function penalties(case, mode)
  local ok, result = pcall(case.late_penalties, case, mode)
  if ok then return result end
  local message = tostring(result):match("(no .- rate for %d+%-H%d: .*)$") or tostring(result)
  case:tag("penalty_rates_missing", message)
  return nil
end

-- The new due date of the case's latest resolution, if it set one.
local function new_due_date(case)
  for index = #case.history, 1, -1 do
    local event = case.history[index]
    if event.kind == "resolve" then return event.data.new_due_date end
  end
  return nil
end

-- The day template `name` was last sent on the case, or nil.
local function sent_on(case, name)
  for index = #case.history, 1, -1 do
    local event = case.history[index]
    if event.kind == "send" and event.data.template == name then return litige.date(event.at) end
  end
  return nil
end

-- The night's wake-up index (docs/policies.md).
local function wake_tomorrow() litige.wake_on(litige.add_days(litige.today(), 1)) end

-- The day after the first due date still to come on the case's invoices: penalties start running then.
local function wake_at_next_due_date(case)
  local today, first = litige.today(), nil
  for _, invoice in ipairs(case.invoices) do
    if invoice.due_on >= today and (first == nil or invoice.due_on < first) then first = invoice.due_on end
  end
  if first then litige.wake_on(litige.add_days(first, 1)) end
end

local function nightly(case, ctx)
  local config, customer = ctx.config, case.customer
  litige.wake_on_change()
  if case.status ~= "resolved" and case.status ~= "closed" then
    if customer.kind ~= "company" then return end   -- the legal late penalties are between companies
    -- Tagged once: nothing more until the case changes.
    local waived = litige.company().penalties_on_disputed ~= "accrue"
    if case:has_tag(waived and "late_penalties_waived" or "late_penalties_accruing") then return end
    local accruing = penalties(case, "accrue")
    -- A missing rate is added to litige.toml, which makes the next night visit every case.
    if accruing == nil then return end
    if accruing.total <= 0 then return wake_at_next_due_date(case) end
    if litige.company().penalties_on_disputed ~= "accrue" then
      case:tag("late_penalties_waived", #accruing.invoices .. " disputed invoice(s) past due: penalties waived by policy")
    else
      case:tag("late_penalties_accruing", string.format("%.2f %s accrued on %d invoice(s), not claimed while disputed",
        accruing.total, case.currency, #accruing.invoices))
    end
    return
  end
  if case.status ~= "resolved" then return end
  if not litige.is_business_day() then return litige.wake_on(litige.next_business_day()) end

  -- The core judges the promise once its date has passed; a broken or partly kept one resumes the chase.
  local promise = case.promise
  if promise and promise.status == "pending" and litige.today() > promise.due_on then
    case:judge_promise("the promised date " .. promise.due_on .. " has passed")
    promise = case.promise
  elseif promise and promise.status == "pending" then
    litige.wake_on(litige.add_days(promise.due_on, 1))
  end
  if promise and (promise.status == "broken" or promise.status == "partly_kept") and not case:has_sent("promise_reminder") then
    local language = letter_language(case)
    case:tag("chasing_resumed", "payment promise " .. promise.status:gsub("_", " "))
    case:send{ template = "promise_reminder", channel = "email", reason = "the customer did not pay as promised",
      body = string.format(letters[language].reminder, case.reference or tostring(case.id), litige.format_money(promise.amount, language),
        litige.format_date(promise.due_on, language), litige.format_money(promise.paid_since, language), signature()) }
    if customer.broken_promises > 0 then
      case:tag("repeat_broken_promise", customer.broken_promises .. " earlier broken promise(s)")
    end
  end
  -- The reminder went unheeded: a person decides a formal notice for the remainder (decision queue).
  if promise and (promise.status == "broken" or promise.status == "partly_kept") and case.claimable <= 0
    and case.escalation ~= "formal_notice" and case.escalation ~= "court" and not case:has_tag("formal_notice_proposed") then
    -- What is collectable moves with the invoices' due dates: needed again when one passes.
    if case.claimable_changes_on then litige.wake_on(case.claimable_changes_on) end
  end
  if promise and (promise.status == "broken" or promise.status == "partly_kept") and case.claimable > 0
    and case.escalation ~= "formal_notice" and case.escalation ~= "court" and not case:has_tag("formal_notice_proposed") then
    local reminded = sent_on(case, "promise_reminder")
    if reminded then litige.wake_on(litige.add_days(reminded, config.payment_days)) end
    if reminded and litige.days_between(reminded, litige.today()) >= config.payment_days then
      case:tag("formal_notice_proposed", string.format("the promise was %s and the reminder of %s went unheeded: "
        .. "a person decides a formal notice for the %.2f %s still due (litige case escalate %d formal_notice)",
        promise.status:gsub("_", " "), reminded, case.claimable, case.currency, case.id))
    end
  end

  -- Penalties are claimed when the customer lost the dispute (accrued from the original due date) or
  -- when the new due date agreed at resolution was missed (from that date).
  -- A formal notice already claimed the penalties and the indemnity (D441-5: once per invoice).
  if customer.kind ~= "company" or case:has_sent("penalty_claim") or case:has_sent("formal_notice") then return end
  -- The company's setting ([company] penalties_on_disputed) decides; the plugin's own late_penalties
  -- can only ask to waive more.
  local accrue = litige.company().penalties_on_disputed == "accrue" and config.late_penalties ~= "waive_always"
  local lost = case.outcome == "rejected" and accrue
  if not lost then
    -- Not before the new due date the resolution agreed has passed (the claim's letter says it was
    -- missed); without one, the remainder fell due on the invoices' own dates.
    local agreed = new_due_date(case)
    if agreed ~= nil and litige.today() <= agreed then return litige.wake_on(litige.add_days(agreed, 1)) end
  end
  if case.owed <= 0 then return end   -- nothing owed: only a change (an invoice, a payment) matters
  local claim = penalties(case, lost and "accrue" or "waive")
  -- What can be claimed moves with the invoices' due dates: look again tomorrow.
  if claim == nil then return end   -- a missing rate: see above
  if claim.total <= 0 or (not lost and case.claimable <= 0) then return wake_tomorrow() end
  case:send{ template = "penalty_claim", channel = "registered_letter", claim_penalties = lost and "accrue" or "waive",
    reason = lost and "the dispute was rejected: the penalties accrued meanwhile are claimed"
      or "the new due date was missed: late penalties are claimed",
    body = penalty_letter(case, claim, config) }
end

return {
  name = "receivables",
  version = "1.4.2",
  priority = 60,
  description = "Late penalties on disputed invoices (waived or accrued) and payment promises kept or broken.",
  config = {
    late_penalties = { type = "string", default = "waive", one_of = { "waive", "accrue", "waive_always" },
      doc = "Since 1.2.0 the company's [company] penalties_on_disputed decides; waive_always never claims accrued penalties even then." },
    penalty_rate = { type = "number", default = 0, min = 0, max = 50,
      doc = "Ignored since 1.1.0: the rate is the contract's ([company] penalty_rate) or the ECB rate + 10 points of each half-year." },
    recovery_indemnity = { type = "amount", default = 40, min = 0,
      doc = "Ignored since 1.1.0: the 40 EUR indemnity of Code de commerce D441-5 is applied by the core." },
    payment_days = { type = "integer", default = 8, min = 1, max = 60, doc = "Days a penalty claim gives to pay." },
  },
  nightly = nightly,
}

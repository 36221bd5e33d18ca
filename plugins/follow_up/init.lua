-- Prevention and follow-up after a dispute (domain.md §3.9 and §5): check the customer is satisfied,
-- show the relationship is valued with a loyalty gesture, and remind them before the new due date
-- agreed at resolution, so that the settlement does not turn into a second dispute. Before the due dates
-- of a customer's other invoices, once they have had a dispute, a preventive reminder (relance
-- préventive, domain.md §5) surfaces a disagreement before it becomes an unpaid invoice.

local DAY = 86400

local function resolution(case)
  for index = #case.history, 1, -1 do
    local event = case.history[index]
    if event.kind == "resolve" then return event end
  end
  return nil
end


local function has_voucher(case)
  for _, gesture in ipairs(case.gestures) do
    if gesture.kind == "voucher" then return true end
  end
  return false
end

local letters = {
  fr = {
    survey = "Bonjour,\n\nVotre réclamation (dossier n° %s) a été traitée il y a quelques jours. Êtes-vous satisfait "
      .. "de la solution apportée ? Votre avis nous aide à mieux vous servir : il vous suffit de répondre à ce message.\n\n%s",
    preventive = "Bonjour,\n\nNotre facture n° %s, d'un montant de %s, arrive à échéance le %s. Si un point de "
      .. "cette facture vous semble inexact, dites-le-nous dès maintenant en répondant à ce message : nous le "
      .. "réglerons avant l'échéance. Si le paiement est déjà parti, merci de ne pas tenir compte de ce message.\n\n%s",
    reminder = "Bonjour,\n\nComme convenu lors du règlement de votre réclamation (dossier n° %s), le solde de %s est à "
      .. "régler au plus tard le %s. Si le paiement est déjà parti, merci de ne pas tenir compte de ce message.\n\n%s",
  },
  en = {
    survey = "Hello,\n\nYour complaint (case no. %s) was settled a few days ago. Are you satisfied with the solution? "
      .. "Your opinion helps us serve you better: simply reply to this message.\n\n%s",
    preventive = "Hello,\n\nOur invoice no. %s, for %s, is due on %s. If anything on it looks wrong to you, "
      .. "tell us now by replying to this message and we will put it right before the due date. If you have "
      .. "already paid, please disregard this message.\n\n%s",
    reminder = "Hello,\n\nAs agreed when your complaint (case no. %s) was settled, the balance of %s is due by %s. "
      .. "If you have already paid, please disregard this message.\n\n%s",
  },
}

local function language_of(case) return letters[case.customer.language] and case.customer.language or "fr" end

local function signature(language)
  local name = litige.company().name
  if name ~= "" then return name end
  return language == "fr" and "Le service client" or "Customer service"
end

-- The night's wake-up index (docs/policies.md): needed again when the case changes, on the day the
-- survey falls due and on the day the payment reminder does.
local function follow_up(case, ctx)
  litige.wake_on_change()
  if case.status ~= "resolved" then return end
  -- Letters go out on working days.
  if not litige.is_business_day() then return litige.wake_on(litige.next_business_day()) end
  local resolved = resolution(case)
  if resolved == nil then return end
  local config = ctx.config
  local days_since = (ctx.now - resolved.at) // DAY
  -- Not after a rejected claim, nor once the company has claimed penalties or sent a formal notice.
  local chased = case:has_sent("penalty_claim") or case:has_sent("formal_notice") or resolved.data.outcome == "rejected"
  if days_since >= config.satisfaction_after_days and not case:has_sent("satisfaction_survey") and not chased then
    local language = language_of(case)
    case:send{ template = "satisfaction_survey", channel = "email",
      body = string.format(letters[language].survey, case.reference or tostring(case.id), signature(language)),
      reason = days_since .. " days after resolution: is the customer satisfied?" }
    if config.loyalty_voucher > 0 and (case.customer.vip or not config.loyalty_vip_only) and not has_voucher(case)
      and resolved.data.outcome ~= "rejected" then
      case:propose_gesture{ kind = "voucher", amount = config.loyalty_voucher,
        reason = "loyalty incentive after the dispute" }
    end
  elseif not case:has_sent("satisfaction_survey") and not chased then
    litige.wake_on(resolved.at + config.satisfaction_after_days * DAY)
  end
  local due = resolved.data.new_due_date
  if due then
    local days_left = litige.days_between(litige.today(), due)
    if days_left >= 0 and days_left <= config.reminder_days_before_due and not case:has_sent("payment_reminder")
      and case.owed > 0 then
      local language = language_of(case)
      case:send{ template = "payment_reminder", channel = "email",
        body = string.format(letters[language].reminder, case.reference or tostring(case.id), litige.format_money(case.owed, language),
          litige.format_date(due, language), signature(language)),
        reason = "preventive reminder: payment due on " .. due .. " as agreed" }
    elseif days_left > config.reminder_days_before_due and not case:has_sent("payment_reminder") then
      litige.wake_on(litige.add_days(due, -config.reminder_days_before_due))
    end
  end
end

-- The night's invoice pass: `invoice` is owed, in no dispute, due within 30 days, and its customer has
-- had a dispute (`case` is their latest case, where the letter is kept as proof).
-- The invoice pass's wake-up index: the invoice is needed again on the day its notice starts, or when
-- it changes (a payment, a new due date).
local function before_due(case, invoice, ctx)
  litige.wake_on_change()
  local notice = ctx.config.preventive_days_before_due
  if notice == 0 then return end
  if not litige.is_business_day() then return litige.wake_on(litige.next_business_day()) end
  local days_left = litige.days_between(litige.today(), invoice.due_on)
  if days_left > notice then return litige.wake_on(litige.add_days(invoice.due_on, -notice)) end
  if days_left < 0 or invoice.owed <= 0 then return end
  -- Once per invoice, whichever of the customer's cases kept the letter.
  if (invoice.sent or {}).preventive_reminder or case:has_sent("preventive_reminder", invoice.number) then return end
  local language = language_of(case)
  case:send{ template = "preventive_reminder", channel = "email", invoice = invoice.number,
    body = string.format(letters[language].preventive, invoice.number, litige.format_money(invoice.owed, language),
      litige.format_date(invoice.due_on, language), signature(language)),
    reason = "preventive reminder: invoice " .. invoice.number .. " due on " .. invoice.due_on
      .. " for a customer with a dispute history" }
end

return {
  name = "follow_up",
  version = "1.4.1",
  priority = 20,
  description = "After resolution: satisfaction survey, loyalty voucher, reminder before the agreed due date; preventive reminders before other invoices' due dates.",
  config = {
    satisfaction_after_days = { type = "integer", default = 7, min = 1, max = 90, doc = "Days after resolution before asking for satisfaction." },
    loyalty_voucher = { type = "amount", default = 20, min = 0, doc = "Voucher offered after resolution (0: none)." },
    loyalty_vip_only = { type = "boolean", default = false, doc = "Offer the loyalty voucher to VIP customers only." },
    reminder_days_before_due = { type = "integer", default = 5, min = 0, max = 30, doc = "Days before the agreed due date to remind the customer." },
    preventive_days_before_due = { type = "integer", default = 7, min = 0, max = 30, doc = "Days before the due date of another open invoice of a customer with a dispute history to send a preventive reminder (0: none)." },
  },
  nightly = follow_up,
  before_due = before_due,
}

-- Compensation: which commercial gesture (geste commercial) to propose, and how much.
-- domain.md §3.4 and §4: solutions are proposed; the customer accepts or refuses them; each gesture
-- changes what the customer owes, is traceable, and stays within limits. The core grants a gesture
-- only once the customer accepted it and, above its kind's cap or the disputed amount, a named
-- approver approved it (litige gesture approve): this policy proposes, people decide; an offer that
-- needs an approval reaches the customer only once approved. It proposes
-- once per case (never a second gesture on the same grievance), waits for the investigation where
-- the category calls for one, and proposes nothing once the case is at formal notice or court.

-- When the company is at fault, the gesture repairs the error; otherwise it is goodwill.
local repair = {
  double_billing = { kind = "credit_note", share = 100, why = "cancel the duplicate invoice" },
  price = { kind = "discount", share = 100, why = "apply the agreed price" },
  missing_or_defective = { kind = "replacement", share = 100, why = "replace what was missing or broken" },
  delivery = { kind = "credit_note", share = 100, why = "credit what did not match the order" },
}

-- The proposal as the customer reads it, in their language.
local offers = {
  fr = {
    discount = "une remise de %s", credit_note = "un avoir de %s", refund = "un remboursement de %s",
    replacement = "le remplacement des articles concernés (valeur %s)", voucher = "un bon d'achat de %s",
    letter = "Bonjour,\n\nSuite à votre réclamation (dossier n° %s), nous vous proposons %s. Merci de nous indiquer "
      .. "si cette proposition vous convient en répondant à ce message.\n\n%s",
  },
  en = {
    discount = "a discount of %s", credit_note = "a credit note of %s", refund = "a refund of %s",
    replacement = "a replacement of the items concerned (worth %s)", voucher = "a voucher of %s",
    letter = "Hello,\n\nFollowing your complaint (case no. %s), we propose %s. Please let us know whether this "
      .. "suits you by replying to this message.\n\n%s",
  },
}

local function proposal_letter(case, kind, amount)
  local language = offers[case.customer.language] and case.customer.language or "fr"
  local words = offers[language]
  local name = litige.company().name
  if name == "" then name = language == "fr" and "Le service client" or "Customer service" end
  return string.format(words.letter, case.reference or tostring(case.id), string.format(words[kind], litige.format_money(amount, language)), name)
end

-- Whether the case was answered and filed before today: what the night's later hooks decide tonight
-- (the acknowledgement, a category) is looked at tomorrow, so that running the night again on the same
-- day changes nothing.
local function settled_before_today(case)
  local today = litige.today()
  for _, event in ipairs(case.history) do
    if (event.kind == "status" and event.data.from == "open") or event.kind == "categorize" then
      if litige.date(event.at) >= today then return false end
    end
  end
  return true
end

-- Whether a person has worked the case (domain.md §3.3: the facts are checked before any solution).
local function investigated(case)
  for _, event in ipairs(case.history) do
    -- Recording the customer's own message or a payment is not working the case.
    local kind = event.kind
    if event.source:sub(1, 5) == "user:" and kind ~= "opened" and kind ~= "status" and kind ~= "communication"
      and kind ~= "payment" then
      return true
    end
  end
  for _, message in ipairs(case.communications) do
    if message.direction == "out" then return true end   -- an answer someone wrote (letters are events)
  end
  return false
end

local function contains(list, value)
  for _, item in ipairs(list) do if item == value then return true end end
  return false
end

return {
  name = "compensation",
  version = "1.3.1",
  priority = 40,
  description = "Proposes the gesture a case calls for, within caps; flags those that need approval.",
  config = {
    fault_categories = { type = "list", default = { "double_billing", "price", "missing_or_defective", "delivery" },
      doc = "Categories where the company is presumed at fault unless the case is tagged customer_fault." },
    goodwill_percent = { type = "integer", default = 10, min = 0, max = 100, doc = "Goodwill voucher, in % of the disputed amount." },
    vip_goodwill_percent = { type = "integer", default = 15, min = 0, max = 100, doc = "Goodwill voucher for VIP customers." },
    goodwill_minimum = { type = "amount", default = 10, min = 0, doc = "No goodwill gesture below this amount." },
    approval_threshold = { type = "amount", default = 1000, min = 0,
      doc = "Gestures above this are tagged gesture_needs_approval for the approval queue (the core's caps decide)." },
    investigate_first = { type = "list", default = { "quality", "missing_or_defective" },
      doc = "Categories whose gesture waits until the case is being investigated." },
  },

  compensate = function(case, ctx)
    -- Nothing here depends on the date but the working day and what was decided today: needed again when
    -- the case changes (an approval, an answer, a person's work), or tomorrow (wake-up index).
    litige.wake_on_change()
    if case.status == "resolved" or case.status == "closed" then return end
    -- Letters go out on working days only.
    if not litige.is_business_day() then return litige.wake_on(litige.next_business_day()) end
    -- An offer that needed an approval reaches the customer once a named approver has approved it.
    local pending = case.gestures[#case.gestures]
    if pending ~= nil then
      if pending.state == "proposed" and pending.approved_by ~= nil and not case:has_sent("proposal") then
        case:send{ template = "proposal", channel = "email", body = proposal_letter(case, pending.kind, pending.amount),
          reason = "the offer approved by " .. pending.approved_by .. " is proposed to the customer" }
      end
      return
    end
    -- Nobody has looked at a case that was not answered yet; nothing is offered on the way to court.
    if case.status == "open" or case.category == nil then return end
    if not settled_before_today(case) then return litige.wake_on(litige.add_days(litige.today(), 1)) end
    if case.escalation == "formal_notice" or case.escalation == "court" then return end
    local config = ctx.config
    -- Where the category calls for an investigation, a person must have worked the case: assigned it,
    -- recorded an answer or an attempt (a customer's own message is not an investigation).
    if contains(config.investigate_first, case.category) and not investigated(case) then return end
    local at_fault = case.category ~= nil and contains(config.fault_categories, case.category)
      and not case:has_tag("customer_fault")
    local kind, amount, why
    if at_fault and repair[case.category] then
      local rule = repair[case.category]
      kind, amount, why = rule.kind, case.disputed * rule.share / 100, rule.why
    else
      local percent = case.customer.vip and config.vip_goodwill_percent or config.goodwill_percent
      kind, amount = "voucher", case.disputed * percent / 100
      why = string.format("goodwill voucher of %d%%%s", percent, case.customer.vip and " for a VIP customer" or "")
      if amount < config.goodwill_minimum then return end
      amount = math.min(amount, litige.gesture_cap(kind) or amount)   -- goodwill stays within the cap
    end
    local cap = litige.gesture_cap(kind)
    case:propose_gesture{ kind = kind, amount = amount, reason = why }
    if amount > config.approval_threshold or (cap and amount > cap) then
      -- The customer hears of it only once an approver has decided (litige gesture approve).
      case:tag("gesture_needs_approval", string.format("a %s of %.2f %s is above the %s", kind, amount,
        case.currency, (cap and amount > cap) and "company's cap for " .. kind .. "s" or "approval threshold"))
      return
    end
    case:send{ template = "proposal", channel = "email", body = proposal_letter(case, kind, amount),
      reason = "the solution proposed to the customer, who accepts or refuses it" }
  end,
}

-- Compensation: which commercial gesture (geste commercial), how much, and who must approve it.
-- domain.md §4: discount, credit note, refund, replacement, voucher; each changes what the customer
-- owes, is traceable, and stays within limits. The core refuses a gesture above the cap of its kind
-- or above the disputed amount unless an approval is recorded; this policy never records approvals
-- itself: above its threshold it tags the case for a person to decide.

-- When the company is at fault, the gesture repairs the error; otherwise it is goodwill.
local repair = {
  double_billing = { kind = "credit_note", share = 100, why = "cancel the duplicate invoice" },
  price = { kind = "discount", share = 100, why = "apply the agreed price" },
  missing_or_defective = { kind = "replacement", share = 100, why = "replace what was missing or broken" },
  delivery = { kind = "credit_note", share = 100, why = "credit what did not match the order" },
}

local function contains(list, value)
  for _, item in ipairs(list) do if item == value then return true end end
  return false
end

return {
  name = "compensation",
  version = "1.0.0",
  priority = 40,
  description = "Proposes the gesture a case calls for, within caps; flags those that need approval.",
  config = {
    fault_categories = { type = "list", default = { "double_billing", "price", "missing_or_defective", "delivery" },
      doc = "Categories where the company is presumed at fault unless the case is tagged customer_fault." },
    goodwill_percent = { type = "integer", default = 10, min = 0, max = 100, doc = "Goodwill voucher, in % of the disputed amount." },
    vip_goodwill_percent = { type = "integer", default = 15, min = 0, max = 100, doc = "Goodwill voucher for VIP customers." },
    goodwill_minimum = { type = "amount", default = 10, min = 0, doc = "No goodwill gesture below this amount." },
    approval_threshold = { type = "amount", default = 1000, min = 0, doc = "Gestures above this need a person's approval." },
  },

  compensate = function(case, ctx)
    if case.status == "resolved" or case.status == "closed" or #case.gestures > 0 then return end
    local config = ctx.config
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
    if amount > config.approval_threshold or (cap and amount > cap) then
      case:tag("gesture_needs_approval", string.format("a %s of %.2f %s is above the %s", kind, amount,
        case.currency, (cap and amount > cap) and "company's cap for " .. kind .. "s" or "approval threshold"))
      return
    end
    case:propose_gesture{ kind = kind, amount = amount, reason = why }
  end,
}

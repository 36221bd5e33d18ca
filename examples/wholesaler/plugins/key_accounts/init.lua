-- Key accounts: disputes of strategic customers go to their account manager in sales, come second
-- only to emergencies, and are flagged for review before any legal step.
return {
  name = "key_accounts",
  version = "1.0.0",
  priority = 95,   -- after triage (100), before acknowledgement (90)
  description = "Routes strategic customers' disputes to sales and flags them before legal steps.",
  config = {
    segments = { type = "list", default = { "industry" }, doc = "Customer segments that are key accounts." },
  },
  triage = function(case, ctx)
    local customer = case.customer
    local key = customer.vip
    for _, segment in ipairs(ctx.config.segments) do
      if customer.segment == segment then key = true end
    end
    if not key then return end
    case:tag("key_account", "segment " .. customer.segment .. (customer.vip and ", VIP" or ""))
    if case.owner ~= "sales" then case:assign("sales", "the account manager owns key accounts' disputes") end
    if case.priority > 2 then case:prioritize(2, "key account") end
  end,
  escalate = function(case, ctx)
    if case:has_tag("key_account") and case.escalation == "formal_notice" then
      case:tag("legal_review", "a key account: sales reviews before court")
    end
  end,
}

-- Receivables: late penalties on disputed invoices and the payment promise (domain.md §4).
-- Collection of a disputed invoice is suspended by the core when the case opens, and resumed with a
-- new due date when it is resolved. Late penalties are due by law between companies (ECB rate + 10
-- points, plus a 40 EUR recovery indemnity per invoice); while an invoice is disputed, a company either
-- waives them or lets them accrue quietly and claims them only if the customer loses the dispute.
-- A payment promise is judged by the core once its date has passed; a broken one resumes the chase.

local DAY = 86400


-- Penalties accrued on the case's invoices from their due date until `until_date`.
local function accrued(case, config, until_date)
  local total, count = 0, 0
  for _, invoice in ipairs(case.invoices) do
    local days = litige.days_between(invoice.due_on, until_date)
    if days > 0 and invoice.outstanding > 0 then
      total = total + invoice.outstanding * config.penalty_rate / 100 * days / 365 + config.recovery_indemnity
      count = count + 1
    end
  end
  return total, count
end

local function resolution_date(case)
  for index = #case.history, 1, -1 do
    if case.history[index].kind == "resolve" then return litige.date(case.history[index].at) end
  end
  return litige.today()
end

local function nightly(case, ctx)
  local config, customer = ctx.config, case.customer
  if case.status ~= "resolved" and case.status ~= "closed" then
    if customer.kind ~= "company" then return end   -- the legal late penalties are between companies
    local amount, late = accrued(case, config, litige.today())
    if late == 0 then return end
    if config.late_penalties == "waive" then
      case:tag("late_penalties_waived", late .. " disputed invoice(s) past due: penalties waived by policy")
    else
      case:tag("late_penalties_accruing", string.format("%.2f %s accrued on %d invoice(s), not claimed while disputed",
        amount, case.currency, late))
    end
    return
  end
  if case.status ~= "resolved" then return end

  local promise = case.promise
  if promise and promise.status == "pending" and litige.today() > promise.due_on then
    case:judge_promise("the promised date " .. promise.due_on .. " has passed")
    local judged = case.promise.status
    if judged ~= "kept" then
      case:tag("chasing_resumed", "payment promise " .. judged:gsub("_", " "))
      case:send{ template = "promise_reminder", channel = "email", reason = "the customer did not pay as promised",
        body = string.format("Case %d: %.2f %s promised for %s, %.2f received.", case.id, promise.amount,
          case.currency, promise.due_on, promise.paid_since) }
      if customer.broken_promises > 0 then
        case:tag("repeat_broken_promise", customer.broken_promises .. " earlier broken promise(s)")
      end
    end
  end

  if config.late_penalties == "accrue" and case.outcome == "rejected" and customer.kind == "company"
    and not case:has_sent("penalty_claim") then
    local amount, late = accrued(case, config, resolution_date(case))
    if late > 0 then
      case:send{ template = "penalty_claim", channel = "registered_letter",
        reason = "the dispute was rejected: the penalties accrued meanwhile are claimed",
        body = string.format("Late penalties and recovery indemnities on %d invoice(s): %.2f %s.", late, amount,
          case.currency) }
    end
  end
end

return {
  name = "receivables",
  version = "1.0.0",
  priority = 60,
  description = "Late penalties on disputed invoices (waived or accrued) and payment promises kept or broken.",
  config = {
    late_penalties = { type = "string", default = "waive", one_of = { "waive", "accrue" },
      doc = "On a disputed invoice: waive late penalties, or let them accrue and claim them if the claim is rejected." },
    penalty_rate = { type = "number", default = 14.15, min = 0, max = 50, doc = "Annual rate in %: the ECB rate + 10 points." },
    recovery_indemnity = { type = "amount", default = 40, min = 0, doc = "Fixed recovery indemnity per late invoice." },
  },
  nightly = nightly,
}

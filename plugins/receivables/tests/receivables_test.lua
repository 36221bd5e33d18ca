-- Policy tests of the standard receivables plugin. Run with: litige test plugins/receivables
local late_invoice = { { number = "F-1", total = 10000, issued_on = "2025-10-01", due_on = "2025-11-16" } }

return {
  {
    name = "penalties on a disputed invoice are waived by default",
    case = { reason = "prix", status = "investigating" },
    invoices = late_invoice,
    hooks = { "nightly" },
    expect = { { "tag", "late_penalties_waived" } },
  },
  {
    name = "or they accrue quietly: legal rate and recovery indemnity",
    case = { reason = "prix", status = "investigating" },
    invoices = late_invoice,
    config = { late_penalties = "accrue" },
    hooks = { "nightly" },
    expect = { { "tag", "late_penalties_accruing" } },
    check = function(case)
      -- 10,000 EUR x 14.15 % x 60 days / 365 = 232.60, plus 40.00
      local reason = case.history[#case.history].reason
      assert(reason:find("272.60 EUR accrued on 1 invoice", 1, true), reason)
    end,
  },
  {
    name = "no legal late penalties for a consumer",
    customer = { kind = "person" },
    case = { reason = "prix", status = "investigating" },
    invoices = late_invoice,
    hooks = { "nightly" },
    expect = {},
  },
  {
    name = "a promise paid in full is kept",
    case = { reason = "prix", status = "resolved" },
    invoices = { { total = 900 } },
    promise = { amount = 500, due_on = "2026-01-10", paid_since = 500 },
    hooks = { "nightly" },
    expect = { { "judge_promise", "kept" } },
  },
  {
    name = "a promise not paid is broken and the chase resumes",
    case = { reason = "prix", status = "resolved" },
    invoices = { { total = 900 } },
    promise = { amount = 500, due_on = "2026-01-10", paid_since = 0 },
    hooks = { "nightly", "nightly" },
    expect = { { "judge_promise", "broken" }, { "tag", "chasing_resumed" }, { "send", "promise_reminder" } },
    check = function(case)
      assert(case.promise.status == "broken")
      assert(case.customer.broken_promises == 1)
    end,
  },
  {
    name = "a promise paid in part is partly kept, and chased",
    case = { reason = "prix", status = "resolved" },
    invoices = { { total = 900 } },
    promise = { amount = 500, due_on = "2026-01-10", paid_since = 200 },
    hooks = { "nightly" },
    expect = { { "judge_promise", "partly_kept" }, { "tag", "chasing_resumed" }, { "send", "promise_reminder" } },
  },
  {
    name = "a promise is not judged before its date",
    case = { reason = "prix", status = "resolved" },
    invoices = { { total = 900 } },
    promise = { amount = 500, due_on = "2026-01-15", paid_since = 0 },
    hooks = { "nightly" },
    expect = {},
  },
  {
    name = "accrued penalties are claimed when the customer's claim is rejected",
    case = { reason = "prix", status = "resolved", outcome = "rejected" },
    invoices = late_invoice,
    history = { { kind = "resolve", age_days = 0, data = { outcome = "rejected" } } },
    config = { late_penalties = "accrue" },
    hooks = { "nightly", "nightly" },
    expect = { { "send", "penalty_claim" } },
    check = function(case)
      local claim = case.history[#case.history].data
      assert(claim.channel == "registered_letter")
      assert(claim.body:find("1 invoice(s): 272.60 EUR", 1, true), claim.body)
    end,
  },
  {
    name = "waived penalties are never claimed",
    case = { reason = "prix", status = "resolved", outcome = "rejected" },
    invoices = late_invoice,
    history = { { kind = "resolve", age_days = 0, data = { outcome = "rejected" } } },
    hooks = { "nightly" },
    expect = {},
  },
}

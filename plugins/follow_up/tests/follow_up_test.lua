-- Policy tests of the standard follow-up plugin. Run with: litige test plugins/follow_up
local resolved = { { kind = "resolve", age_days = 8, data = { outcome = "accepted", new_due_date = "2026-02-14" } } }

return {
  {
    name = "a week after resolution: a satisfaction survey and a loyalty voucher",
    case = { reason = "prix", status = "resolved", disputed = 300 },
    invoices = { { total = 300 } },
    history = resolved,
    hooks = { "nightly" },
    expect = { { "send", "satisfaction_survey" }, { "propose_gesture", "voucher", "20.00" } },
  },
  {
    name = "nothing is sent twice",
    case = { reason = "prix", status = "resolved", disputed = 300 },
    invoices = { { total = 300 } },
    history = resolved,
    hooks = { "nightly", "nightly" },
    expect = { { "send", "satisfaction_survey" }, { "propose_gesture", "voucher", "20.00" } },
  },
  {
    name = "too early for the survey",
    case = { reason = "prix", status = "resolved" },
    invoices = { { total = 300 } },
    history = { { kind = "resolve", age_days = 2, data = { outcome = "accepted" } } },
    hooks = { "nightly" },
    expect = {},
  },
  {
    name = "the customer is reminded a few days before the agreed due date",
    case = { reason = "prix", status = "resolved" },
    invoices = { { total = 300 } },
    history = { { kind = "resolve", age_days = 3, data = { outcome = "accepted", new_due_date = "2026-01-18" } } },
    hooks = { "nightly" },
    expect = { { "send", "payment_reminder" } },
  },
  {
    name = "loyalty vouchers can be kept for VIP customers, and never follow a rejected claim",
    case = { reason = "prix", status = "resolved" },
    invoices = { { total = 300 } },
    history = { { kind = "resolve", age_days = 10, data = { outcome = "rejected" } } },
    config = { loyalty_vip_only = false },
    hooks = { "nightly" },
    expect = { { "send", "satisfaction_survey" } },
  },
  {
    name = "open cases are not followed up",
    case = { reason = "prix", status = "investigating" },
    invoices = { { total = 300 } },
    hooks = { "nightly" },
    expect = {},
  },
  {
    name = "the preventive reminder names the balance and the date, in the customer's language",
    case = { reason = "prix", status = "resolved", outcome = "accepted" },
    invoices = { { total = 1717.61 } },
    history = { { kind = "resolve", age_days = 2, data = { outcome = "accepted", new_due_date = "2026-01-19" } } },
    hooks = { "nightly" },
    expect = { { "send", "payment_reminder" } },
    check = function(case)
      local body = case.history[#case.history].data.body
      assert(body:find("le solde de 1\u{202F}717,61\u{A0}€ est à régler au plus tard le 19 janvier 2026", 1, true), body)
    end,
  },
}

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
    name = "the survey waits for a working day: on a Saturday the case is needed again on Monday",
    now = "2026-01-17T10:00:00+01:00",
    case = { reason = "prix", status = "resolved", disputed = 300 },
    invoices = { { total = 300 } },
    history = resolved,
    hooks = { "nightly" },
    expect = {},
    expect_wake = "2026-01-19",
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
    -- Nor a satisfaction survey: the company said no.
    expect = {},
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
  {
    name = "a customer with a dispute history is reminded a week before another invoice falls due",
    case = { reason = "prix", status = "closed", outcome = "accepted" },
    invoices = { { total = 300 } },
    upcoming = { number = "F-2026-0042", total = 1717.61, paid = 0, due_on = "2026-01-20" },
    hooks = { "before_due" },
    expect = { { "send", "preventive_reminder" } },
    check = function(case)
      local sent = case.history[#case.history]
      assert(sent.data.invoice == "F-2026-0042", sent.data.invoice)
      assert(sent.data.body:find("facture n° F-2026-0042, d'un montant de 1\u{202F}717,61\u{A0}€, arrive à échéance le 20 janvier 2026", 1, true), sent.data.body)
    end,
  },
  {
    name = "the preventive reminder is in the customer's language and says what is still owed",
    customer = { language = "en" },
    case = { reason = "price", status = "open" },
    invoices = { { total = 300 } },
    upcoming = { number = "F-9", total = 1000, paid = 400, due_on = "2026-01-16" },
    hooks = { "before_due" },
    expect = { { "send", "preventive_reminder" } },
    check = function(case)
      local body = case.history[#case.history].data.body
      assert(body:find("Our invoice no. F-9, for €600.00, is due on 16 January 2026", 1, true), body)
    end,
  },
  {
    name = "a preventive reminder goes once per invoice",
    case = { reason = "prix", status = "closed", outcome = "accepted" },
    invoices = { { total = 300 } },
    upcoming = { number = "F-9", total = 500, due_on = "2026-01-20" },
    history = { { kind = "send", age_days = 1, data = { template = "preventive_reminder", channel = "email", invoice = "F-9" } } },
    hooks = { "before_due", "before_due" },
    expect = {},
  },
  {
    name = "too far from the due date, already paid, or switched off: no preventive reminder",
    case = { reason = "prix", status = "closed", outcome = "accepted" },
    invoices = { { total = 300 } },
    upcoming = { number = "F-9", total = 500, due_on = "2026-01-23" },
    hooks = { "before_due" },
    expect = {},
  },
  {
    name = "a paid invoice gets no preventive reminder",
    case = { reason = "prix", status = "closed", outcome = "accepted" },
    invoices = { { total = 300 } },
    upcoming = { number = "F-9", total = 500, paid = 500, due_on = "2026-01-20" },
    hooks = { "before_due" },
    expect = {},
  },
  {
    name = "no preventive reminder when the company switched them off",
    case = { reason = "prix", status = "closed", outcome = "accepted" },
    invoices = { { total = 300 } },
    upcoming = { number = "F-9", total = 500, due_on = "2026-01-20" },
    config = { preventive_days_before_due = 0 },
    hooks = { "before_due" },
    expect = {},
  },
  {
    name = "no preventive reminder on a Sunday: it goes on the next working day",
    now = "2026-01-18T10:00:00Z",
    case = { reason = "prix", status = "closed", outcome = "accepted" },
    invoices = { { total = 300 } },
    upcoming = { number = "F-9", total = 500, due_on = "2026-01-22" },
    hooks = { "before_due" },
    expect = {},
  },
}

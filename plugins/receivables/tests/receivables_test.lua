-- Policy tests of the standard receivables plugin. Run with: litige test plugins/receivables

-- The data of the last letter sent on the case.
local function last_sent(case)
  for index = #case.history, 1, -1 do
    if case.history[index].kind == "send" then return case.history[index].data end
  end
  return nil
end
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
    company = { penalties_on_disputed = "accrue" },
    hooks = { "nightly" },
    expect = { { "tag", "late_penalties_accruing" } },
    check = function(case)
      -- 60 days from 2025-11-17 to 2026-01-15 at 12.15 % (2025-H2: ECB 2.15 + 10; 2026-H1 the same,
      -- above the floor of 3 x 2.62): 10,000 x 12.15 % x 60 / 365 = 199.73, plus the 40.00 indemnity.
      local reason = case.history[#case.history].reason
      assert(reason:find("239.73 EUR accrued on 1 invoice", 1, true), reason)
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
    name = "a promise is judged on a working day: on a Saturday the case is needed again on Monday",
    now = "2026-01-17T10:00:00+01:00",
    case = { reason = "prix", status = "resolved" },
    invoices = { { total = 900 } },
    promise = { amount = 500, due_on = "2026-01-10", paid_since = 500 },
    hooks = { "nightly" },
    expect = {},
    expect_wake = "2026-01-19",
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
    company = { penalties_on_disputed = "accrue" },
    hooks = { "nightly", "nightly" },
    expect = { { "send", "penalty_claim" } },
    check = function(case)
      local claim = case.history[#case.history].data
      assert(claim.channel == "registered_letter")
      assert(claim.body:find("199,73\u{A0}€ de pénalités (60 jours) et 40,00\u{A0}€ d'indemnité forfaitaire", 1, true), claim.body)
      assert(claim.body:find("s'élèvent à 239,73\u{A0}€", 1, true), claim.body)
      assert(claim.body:find("L441-10", 1, true) and claim.body:find("D441-5", 1, true), claim.body)
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
  {
    name = "the new due date missed: penalties are claimed from it, in the customer's language",
    customer = { name = "Garage Dupuis", language = "fr" },
    case = { reason = "prix", status = "resolved", outcome = "accepted" },
    invoices = late_invoice,
    history = { { kind = "resolve", age_days = 20, data = { outcome = "accepted", new_due_date = "2025-12-26" } } },
    hooks = { "nightly" },
    expect = { { "send", "penalty_claim" } },
    check = function(case)
      -- From 2025-12-27 to 2026-01-15: 5 days at 12.15 % (2025-H2) and 15 at 12.15 % (2026-H1):
      -- 10,000 x 12.15 % x 20 / 365 = 66.58, plus 40.00.
      local body = last_sent(case).body
      assert(body:find("66,58\u{A0}€ de pénalités (20 jours)", 1, true), body)
      assert(body:find("106,58\u{A0}€", 1, true), body)
      assert(body:find("Garage Dupuis", 1, true), body)
    end,
  },
  {
    name = "a partial dispute: the undisputed part bears penalties from its due date, the disputed part from the new one",
    customer = { name = "Garage Dupuis" },
    case = { reason = "prix", status = "resolved", outcome = "partially_accepted", disputed = 1000 },
    invoices = { { number = "F-2025-0122", total = 9522.27, issued_on = "2025-11-01", due_on = "2025-12-01" } },
    history = { { kind = "resolve", age_days = 10, data = { outcome = "partially_accepted", new_due_date = "2026-01-10" } } },
    hooks = { "nightly" },
    expect = { { "send", "penalty_claim" } },
    check = function(case)
      -- 8,522.27 undisputed from 2025-12-02 to 2026-01-10 (40 days), then the whole 9,522.27 from
      -- 2026-01-11 to 2026-01-15 (5 days), at 12.15 %: (8,522.27 x 40 + 9,522.27 x 5) x 12.15 % / 365 = 129.32.
      local body = last_sent(case).body
      assert(body:find("129,32\u{A0}€ de pénalités (45 jours)", 1, true), body)
    end,
  },
  {
    name = "one day of penalties is one day",
    case = { reason = "prix", status = "resolved", outcome = "accepted" },
    invoices = late_invoice,
    history = { { kind = "resolve", age_days = 20, data = { outcome = "accepted", new_due_date = "2026-01-14" } } },
    hooks = { "nightly" },
    expect = { { "send", "penalty_claim" } },
    check = function(case)
      assert(last_sent(case).body:find("(1 jour)", 1, true), last_sent(case).body)
    end,
  },
  {
    name = "after a formal notice, the penalties and the indemnity are not claimed again",
    case = { reason = "prix", status = "resolved", outcome = "accepted", escalation = "formal_notice" },
    invoices = late_invoice,
    history = {
      { kind = "resolve", age_days = 20, data = { outcome = "accepted", new_due_date = "2025-12-26" } },
      { kind = "send", age_days = 5, data = { template = "formal_notice", channel = "registered_letter" } },
    },
    hooks = { "nightly" },
    expect = {},
  },
  {
    name = "a broken promise, reminded in vain: a person is asked to decide a formal notice for the remainder",
    case = { reason = "prix", status = "resolved", outcome = "accepted" },
    invoices = late_invoice,
    history = {
      { kind = "resolve", age_days = 30, data = { outcome = "accepted", new_due_date = "2026-01-05" } },
      { kind = "send", age_days = 9, data = { template = "promise_reminder", channel = "email" } },
    },
    promise = { amount = 500, due_on = "2026-01-05", paid_since = 0 },
    hooks = { "nightly" },
    expect = { { "judge_promise", "broken" }, { "tag", "formal_notice_proposed" }, { "send", "penalty_claim" } },
  },
}

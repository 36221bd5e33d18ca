-- Policy tests of the standard escalation plugin. Run with: litige test plugins/escalation
local unpaid = { { number = "F-2025-0042", total = 1800, issued_on = "2025-11-02", due_on = "2025-12-02" } }

-- The last letter sent on the case (the lifecycle may record a status change after it).
local function last_sent(case)
  for index = #case.history, 1, -1 do
    if case.history[index].kind == "send" then return case.history[index] end
  end
  return nil
end

return {
  {
    name = "amicable talks without progress go to mediation",
    case = { reason = "prix", age_days = 40 },
    invoices = unpaid,
    hooks = { "escalate" },
    expect = { { "escalate", "mediation" } },
    expect_wake = "next night",  -- a case decided on is visited again the next night
  },
  {
    name = "nothing moves on a weekend: the case is needed again on Monday, not Sunday",
    now = "2026-01-17T10:00:00+01:00",
    case = { reason = "prix", age_days = 40 },
    invoices = unpaid,
    hooks = { "escalate" },
    expect = {},
    expect_wake = "2026-01-19",
  },
  {
    name = "a recent message from the customer is progress: nothing moves",
    case = { reason = "prix", age_days = 40 },
    invoices = unpaid,
    communications = { { direction = "in", channel = "phone", age_days = 5 } },
    hooks = { "escalate" },
    expect = {},
    -- The message of 2026-01-10 plus the 30 days of mediation_after_days: the night of 2026-02-09.
    expect_wake = "2026-02-09",
  },
  {
    name = "stalled mediation brings a formal notice by registered letter, in French",
    customer = { name = "Garage Dupuis", language = "fr" },
    company = { name = "Exemple SAS", legal_form = "SAS", siren = "123456782", address = "1 rue de l'Exemple, 75002 Paris",
      penalties_on_disputed = "accrue" },
    case = { reason = "prix", age_days = 60, escalation = "mediation", disputed = 300 },
    invoices = unpaid,
    communications = { { direction = "out", channel = "email", age_days = 50 } },
    config = { ask_before_formal_notice = false },
    hooks = { "escalate" },
    expect = { { "escalate", "formal_notice" }, { "send", "formal_notice" } },
    check = function(case)
      local sent = last_sent(case)
      assert(sent.kind == "send" and sent.data.channel == "registered_letter")
      local body = sent.data.body
      assert(body:find("mise en demeure", 1, true), "the letter is not a formal notice")
      assert(body:find("Garage Dupuis", 1, true), "the letter does not name the customer")
      assert(body:find("F-2025-0042", 1, true), "the letter does not list the invoice")
      -- Only what is collectable is demanded: the 300 still in dispute is not.
      assert(body:find("1\u{202F}500,00\u{A0}€", 1, true), "the letter does not state the amount: " .. body)
      assert(not body:find("1\u{202F}800,00", 1, true), "the letter demands the disputed part: " .. body)
      assert(body:find("23 janvier 2026", 1, true), "the letter does not give 8 days to pay, in long form: " .. body)
      assert(body:find("2 décembre 2025", 1, true), "the letter does not give the original due date: " .. body)
      assert(body:find("L441-10", 1, true) and body:find("D441-5", 1, true), "penalties and the indemnity: " .. body)
      assert(body:find("Exemple SAS, SAS, SIREN 123456782", 1, true), "the creditor's identity: " .. body)
      -- The undisputed 1,500 from 2025-12-03 to 2026-01-15: 29 days at 12.15 % (2025-H2) and 15 at 12.15 %
      -- (2026-H1): 1,500 x 12.15 % x 44 / 365 = 21.97, plus the 40.00 indemnity: 1,561.97 in all (the
      -- disputed 300 bears none while in dispute, even with penalties_on_disputed = "accrue").
      assert(body:find("21,97\u{A0}€", 1, true) and body:find("1\u{202F}561,97\u{A0}€", 1, true), body)
    end,
  },
  {
    name = "an English-speaking customer receives the letter in English",
    customer = { language = "en" },
    case = { reason = "price", age_days = 60, escalation = "mediation", disputed = 300 },
    invoices = unpaid,
    config = { ask_before_formal_notice = false },
    hooks = { "escalate" },
    expect = { { "escalate", "formal_notice" }, { "send", "formal_notice" } },
    check = function(case)
      assert(last_sent(case).data.body:find("formal notice to pay", 1, true))
    end,
  },
  {
    name = "mediation may be skipped by policy",
    case = { reason = "prix", age_days = 25, disputed = 300 },
    invoices = unpaid,
    config = { skip_mediation = true, formal_notice_after_days = 20, ask_before_formal_notice = false },
    hooks = { "escalate" },
    expect = { { "escalate", "formal_notice" }, { "send", "formal_notice" } },
  },
  {
    name = "no payment after the formal notice: court, by the route the amount dictates",
    case = { reason = "prix", age_days = 90, escalation = "formal_notice", disputed = 300 },
    invoices = unpaid,
    communications = { { direction = "out", channel = "registered_letter", age_days = 40 } },
    history = { { kind = "amicable_attempt", age_days = 70, data = { attempt = "proposal" } } },
    config = { ask_before_court = false },
    hooks = { "escalate" },
    expect = { { "escalate", "court" } },
    check = function(case)
      local event = case.history[#case.history]
      assert(event.data.route == "request", "1,800 EUR goes to court by request (requête)")
      assert(event.data.claimed == "1500.00", "the route follows what is claimed: the 300 in dispute is not")
      assert(event.data.court == "tribunal_de_commerce", "between companies: tribunal de commerce")
    end,
  },
  {
    name = "a small amount becomes a write-off candidate instead of a court case",
    case = { reason = "prix", age_days = 90, escalation = "formal_notice", disputed = 20 },
    invoices = { { total = 120 } },
    communications = { { direction = "out", channel = "email", age_days = 60 } },
    hooks = { "escalate" },
    expect = { { "tag", "write_off_candidate" } },
  },
  {
    name = "without a real amicable attempt the case waits for a person instead of going to court",
    case = { reason = "prix", age_days = 90, escalation = "formal_notice", disputed = 300 },
    invoices = unpaid,
    hooks = { "escalate" },
    expect = { { "tag", "court_needs_amicable_attempt" } },
  },
  {
    name = "a consumer's small claim with only a proposal on record goes by order for payment (CPC 750-1)",
    customer = { kind = "person" },
    case = { reason = "prix", age_days = 90, escalation = "formal_notice", disputed = 300 },
    invoices = unpaid,
    communications = { { direction = "out", channel = "registered_letter", age_days = 40 } },
    history = { { kind = "amicable_attempt", age_days = 70, data = { attempt = "proposal" } } },
    config = { ask_before_court = false },
    hooks = { "escalate" },
    expect = { { "escalate", "court" } },
    check = function(case)
      local event = case.history[#case.history]
      assert(event.data.route == "order_for_payment", "no conciliation on record: an order for payment")
      assert(event.data.court == "tribunal_judiciaire" and event.data.lawyer == "not_required")
    end,
  },
  {
    name = "nothing owed: no formal notice, whatever the delay",
    case = { reason = "prix", age_days = 60, escalation = "mediation" },
    invoices = { { number = "F-2025-0050", total = 900, paid = 900, due_on = "2025-12-02" } },
    hooks = { "escalate" },
    expect = { { "tag", "nothing_owed" } },
  },
  {
    name = "everything owed in dispute: a person is asked to rule on it, no formal notice",
    case = { reason = "prix", age_days = 60, escalation = "mediation" },
    invoices = unpaid,
    hooks = { "escalate" },
    expect = { { "tag", "ruling_proposed" } },
  },
  {
    name = "waiting for that ruling, the case sleeps until it changes: nothing falls due by itself",
    case = { reason = "prix", age_days = 60, escalation = "mediation", tags = { "ruling_proposed" } },
    invoices = unpaid,
    hooks = { "escalate" },
    expect = {},
    expect_wake = "change",
  },
  {
    name = "or until an invoice not yet due falls due, which may make something claimable",
    case = { reason = "prix", age_days = 60, escalation = "mediation", tags = { "ruling_proposed" } },
    invoices = { unpaid[1], { number = "F-2026-0007", total = 400, issued_on = "2026-01-02", due_on = "2026-02-01" } },
    hooks = { "escalate" },
    expect = {},
    expect_wake = "2026-02-02",
  },
  {
    name = "the time an offer waited for the customer's answer is not counted",
    case = { reason = "prix", age_days = 90, disputed = 300 },
    invoices = unpaid,
    history = { { kind = "refuse_gesture", age_days = 2, source = "user:julien", data = { id = 1 } } },
    hooks = { "escalate" },
    expect = {},
  },
  {
    name = "a proposal awaiting the customer's answer pauses the ladder",
    case = { reason = "prix", age_days = 60, escalation = "mediation", status = "proposed" },
    invoices = unpaid,
    hooks = { "escalate" },
    expect = {},
  },
  {
    name = "by default a person decides the formal notice: the case waits in the decision queue",
    case = { reason = "prix", age_days = 60, escalation = "mediation", disputed = 300 },
    invoices = unpaid,
    hooks = { "escalate" },
    expect = { { "tag", "formal_notice_proposed" } },
  },
  {
    name = "once a person escalated, the formal notice letter goes out on the next working day",
    customer = { name = "Garage Dupuis" },
    case = { reason = "prix", age_days = 60, escalation = "formal_notice", disputed = 300 },
    invoices = unpaid,
    history = { { kind = "escalate", age_days = 1, source = "user:claire", data = { level = "formal_notice", from = "mediation" } } },
    hooks = { "escalate" },
    expect = { { "send", "formal_notice" } },
  },
  {
    name = "nothing is sent on a public holiday",
    now = "2026-05-14T10:00:00+02:00",
    case = { reason = "prix", age_days = 60, escalation = "formal_notice", disputed = 300 },
    invoices = unpaid,
    history = { { kind = "escalate", age_days = 1, source = "user:claire", data = { level = "formal_notice", from = "mediation" } } },
    hooks = { "escalate" },
    expect = {},
  },
}

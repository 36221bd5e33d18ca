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
  },
  {
    name = "a recent message from the customer is progress: nothing moves",
    case = { reason = "prix", age_days = 40 },
    invoices = unpaid,
    communications = { { direction = "in", channel = "phone", age_days = 5 } },
    hooks = { "escalate" },
    expect = {},
  },
  {
    name = "stalled mediation brings a formal notice by registered letter, in French",
    customer = { name = "Garage Dupuis", language = "fr" },
    case = { reason = "prix", age_days = 60, escalation = "mediation" },
    invoices = unpaid,
    communications = { { direction = "out", channel = "email", age_days = 50 } },
    hooks = { "escalate" },
    expect = { { "escalate", "formal_notice" }, { "send", "formal_notice" } },
    check = function(case)
      local sent = last_sent(case)
      assert(sent.kind == "send" and sent.data.channel == "registered_letter")
      local body = sent.data.body
      assert(body:find("mise en demeure", 1, true), "the letter is not a formal notice")
      assert(body:find("Garage Dupuis", 1, true), "the letter does not name the customer")
      assert(body:find("F-2025-0042", 1, true), "the letter does not list the invoice")
      assert(body:find("1 800,00 EUR", 1, true), "the letter does not state the amount")
      assert(body:find("2026-01-23", 1, true), "the letter does not give 8 days to pay")
    end,
  },
  {
    name = "an English-speaking customer receives the letter in English",
    customer = { language = "en" },
    case = { reason = "price", age_days = 60, escalation = "mediation" },
    invoices = unpaid,
    hooks = { "escalate" },
    expect = { { "escalate", "formal_notice" }, { "send", "formal_notice" } },
    check = function(case)
      assert(last_sent(case).data.body:find("formal notice to pay", 1, true))
    end,
  },
  {
    name = "mediation may be skipped by policy",
    case = { reason = "prix", age_days = 25 },
    invoices = unpaid,
    config = { skip_mediation = true, formal_notice_after_days = 20 },
    hooks = { "escalate" },
    expect = { { "escalate", "formal_notice" }, { "send", "formal_notice" } },
  },
  {
    name = "no payment after the formal notice: court, by the route the amount dictates",
    case = { reason = "prix", age_days = 90, escalation = "formal_notice" },
    invoices = unpaid,
    communications = { { direction = "out", channel = "registered_letter", age_days = 40 } },
    history = { { kind = "amicable_attempt", age_days = 70, data = { attempt = "proposal" } } },
    hooks = { "escalate" },
    expect = { { "escalate", "court" } },
    check = function(case)
      local event = case.history[#case.history]
      assert(event.data.route == "request", "1,800 EUR goes to court by request (requête)")
      assert(event.data.claimed == "1800.00", "the route follows what is claimed")
      assert(event.data.court == "tribunal_de_commerce", "between companies: tribunal de commerce")
    end,
  },
  {
    name = "a small amount becomes a write-off candidate instead of a court case",
    case = { reason = "prix", age_days = 90, escalation = "formal_notice" },
    invoices = { { total = 120 } },
    communications = { { direction = "out", channel = "email", age_days = 60 } },
    hooks = { "escalate" },
    expect = { { "tag", "write_off_candidate" } },
  },
  {
    name = "without a real amicable attempt the case waits for a person instead of going to court",
    case = { reason = "prix", age_days = 90, escalation = "formal_notice" },
    invoices = unpaid,
    hooks = { "escalate" },
    expect = { { "tag", "court_needs_amicable_attempt" } },
  },
  {
    name = "a consumer's small claim with only a proposal on record goes by order for payment (CPC 750-1)",
    customer = { kind = "person" },
    case = { reason = "prix", age_days = 90, escalation = "formal_notice" },
    invoices = unpaid,
    communications = { { direction = "out", channel = "registered_letter", age_days = 40 } },
    history = { { kind = "amicable_attempt", age_days = 70, data = { attempt = "proposal" } } },
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
    name = "a proposal awaiting the customer's answer pauses the ladder",
    case = { reason = "prix", age_days = 60, escalation = "mediation", status = "proposed" },
    invoices = unpaid,
    hooks = { "escalate" },
    expect = {},
  },
}

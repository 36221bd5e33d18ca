-- Policy tests of the standard compensation plugin. Run with: litige test plugins/compensation
return {
  {
    name = "a double billing is repaired with a credit note for the duplicate, proposed in a letter",
    case = { status = "investigating", reason = "facturé deux fois", category = "double_billing" },
    invoices = { { total = 480 } },
    hooks = { "compensate" },
    expect = { { "propose_gesture", "credit_note", "480.00" }, { "send", "proposal" } },
    check = function(case)
      local body = case.history[#case.history].data.body
      assert(body:find("nous vous proposons un avoir de 480,00\u{A0}€", 1, true), body)
    end,
  },
  {
    name = "no offer on a weekend: the case is needed again on Monday, not Sunday",
    now = "2026-01-17T10:00:00+01:00",
    case = { status = "investigating", reason = "prix", category = "price", disputed = 75.5 },
    invoices = { { total = 900 } },
    hooks = { "compensate" },
    expect = {},
    expect_wake = "2026-01-19",
  },
  {
    name = "a price error is repaired with a discount",
    case = { status = "investigating", reason = "prix", category = "price", disputed = 75.5 },
    invoices = { { total = 900 } },
    hooks = { "compensate" },
    expect = { { "propose_gesture", "discount", "75.50" }, { "send", "proposal" } },
  },
  {
    name = "a quality complaint gets a goodwill voucher, rounded to the cent",
    case = { status = "investigating", reason = "qualité", category = "quality", disputed = 333.33 },
    invoices = { { total = 333.33 } },
    communications = { { direction = "out", channel = "phone", age_days = 1 } },
    hooks = { "compensate" },
    expect = { { "propose_gesture", "voucher", "33.33" }, { "send", "proposal" } },
  },
  {
    name = "a VIP customer gets a larger goodwill voucher",
    customer = { vip = true },
    case = { status = "investigating", reason = "retard", category = "dates", disputed = 400 },
    invoices = { { total = 400 } },
    hooks = { "compensate" },
    expect = { { "propose_gesture", "voucher", "60.00" }, { "send", "proposal" } },
  },
  {
    name = "when the customer is at fault there is only goodwill",
    case = { status = "investigating", reason = "prix", category = "price", disputed = 500, tags = { "customer_fault" } },
    invoices = { { total = 500 } },
    hooks = { "compensate" },
    expect = { { "propose_gesture", "voucher", "50.00" }, { "send", "proposal" } },
  },
  {
    name = "a large repair is proposed and waits in the approval queue",
    case = { status = "investigating", reason = "deux fois", category = "double_billing" },
    invoices = { { total = 4200 } },
    hooks = { "compensate" },
    expect = { { "propose_gesture", "credit_note", "4200.00" }, { "tag", "gesture_needs_approval" } },
    check = function(case)
      assert(case.gestures[1].state == "proposed" and case.gestures[1].needs_approval)
      assert(case.status == "proposed", "a proposal awaits the customer")
    end,
  },
  {
    name = "goodwill stays within the company's cap for vouchers",
    case = { status = "investigating", reason = "qualité", category = "quality", disputed = 4000 },
    invoices = { { total = 4000 } },
    communications = { { direction = "out", channel = "phone", age_days = 1 } },
    hooks = { "compensate" },
    expect = { { "propose_gesture", "voucher", "150.00" }, { "send", "proposal" } },
  },
  {
    name = "a repair above the cap of its kind is proposed; the core asks for an approval",
    case = { status = "investigating", reason = "prix", category = "price", disputed = 795.40 },
    invoices = { { total = 2000 } },
    hooks = { "compensate" },
    expect = { { "propose_gesture", "discount", "795.40" }, { "tag", "gesture_needs_approval" } },
  },
  {
    name = "an offer that needed an approval is proposed to the customer once approved",
    case = { status = "proposed", reason = "deux fois", category = "double_billing",
      gestures = { { kind = "credit_note", amount = 4200, state = "proposed", needs_approval = true, approved_by = "marc" } } },
    invoices = { { total = 4200 } },
    hooks = { "compensate", "compensate" },
    expect = { { "send", "proposal" } },
    check = function(case)
      local body = case.history[#case.history].data.body
      assert(body:find("un avoir de 4\u{202F}200,00\u{A0}€", 1, true), body)
    end,
  },
  {
    name = "an offer waiting for its approval is not sent",
    case = { status = "proposed", reason = "deux fois", category = "double_billing",
      gestures = { { kind = "credit_note", amount = 4200, state = "proposed", needs_approval = true } } },
    invoices = { { total = 4200 } },
    hooks = { "compensate" },
    expect = {},
  },
  {
    name = "the customer's own message is not an investigation",
    case = { status = "investigating", reason = "abîmé", category = "quality", disputed = 300 },
    invoices = { { total = 300 } },
    communications = { { direction = "in", channel = "phone", age_days = 1 } },
    hooks = { "compensate" },
    expect = {},
  },
  {
    name = "a tiny goodwill gesture is not worth proposing",
    case = { status = "investigating", reason = "qualité", category = "quality", disputed = 40 },
    invoices = { { total = 40 } },
    hooks = { "compensate" },
    expect = {},
  },
  {
    name = "a case that already has a gesture gets no other",
    case = { status = "investigating", reason = "deux fois", category = "double_billing" },
    invoices = { { total = 200 } },
    hooks = { "compensate", "compensate" },
    expect = { { "propose_gesture", "credit_note", "200.00" }, { "send", "proposal" } },
  },
  {
    name = "nobody has looked at a new case: nothing is offered before the first answer",
    case = { status = "open", reason = "deux fois", category = "double_billing" },
    invoices = { { total = 200 } },
    hooks = { "compensate" },
    expect = {},
  },
  {
    name = "a quality complaint waits for the investigation",
    case = { status = "acknowledged", reason = "qualité", category = "quality", disputed = 300 },
    invoices = { { total = 300 } },
    hooks = { "compensate" },
    expect = {},
  },
  {
    name = "nothing is offered on the way to court",
    case = { status = "investigating", reason = "prix", category = "price", escalation = "formal_notice", disputed = 100 },
    invoices = { { total = 900 } },
    hooks = { "compensate" },
    expect = {},
  },
  {
    name = "a case answered tonight is looked at tomorrow: running the night again changes nothing",
    case = { status = "acknowledged", reason = "prix", category = "price", disputed = 100 },
    invoices = { { total = 900 } },
    history = { { kind = "status", age_days = 0, data = { from = "open", to = "acknowledged" } } },
    hooks = { "compensate" },
    expect = {},
  },
}

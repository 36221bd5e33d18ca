-- Policy tests of the standard triage plugin. Run with: litige test plugins/triage
return {
  {
    name = "the category and owner come from the customer's words",
    case = { reason = "Le prix facturé ne correspond pas au devis signé", channel = "email" },
    invoices = { { total = 1200 } },
    expect = {
      { "categorize", "price" },
      { "assign", "sales" },
      { "set_deadline", "2026-02-14T08:00:00Z" },
    },
  },
  {
    name = "a public complaint is urgent and must be resolved within a week",
    case = { reason = "Avis négatif: colis arrivé cassé", channel = "social" },
    invoices = { { total = 300 } },
    expect = {
      { "categorize", "missing_or_defective" },
      { "assign", "logistics" },
      { "tag", "public_complaint" },
      { "prioritize", 1 },
      { "set_deadline", "2026-01-22T08:00:00Z" },
    },
  },
  {
    name = "a VIP customer with a large amount comes first",
    customer = { vip = true },
    case = { reason = "Delivery three weeks late", channel = "phone", category = "dates", owner = "operations" },
    invoices = { { total = 9000 } },
    config = { large_amount = 5000, urgent_resolution_days = 3 },
    expect = {
      { "tag", "vip" },
      { "prioritize", 1 },
      { "set_deadline", "2026-01-18T08:00:00Z" },
    },
    check = function(case)
      assert(case.priority == 1, "priority should be 1, is " .. case.priority)
      assert(case:has_tag("vip"))
    end,
  },
  {
    name = "words that say nothing leave the category open and give the case to operations",
    case = { reason = "Je ne suis pas satisfait", channel = "letter" },
    invoices = { { total = 80 } },
    config = { resolution_days = 10 },
    expect = {
      { "assign", "operations" },
      { "set_deadline", "2026-01-25T08:00:00Z" },
    },
  },
}

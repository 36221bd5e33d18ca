return {
  {
    name = "a consumer's broken parcel is refunded at once",
    customer = { kind = "person" },
    case = { reason = "Colis arrivé cassé", channel = "web" },
    invoices = { { total = 89.90 } },
    plugins = { "triage", "fast_refund" },
    expect = {
      { "categorize", "missing_or_defective" }, { "assign", "logistics" },
      { "set_deadline", "2026-02-05T08:00:00Z" },
      { "propose_gesture", "refund", "89.90" }, { "tag", "fast_refund" },
    },
  },
  {
    name = "a large basket is not refunded without discussion",
    customer = { kind = "person" },
    case = { reason = "Colis manquant", category = "missing_or_defective", owner = "logistics" },
    invoices = { { total = 480 } },
    expect = {},
  },
  {
    name = "a company is not a consumer",
    customer = { kind = "company" },
    case = { reason = "Colis manquant", category = "missing_or_defective", owner = "logistics" },
    invoices = { { total = 40 } },
    expect = {},
  },
}

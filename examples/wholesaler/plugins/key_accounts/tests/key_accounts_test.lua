return {
  {
    name = "an industrial customer's dispute goes to its account manager",
    customer = { segment = "industry" },
    case = { reason = "Le prix facturé ne correspond pas au devis" },
    invoices = { { total = 3000 } },
    plugins = { "triage", "key_accounts" },
    config = { segments = { "industry" } },
    expect = {
      { "categorize", "price" }, { "assign", "sales" }, { "set_deadline", "2026-02-05T08:00:00Z" },
      { "tag", "key_account" }, { "prioritize", 2 },
    },
  },
  {
    name = "a retail customer is handled as usual",
    customer = { segment = "retail" },
    case = { reason = "prix", owner = "sales" },
    invoices = { { total = 900 } },
    expect = {},
  },
  {
    name = "a key account at formal notice is reviewed before court",
    customer = { segment = "industry" },
    case = { reason = "prix", escalation = "formal_notice", tags = { "key_account" } },
    invoices = { { total = 9000 } },
    hooks = { "escalate" },
    expect = { { "tag", "legal_review" } },
  },
}

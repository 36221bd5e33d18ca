-- Policy tests of the standard acknowledgement plugin. Run with: litige test plugins/acknowledgement

-- The data of the last letter sent on the case.
local function last_sent(case)
  for index = #case.history, 1, -1 do
    if case.history[index].kind == "send" then return case.history[index].data end
  end
  return nil
end

return {
  {
    name = "a new case is acknowledged at once, in French by default",
    case = { reason = "prix", owner = "sales" },
    invoices = { { total = 100 } },
    expect = { { "send", "acknowledgement" }, { "follow_up", "2026-01-20" }, { "follow_up", "2026-01-22" } },
    check = function(case)
      local body = last_sent(case).body
      assert(body:find("Nous avons bien reçu votre réclamation (dossier n° 1)", 1, true), body)
      assert(body:find("Notre service commercial vous répondra au plus tard le 20 janvier 2026.", 1, true), body)
    end,
  },
  {
    name = "an English-speaking customer is answered in English, a letter by letter",
    customer = { language = "en" },
    case = { reason = "price", channel = "letter", owner = "sales" },
    invoices = { { total = 100 } },
    config = { answer_within_days = 3 },
    -- Three days from Thursday 15 January is a Sunday: the answer is promised for Monday.
    expect = { { "send", "acknowledgement" }, { "follow_up", "2026-01-19" }, { "follow_up", "2026-01-22" } },
    check = function(case)
      local sent = last_sent(case)
      assert(sent.channel == "letter")
      assert(sent.body:find("We have received your complaint", 1, true), sent.body)
      assert(sent.body:find("Our sales department will answer by 19 January 2026", 1, true), sent.body)
    end,
  },
  {
    name = "a case already acknowledged is not acknowledged twice",
    case = { reason = "prix", status = "acknowledged" },
    invoices = { { total = 100 } },
    expect = {},
  },
  {
    name = "a customer's message is answered the next day",
    case = { reason = "prix", status = "investigating" },
    invoices = { { total = 100 } },
    message = { direction = "in", channel = "phone", summary = "Où en est mon dossier ?" },
    hooks = { "on_communication" },
    expect = { { "follow_up", "2026-01-16" } },
  },
  {
    name = "a public message makes the case urgent",
    case = { reason = "prix", status = "investigating" },
    invoices = { { total = 100 } },
    message = { direction = "in", channel = "social", summary = "Avis 1 étoile" },
    hooks = { "on_communication" },
    expect = { { "follow_up", "2026-01-16" }, { "tag", "public_complaint" }, { "prioritize", 1 } },
  },
  {
    name = "our own messages need no answer",
    case = { reason = "prix", status = "investigating" },
    invoices = { { total = 100 } },
    message = { direction = "out", channel = "email" },
    hooks = { "on_communication" },
    expect = {},
  },
  {
    name = "a letter is not dated a Sunday: a case that came by letter on a Sunday is answered on Monday",
    now = "2026-01-18T10:00:00+01:00",
    case = { reason = "prix", owner = "sales", channel = "letter" },
    hooks = { "triage" },
    expect = {},
  },
  {
    name = "an e-mail acknowledgement goes out the same day, even on a Sunday",
    now = "2026-01-18T10:00:00+01:00",
    case = { reason = "prix", owner = "sales", channel = "email" },
    hooks = { "triage" },
    expect = { { "send", "acknowledgement" }, { "follow_up", "2026-01-23" }, { "follow_up", "2026-01-26" } },
  },
  {
    name = "on a weekend, a case waiting for its progress update is needed again on Monday, not Sunday",
    now = "2026-01-17T10:00:00+01:00",
    case = { reason = "prix", owner = "quality", status = "investigating" },
    history = { { kind = "send", age_days = 8, data = { template = "acknowledgement", channel = "email" } } },
    hooks = { "nightly" },
    expect = {},
    expect_wake = "2026-01-19",
  },
  {
    name = "a customer without news for a week gets a progress update, in French, once",
    case = { reason = "prix", owner = "quality", status = "investigating" },
    history = { { kind = "send", age_days = 8, data = { template = "acknowledgement", channel = "email" } } },
    hooks = { "nightly", "nightly" },
    expect = { { "send", "progress_update_1" } },
    check = function(case)
      local body = last_sent(case).body
      assert(body:find("Votre dossier n° 1 est toujours suivi par notre service qualité", 1, true), body)
      assert(body:find("au plus tard le 22 janvier 2026", 1, true), body)
    end,
  },
}

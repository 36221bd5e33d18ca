-- Acknowledgement and communication: answer fast, in the customer's language, and keep them informed.
-- domain.md §3.2: a first answer within 24 hours (61% of customers left without one go elsewhere);
-- §5: keep the customer informed of progress; document everything.

local messages = {
  fr = {
    acknowledgement = "Bonjour,\n\nNous avons bien reçu votre réclamation (dossier n° %d) et la traitons en priorité. "
      .. "Le service %s vous répondra au plus tard le %s.\n\nLe service client",
    progress = "Bonjour,\n\nVotre dossier n° %d est toujours suivi par le service %s. "
      .. "Nous revenons vers vous au plus tard le %s.\n\nLe service client",
  },
  en = {
    acknowledgement = "Hello,\n\nWe have received your complaint (case no. %d) and are handling it as a priority. "
      .. "Our %s department will answer by %s at the latest.\n\nCustomer service",
    progress = "Hello,\n\nYour case no. %d is still being handled by our %s department. "
      .. "We will get back to you by %s at the latest.\n\nCustomer service",
  },
}

-- Answer where the customer wrote: a letter by letter, a public review in private by email.
local reply_channel = { letter = "letter", registered_letter = "letter", phone = "email", meeting = "email",
  web = "email", social = "email", email = "email" }

local function text(case, name, by)
  local language = messages[case.customer.language] and case.customer.language or "fr"
  return string.format(messages[language][name], case.id, case.owner or "client", by)
end


return {
  name = "acknowledgement",
  version = "1.0.0",
  priority = 90,   -- after triage, which sets the owner and the deadline
  description = "Acknowledges every new case in the customer's language and keeps them informed.",
  config = {
    answer_within_days = { type = "integer", default = 5, min = 1, max = 60, doc = "Days promised for a full answer." },
    keep_informed_days = { type = "integer", default = 7, min = 1, max = 60, doc = "Follow-up interval to keep the customer informed." },
    reply_within_days = { type = "integer", default = 1, min = 1, max = 10, doc = "Days to answer a customer's message." },
  },

  triage = function(case, ctx)
    if case.status ~= "open" or case:has_sent("acknowledgement") then return end
    local by = litige.add_days(litige.today(), ctx.config.answer_within_days)
    case:send{ template = "acknowledgement", channel = reply_channel[case.channel],
      body = text(case, "acknowledgement", by), reason = "first answer within 24 hours, in the customer's language" }
    case:follow_up{ in_days = ctx.config.keep_informed_days, reason = "keep the customer informed" }
  end,

  on_communication = function(case, message, ctx)
    if message.direction ~= "in" or case.status == "resolved" or case.status == "closed" then return end
    case:follow_up{ in_days = ctx.config.reply_within_days, reason = "answer the customer's " .. message.channel .. " message" }
    if message.channel == "social" then
      case:tag("public_complaint", "the customer wrote in public")
      if case.priority > 1 then case:prioritize(1, "a public message makes the case urgent") end
    end
  end,
}

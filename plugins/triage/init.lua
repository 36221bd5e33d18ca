-- Triage: what a new case is about, who owns it, how urgent it is, and by when it must be resolved.
-- domain.md §2 (categories and owners) and §3 (acknowledge fast; public complaints are urgent).
local classify = require("classify")

-- One routing table: the department that owns each category (domain.md §2), overridable in
-- litige.toml as routing = { "double_billing:accounting", ... }.
local default_routing = {
  price = "sales", double_billing = "accounting", quality = "quality", missing_or_defective = "logistics",
  delivery = "logistics", dates = "operations", administrative = "administration",
}

local function owner_of(category, config)
  for _, entry in ipairs(config.routing or {}) do
    local name, owner = entry:match("^([%w_]+):([%w_]+)$")
    if name == category then return owner end
  end
  return default_routing[category]
end

-- The maximum resolution delay of each category (délai de résolution maximum, domain.md §3.2): what
-- the company can check fast (a double billing, a VAT error) is promised sooner than what needs an
-- expert or the carrier (quality, delivery). resolution_days_by_category lists them (its default is
-- below); a category it does not list, or an empty list, takes resolution_days.
local function delay_of(category, config)
  for _, entry in ipairs(config.resolution_days_by_category or {}) do
    local name, days = entry:match("^([%w_]+):(%d+)$")
    if name == category then return tonumber(days) end
  end
  return config.resolution_days
end

-- The deadline: the category's delay (the general one when unknown), shorter for an urgent case.
local function set_deadline(case, config)
  if case.deadline ~= nil then return end
  local days = case.category and delay_of(case.category, config) or config.resolution_days
  local why = "resolve within " .. days .. " days (" .. (case.category or "category unknown") .. ")"
  if case.priority == 1 and config.urgent_resolution_days < days then
    days, why = config.urgent_resolution_days, "urgent: resolve within " .. config.urgent_resolution_days .. " days"
  end
  case:set_deadline(case.opened_at + days * 86400, why)
end

-- Category and owner of a case that has none yet: from the customer's words.
local function categorize(case, config)
  local category = case.category
  if category == nil then
    local found, cue = classify.category_of(case.reason)
    if found then
      case:categorize(found, "the customer's words suggest it ('" .. (cue or found):gsub("[%%%?%(%)%[%]]", "") .. "')")
      category = found
    end
  end
  if case.owner == nil and category ~= nil then
    case:assign(owner_of(category, config), "owner of " .. category .. " disputes (routing)")
  elseif case.owner == nil then
    case:assign("operations", "category unknown: operations sorts it out")
  end
  return category
end

return {
  name = "triage",
  version = "1.4.0",
  priority = 100,
  description = "Category from the customer's words, owner, priority, tags and resolution deadline of a new case.",
  config = {
    large_amount = { type = "amount", default = 5000, min = 0, doc = "Disputes above this amount are priority 2 at least." },
    resolution_days = { type = "integer", default = 30, min = 1, max = 365, doc = "Days to resolve a case whose category is unknown." },
    urgent_resolution_days = { type = "integer", default = 7, min = 1, max = 365, doc = "Days to resolve a priority-1 case." },
    repeat_after = { type = "integer", default = 2, min = 1, max = 100, doc = "Earlier cases that make a repeat customer." },
    routing = { type = "list", default = {}, doc = "Owners by category, as \"category:department\" (default: domain.md §2's)." },
    resolution_days_by_category = { type = "list",
      default = { "double_billing:15", "administrative:15", "price:21", "dates:21", "missing_or_defective:21",
        "delivery:30", "quality:45" },
      doc = "Maximum resolution delay by category, as \"category:days\"; [] for resolution_days everywhere." },
  },

  -- Cases that arrived without a category (an import, a message) are triaged at night too.
  -- What it decides depends on the case alone, not on the date: it is needed again only when the case
  -- changes (the night's wake-up index, docs/policies.md).
  nightly = function(case, ctx)
    litige.wake_on_change()
    if case.status == "resolved" or case.status == "closed" then return end
    if case.category == nil or case.owner == nil then categorize(case, ctx.config) end
    set_deadline(case, ctx.config)
  end,

  triage = function(case, ctx)
    local config = ctx.config
    categorize(case, config)

    local customer = case.customer
    local public = case.channel == "social"
    if public then case:tag("public_complaint", "complaint made in public (review or social network)") end
    if customer.vip then case:tag("vip", "customer is marked VIP") end
    local earlier = 0
    for other in litige.cases{ customer = customer.id } do
      if other.id ~= case.id then earlier = earlier + 1 end
    end
    if earlier >= config.repeat_after then
      case:tag("repeat_customer", earlier .. " earlier cases for this customer")
    end

    local priority, why = 3, "ordinary case"
    if public then
      priority, why = 1, "public complaint: one unhappy customer tells ten people"
    elseif customer.vip and case.disputed > config.large_amount then
      priority, why = 1, "VIP customer and a large amount"
    elseif customer.vip or case.disputed > config.large_amount then
      priority, why = 2, customer.vip and "VIP customer" or string.format("%.2f %s in dispute", case.disputed, case.currency)
    end
    if priority ~= case.priority then case:prioritize(priority, why) end

    set_deadline(case, config)
  end,
}

-- Policy tests of the standard triage plugin. Run with: litige test plugins/triage

-- Files each labelled complaint of `set` with the plugin's classifier; fails below 90 % in a category
-- and logs the accuracy of each.
local function accuracy_of(set)
  local classify = require("classify")
  local data = require("tests.data." .. set)
  local seen, right, wrong = {}, {}, {}
  for _, entry in ipairs(data) do
    seen[entry.category] = (seen[entry.category] or 0) + 1
    local found = classify.category_of(entry.text)
    if found == entry.category then
      right[entry.category] = (right[entry.category] or 0) + 1
    else
      wrong[#wrong + 1] = entry.category .. " filed as " .. tostring(found) .. ": " .. entry.text
    end
  end
  local categories = {}
  for category in pairs(seen) do categories[#categories + 1] = category end
  table.sort(categories)
  local lines, worst = {}, 1
  for _, category in ipairs(categories) do
    local rate = (right[category] or 0) / seen[category]
    worst = math.min(worst, rate)
    lines[#lines + 1] = string.format("%s %d/%d (%.0f %%)", category, right[category] or 0, seen[category], rate * 100)
  end
  litige.log(set .. ": " .. table.concat(lines, ", "))
  assert(#categories == 7, "every category is labelled")
  assert(worst >= 0.9, "below 90 % in a category: " .. table.concat(lines, ", ") .. "\n" .. table.concat(wrong, "\n"))
end

return {
  {
    name = "labelled French and English complaints are filed right, 90 % at least in every category",
    case = { reason = "n/a" },
    hooks = {},
    expect = {},
    check = function() accuracy_of("labelled_complaints") end,
  },
  {
    name = "a second set, written apart from the classifier, is filed right too",
    case = { reason = "n/a" },
    hooks = {},
    expect = {},
    check = function() accuracy_of("heldout_complaints") end,
  },
  {
    name = "a third set, written from domain.md's rules on overlaps alone, is filed right too",
    case = { reason = "n/a" },
    hooks = {},
    expect = {},
    check = function() accuracy_of("blind_complaints") end,
  },
  {
    name = "the ordinary ways customers write are recognized",
    case = { reason = "Bon de commande erroné" },
    -- A document error is checked fast: 15 days (the category's maximum resolution delay).
    expect = { { "categorize", "administrative" }, { "assign", "administration" }, { "set_deadline", "2026-01-30T08:00:00Z" } },
  },
  {
    name = "a missing carton, a double invoice, a VAT error and a lost parcel are told apart (domain.md §2)",
    case = { reason = "Il manque deux cartons" },
    expect = { { "categorize", "missing_or_defective" }, { "assign", "logistics" }, { "set_deadline", "2026-02-05T08:00:00Z" } },
    check = function()
      local classify = require("classify")
      assert(classify.category_of("facturé 2 fois") == "double_billing")
      assert(classify.category_of("Erreur de TVA") == "administrative")  -- domain.md §2: document errors
      assert(classify.category_of("Colis jamais reçu") == "delivery")
      assert(classify.category_of("FACTURE EN DOUBLE !!!") == "double_billing")
      assert(classify.category_of("livraison avec 3 semaines de retard") == "dates")
    end,
  },
  {
    name = "phrases a tester wrote after the labelled sets were built are filed right",
    hooks = {},
    expect = {},
    check = function()
      local classify = require("classify")
      for text, category in pairs({
        ["you guys billed me 2 times"] = "double_billing", ["dubble charged on my card"] = "double_billing",
        ["on a recu la facture 2x"] = "double_billing", ["intervention prevue lundi, personne n'est venu"] = "dates",
        ["jai toujours rien recu"] = "delivery", ["item doesnt work"] = "missing_or_defective",
        ["Goods delivered do not match the order"] = "delivery", ["the paint job is terrible"] = "quality",
        ["you charged 120€ instead of 100€"] = "price", ["remboursement non reçu"] = "administrative",
        ["I returned the item but never got my refund"] = "administrative",
        ["Nous n'avons jamais reçu la facture corrigée"] = "administrative",
      }) do
        local found = classify.category_of(text)
        assert(found == category, text .. ": " .. tostring(found) .. ", expected " .. category)
      end
    end,
  },
  {
    name = "a case that arrived without a category is triaged at night",
    case = { reason = "Le colis n'a jamais été livré, le suivi est bloqué depuis dix jours", status = "acknowledged" },
    hooks = { "nightly" },
    expect = { { "categorize", "delivery" }, { "assign", "logistics" }, { "set_deadline", "2026-02-14T08:00:00Z" } },
  },
  {
    name = "the deadline follows the category, and a company may set its own delays",
    case = { reason = "Produit défectueux, la peinture s'écaille", category = "quality" },
    config = { resolution_days_by_category = { "quality:60" } },
    expect = { { "assign", "quality" }, { "set_deadline", "2026-03-16T08:00:00Z" } },
  },
  {
    name = "a category given on the command line is routed by the same table as one found in the words",
    case = { reason = "Facturé deux fois", category = "double_billing" },
    config = { routing = { "double_billing:legal" } },
    expect = { { "assign", "legal" }, { "set_deadline", "2026-01-30T08:00:00Z" } },
  },
  {
    name = "the category and owner come from the customer's words",
    case = { reason = "Le prix facturé ne correspond pas au devis signé", channel = "email" },
    invoices = { { total = 1200 } },
    expect = {
      { "categorize", "price" },
      { "assign", "sales" },
      { "set_deadline", "2026-02-05T08:00:00Z" },
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

-- The hook `make bench` times twice: through Litige on a real case, and by stock lua5.4 on a plain
-- table with the same fields (bench/stock_hook.lua). It reads what a typical policy reads and decides
-- nothing, so the two timings compare the cost of calling a hook and reading a case, not of writing.

local function probe(case, ctx)
  local score = 0
  if case.status == "open" or case.status == "in_progress" then score = score + 1 end
  if case.priority <= 2 then score = score + case.priority end
  if case.disputed > ctx.config.large_amount then score = score + 2 end
  if case.escalation == "amicable" and case.age_days > 30 then score = score + 1 end
  if case.category == "price" or case.category == "missing_goods" then score = score + 1 end
  if case.owner == nil then score = score + 1 end
  for _, tag in ipairs(case.tags) do
    if tag == "vip" then score = score + 3 end
  end
  return score
end

return {
  name = "probe",
  version = "1.0.0",
  description = "Reads a case as a typical policy does and decides nothing (for make bench).",
  config = {
    large_amount = { type = "amount", default = 5000, doc = "EUR." },
  },
  nightly = probe,
}

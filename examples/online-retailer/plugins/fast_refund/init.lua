-- Fast refund: a consumer who lost a parcel or received a broken item is refunded at once when the
-- amount is small; the refund costs less than the time spent arguing, and the review stays positive.
return {
  name = "fast_refund",
  version = "1.0.0",
  priority = 80,   -- after triage (100) has categorized the case
  description = "Refunds small consumer losses (missing, broken, undelivered) as soon as the case opens.",
  config = {
    max_amount = { type = "amount", default = 150, min = 0, doc = "Largest amount refunded without discussion." },
    categories = { type = "list", default = { "missing_or_defective", "delivery" }, doc = "Losses refunded at once." },
  },
  triage = function(case, ctx)
    if case.customer.kind ~= "person" or case.disputed > ctx.config.max_amount then return end
    local eligible = false
    for _, category in ipairs(ctx.config.categories) do
      if case.category == category then eligible = true end
    end
    if not eligible then return end
    case:propose_gesture{ kind = "refund", amount = case.disputed, reason = "small consumer loss: refunded at once" }
    case:tag("fast_refund", "refunded without discussion")
  end,
}

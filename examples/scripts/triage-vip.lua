-- Tag and prioritize the open cases of VIP customers, and give unassigned cases to the
-- department that owns their category. Run it with:
--   litige run examples/scripts/triage-vip.lua --dry-run
--   litige run examples/scripts/triage-vip.lua

local owners = {
  price = "sales", double_billing = "accounting", quality = "quality",
  missing_or_defective = "logistics", delivery = "logistics", dates = "operations",
  administrative = "administration",
}

local vip, assigned, total = 0, 0, 0
for c in litige.cases{active = true} do
  total = total + 1
  if c.customer.vip then
    c:tag("vip", "customer is marked VIP")
    if c.priority > 1 then c:prioritize(1, "VIP customers come first") end
    vip = vip + 1
  elseif c.disputed > 10000 then
    c:prioritize(2, string.format("large amount in dispute (%.2f %s)", c.disputed, c.currency))
  end
  if c.owner == nil and c.category ~= nil then
    c:assign(owners[c.category], "default owner of category " .. c.category)
    assigned = assigned + 1
  end
end
print(string.format("%d active cases: %d VIP, %d newly assigned", total, vip, assigned))

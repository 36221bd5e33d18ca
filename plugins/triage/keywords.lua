-- Words that reveal a dispute's category in a customer's own words, French and English.
-- Lowercase, accents removed (see normalize in init.lua); the first category with a match wins.
return {
  { category = "double_billing", words = { "deux fois", "en double", "doublon", "twice", "duplicate", "double billing", "double facturation" } },
  { category = "price", words = { "prix", "tarif", "remise", "devis", "price", "quote", "discount", "overcharged", "trop cher" } },
  { category = "missing_or_defective", words = { "manquant", "casse", "defectueux", "abime", "missing", "broken", "defective", "damaged" } },
  { category = "dates", words = { "retard", "delai", "en retard", "late", "delay", "deadline" } },
  { category = "delivery", words = { "livraison", "livre", "non conforme", "expedition", "delivery", "delivered", "shipment", "shipped" } },
  { category = "quality", words = { "qualite", "mauvais", "bacle", "quality", "poor", "below" } },
  { category = "administrative", words = { "bon de commande", "facture adressee", "numero", "purchase order", "invoice address", "wrong entity" } },
}

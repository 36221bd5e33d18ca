-- What a complaint is about, from the customer's own words (French and English, accents or not).
-- domain.md §2: price, double_billing, quality, missing_or_defective, delivery, dates, administrative.
--
-- Each category has cues (Lua patterns on the normalized text) with a weight; the category with the
-- highest total wins, ties going to the first in `order`. Strong cues (a duplicate invoice, a missing
-- carton, a PO number on the invoice) outweigh the words every complaint uses (facture, livraison).
-- tests/data/labelled_complaints.lua holds labelled complaints; triage_test.lua checks the accuracy.

local accents = {
  ["à"] = "a", ["â"] = "a", ["ä"] = "a", ["á"] = "a", ["é"] = "e", ["è"] = "e", ["ê"] = "e", ["ë"] = "e",
  ["î"] = "i", ["ï"] = "i", ["í"] = "i", ["ô"] = "o", ["ö"] = "o", ["ó"] = "o", ["ù"] = "u", ["û"] = "u",
  ["ü"] = "u", ["ú"] = "u", ["ç"] = "c", ["œ"] = "oe", ["æ"] = "ae", ["’"] = "'", ["«"] = " ", ["»"] = " ",
  ["À"] = "a", ["É"] = "e", ["È"] = "e", ["Ê"] = "e", ["Ç"] = "c", ["Ô"] = "o", ["Î"] = "i",
}

local function normalize(text)
  local lowered = text:lower():gsub(utf8.charpattern, function(ch) return accents[ch] or ch end)
  -- Punctuation stays (it bounds the clauses a customer sets aside); runs of blanks become one space.
  return " " .. lowered:gsub("%s+", " ") .. " "
end

-- Cues: { pattern, weight }. Patterns see a lowercase text without accents, padded with spaces.
local cues = {
  double_billing = {
    { "2 times", 4 }, { "two times", 4 }, { " 2x", 4 }, { " x2", 4 }, { "dubble", 4 }, { "double charged", 5 }, { "charged (me )?twice", 5 },
    { "facturee? a la fois", 5 }, { "par l'agence .- et par le siege", 4 }, { "un seul (demenagement|passage|deplacement)", 4 },
    { "de nouveau (ete )?factur", 5 }, { "a la fois sur", 4 }, { "both the", 2 }, { "on both", 3 }, { "une premiere fois", 3 }, { "une seconde fois", 3 }, { "deux factures (distinctes|differentes)", 5 }, { "two (identical|separate|different) invoices", 5 }, { "nouvelle facture pour (exactement )?les memes", 5 }, { "pour la meme intervention", 4 }, { "same (intervention|visit|session|course)", 3 }, { "listed on both", 5 }, { "une seule (session|fois|intervention|livraison)", 3 }, { "only (took place|happened) once", 4 }, { "both (were )?(collected|debited|charged)", 4 }, { "qu'une seule fois", 3 }, { "identical invoices", 5 }, { "deux (factures|prelevements) identiques", 5 },
    { "encore une fois sur", 4 }, { "une deuxieme fois", 3 }, { "again on", 2 }, { "factures? a nouveau", 3 },
    { "deux fois", 3 }, { "2 fois", 3 }, { "en double", 4 }, { "doublon", 4 }, { "dupliqu", 4 }, { "a nouveau", 1 },
    { "double facturation", 5 }, { "facture en double", 5 }, { "factures? deux fois", 5 }, { "factures? 2 fois", 5 },
    { "deux factures", 3 }, { "2 factures", 3 }, { "refactur", 4 }, { "deja factur", 4 }, { "deja pay", 3 },
    { "deja regl", 3 }, { "preleve deux", 5 }, { "preleve 2", 5 }, { "deux prelevements", 5 }, { "double prelevement", 5 },
    { "preleves? .- a nouveau", 3 }, { "puis a nouveau", 3 }, { "deux lignes", 2 }, { "2 lignes", 2 }, { "meme commande", 2 },
    { "meme prestation", 2 }, { "meme livraison", 2 }, { "meme jour", 1 }, { "twice", 4 }, { "duplicate", 5 },
    { "double charg", 5 }, { "charged .-again", 3 }, { "double bill", 5 }, { "billed .-again", 3 }, { "two invoices", 3 },
    { "already paid", 3 }, { "already invoiced", 4 }, { "same shipment", 2 }, { "same order", 2 }, { "same service", 2 },
    { "same delivery", 2 }, { "invoiced again", 4 }, { "charged again", 4 }, { "second time", 1 },
  },
  price = {
    { "charged (me |us )?%d+ ?€? instead", 5 }, { "%d+ ?€ instead of", 4 }, { "instead of %d+ ?€", 4 },
    { "(loyalty|volume) (discount|rebate)", 5 }, { "rebate", 4 }, { "remise (de fidelite|volume|quantitative)", 5 }, { "framework agreement", 2 }, { "(agreed|negotiated) .-(missing|not applied)", 3 },
    { "frais de (livraison|port) .-(n'auraient pas|ne devaient pas|pas du)", 5 }, { "franco", 4 }, { "contract says", 4 }, { "par heure", 3 }, { "de l'heure", 2 }, { "per hour", 3 }, { "estimate", 3 }, { "displayed", 2 }, { "increase", 3 }, { "augment", 3 }, { "majoration", 3 }, { "€ au lieu des? ", 3 }, { "au lieu des? %d+[,.]?%d* ?€", 3 }, { "instead of the %d+[,.]?%d* ?€", 3 }, { "tarif affiche", 4 }, { "plus cher", 3 }, { "fee", 1 },
    { "reduc", 3 }, { "€ l'unite", 3 }, { "l'unite au lieu", 4 }, { "passe de %d", 3 }, { "sans (que j'aie ete|etre|nous avoir) prevenu", 3 }, { "frais de port", 3 }, { "shipping", 2 }, { "free above", 3 }, { "above the (signed )?quot", 4 }, { "quotation", 3 }, { "comme convenu", 2 }, { "convenu", 1 }, { "surcharge", 3 }, { "difference", 1 },
    { " prix", 3 }, { "tarif", 3 }, { "remise", 3 }, { "devis", 3 }, { "ristourne", 3 }, { "rabais", 3 },
    { "promo", 3 }, { "reduction", 2 }, { "trop cher", 3 }, { "surfactur", 4 }, { "augmentation", 2 },
    { "hausse", 2 }, { "montant", 1 }, 
    { "prix unitaire", 4 }, { "€ ?/h", 2 }, { "€ ?piece", 2 }, { "au lieu de %d", 1 }, { "%d+ ?%%", 2 },
    { "grille tarifaire", 4 }, { "catalogue", 2 }, { "contractuel", 2 }, { "negocie", 3 }, { "conditions commerciales", 3 },
    { "price", 3 }, { "pricing", 3 }, { "quote", 3 }, { "quoted", 3 }, { "discount", 3 }, { "overcharg", 4 },
    { "rate ", 2 }, { "list price", 4 }, { "negotiated", 3 }, { "promo code", 4 },
    { "coupon", 3 }, { "price increase", 4 }, { "unit price", 4 }, { "too expensive", 3 }, { "should be %d", 2 },
    { "instead of %d", 1 }, { "per hour", 2 }, { "/h", 1 }, { "charged more", 3 }, { "higher than", 2 },
  },
  missing_or_defective = {
    { "doesn'?t work", 3 }, { "not working", 3 }, { "n'?est pas fonctionnel", 4 },
    { "mortes?", 3 }, { "ne chargent pas", 4 }, { "dead", 3 }, { "recus? fissure", 4 }, { "(recu|recues|reçu|arrive|arrivee|livre)e?s? .-(fissure|casse|brise|endommage)", 3 },
    { "cassees", 4 }, { "ecorne", 4 }, { "absent du (carton|colis)", 5 }, { "absente?s? du", 3 }, { "defaillant", 4 }, { "panne materielle", 4 }, { "ne s'allume", 3 }, { "code erreur", 4 }, { "tordu", 3 }, { "ne tiennent pas", 2 }, { "would not boot", 5 }, { "faulty", 4 }, { "dead", 3 }, { "did not work when", 5 }, { "split open", 4 }, { "soaked", 4 }, { "unusable", 2 }, { "ne comportait pas", 5 }, { "manquai", 4 }, { "des l'installation", 3 }, { "from the start", 3 }, { "first power%-up", 4 }, { "first cycle", 4 }, { "premier cycle", 4 }, { "on first", 2 }, { "%d+ (verres|articles|pieces|unites|bouteilles|cartons|colis) au lieu des? %d+", 5 }, { "%d+ %a+ sur %d+", 2 },
    { "sous garantie", 5 }, { "garantie", 3 }, { " sav", 4 }, { "warranty", 5 }, { "en panne", 3 }, { "ne marche (pas|plus)", 3 }, { "ne fonctionne plus", 3 }, { "hors d'usage", 4 },
    { "n'etait pas dans", 4 }, { "mouille", 4 }, { "trempe", 4 }, { "renverse", 3 }, { "eclate", 4 }, { "gondole", 4 }, { "hernie", 4 }, { "ne chauffe pas", 3 }, { "impossible de les monter", 3 }, { "recu que %d", 5 }, { "n'en avons recu que", 5 }, { "received instead", 3 }, { "wrong quantity", 5 }, { "quantity", 2 }, { "a l'arrivee", 3 }, { "%d+ (cartons?|palettes?|pallets?|boxes|sacs?|colis) (au lieu de|instead of)", 5 }, { "des (le )?(premier|premiere) (branchement|utilisation|mise en route)", 4 },
    { "manqu", 4 }, { "il manque", 5 }, { "incomplet", 4 }, { "casse", 4 }, { "brise", 4 }, { "abime", 4 },
    { "endommag", 4 }, { "defectu", 4 }, { "defaut", 3 }, { "fissur", 1 }, { "raye", 3 }, { "cabosse", 4 },
    { "ecrase", 3 }, { "eventre", 4 }, { "dechire", 3 }, { "fuit", 2 }, { "fui ", 2 }, { "ne demarre pas", 3 },
    { "ne fonctionne pas", 2 }, { "hors service", 3 }, { "en panne", 2 }, { "hs ", 2 }, { "vide", 2 }, { "au lieu de %d+", 2 },
    { "seules? %d+", 3 }, { "seulement %d+", 3 }, { "%d+ sur %d+", 2 }, { "sur les %d+", 2 }, { "quantite", 2 },
    { "en moins", 3 }, { "pas dans le (colis|carton|paquet)", 3 }, { "a l'ouverture", 2 }, { "a la reception", 2 },
    { "des la (premiere|toute premiere) ", 3 }, { "des le deballage", 4 }, { "deballage", 3 },
    { "missing", 5 }, { "broken", 5 }, { "damaged", 5 }, { "defective", 5 }, { "smashed", 5 }, { "cracked", 3 },
    { "dented", 4 }, { "scratched", 4 }, { "crushed", 4 }, { "torn", 3 }, { "leak", 3 }, { "dead on arrival", 5 },
    { "doa ", 4 }, { "short", 3 }, { "only %d+", 3 }, { "instead of %d+", 2 }, { "out of the box", 3 },
    { "when we opened", 3 }, { "on arrival", 3 }, { "incomplete", 4 }, { "doesn't work", 2 }, { "does not work", 2 },
    { "won't turn on", 3 }, { "empty", 3 },
  },
  delivery = {
    { "rien recu", 3 }, { "do not match the order", 5 }, { "don'?t match the order", 5 }, { "not match (the|our) order", 5 },
    { "bon de livraison porte", 4 }, { " bl ", 3 }, { "bl n", 2 }, { "(references|quantites) d'un autre", 5 }, { "old address", 2 }, { "shipped (the order )?to (my|our) old address", 6 }, { "only %d+ (have|has) left", 5 }, { "invoiced before shipment", 6 }, { "avant (l')?expedition", 3 }, { "quantites sont raturees", 4 }, { "tamponne", 3 }, { "signe", 1 },
    { "depose a notre ancien", 5 }, { "ancien (entrepot|site|depot|local)", 3 }, { "pas le produit commande", 5 }, { "ne correspond pas au modele", 5 }, { "au lieu de celui", 2 }, { "alors que le bon de commande (mentionnait|indiquait|prevoyait)", 5 }, { "instead of the .-address", 4 }, { "another (venue|address|site)", 4 }, { "never reached", 5 }, { "livree? a un autre", 5 }, { "delivered to (our|the|another|a)", 3 }, { "recu du .- et non du", 4 }, { "et recu", 2 }, { "commande du .- et recu", 4 }, { "on a commande", 3 }, { "au lieu du modele", 4 }, { "angle (gauche|droit)", 1 },
    { "bon de livraison", 3 }, { "delivery note", 3 }, { "avant (que|d'avoir) (tout )?(la marchandise|les marchandises|tout) (soit|ait ete) (expedie|livre)", 5 },
    { "livre a (notre|une|l') ?(ancienne|autre|mauvaise) adresse", 5 }, { "commande d'un autre client", 5 }, { "someone else'?s order", 5 }, { "(haven't|has not|hasn't|not) (even )?(yet )?been shipped", 5 }, { "shows as delivered", 4 }, { "nothing was (ever )?received", 5 }, { "pointure", 3 }, { "la bonne reference", 4 }, { "pas la bonne", 3 }, { "erreur d'article", 5 }, { "received someone", 4 }, { "totally different", 3 }, { "differents? produits", 2 }, { "different products", 3 },
    { "jamais recu", 5 }, { "jamais ete livr", 5 }, { "pas ete livr", 4 }, { "jamais livr", 5 }, { "pas recu", 4 },
    { "toujours pas recu", 4 }, { "non recu", 4 }, { "perdu", 3 }, { "egare", 3 }, { "colis", 1 }, { "non conforme", 4 },
    { "ne correspond pas a la (commande|reference)", 5 }, { "au lieu de[sl]? ", 2 }, { "au lieu du ", 2 },
    { "mauvais(e?) (article|produit|reference|modele|couleur|taille)", 5 }, { "mauvaise adresse", 4 },
    { "autre adresse", 3 }, { "pas la notre", 3 }, { "voisin", 3 }, { "expedi", 2 }, { "pas encore (partie|expedie)", 5 },
    { "avant (l'|d')?expedition", 4 }, { "avant (la )?livraison", 3 }, { "commande porte", 3 }, { "nous avions commande", 3 },
    { "commandee?s? ", 1 }, { "reference commandee", 4 }, { "modele", 2 }, { "taille", 2 }, { "couleur", 2 },
    { "livraison", 1 }, { "livre", 1 }, { "suivi", 2 }, { "transporteur", 2 },
    { "never (received|arrived|got)", 5 }, { "not received", 4 }, { "never delivered", 5 }, { "lost", 3 },
    { "wrong (item|product|model|colour|color|size|reference|part|address)", 5 }, { "tracking", 2 }, { "delivered to", 3 },
    { "neighbo", 3 }, { "instead of (the|a|an|our)", 2 }, { "the order was for", 4 }, { "we ordered", 3 },
    { "not what we ordered", 5 }, { "doesn't match the order", 5 }, { "does not match", 3 }, { "before shipping", 4 },
    { "before it shipped", 4 }, { "not shipped", 4 }, { "size %d+", 2 }, { "courier", 2 }, { "package", 1 },
    { "parcel", 1 }, { "dropped off", 3 },
  },
  dates = {
    { "personne n'?est (venu|passe)", 6 }, { "no one (came|showed)", 6 }, { "nobody (came|showed)", 6 },
    { "arrivee? %d+ ?h apres", 5 }, { "%d+ ?h apres le debut", 5 }, { "missed the (agreed )?(date|slot|deadline)", 5 }, { "still hasn't started", 4 }, { "attendus? pour le", 4 }, { "expected (by|on) the", 3 }, { "en %d+ jours", 2 }, { "arrivees? en %d+ jours", 4 }, { "express", 2 }, { "j%+%d", 3 },
    { "arrivee?s? le %d+ .-(apres|au lieu)", 4 }, { "bien apres", 4 }, { "date limite", 4 }, { "devait venir", 5 }, { "toujours personne", 5 }, { "n'est intervenue? que", 5 }, { "fixee? (contractuellement )?au", 3 }, { "promised (back )?(on|for|by)", 4 }, { "still not (ready|finished|done|here)", 4 }, { "overrun", 4 }, { "schedule", 3 }, { "booked for", 3 }, { "only (arrived|came|showed up) on", 5 }, { "supposed to (take place|arrive|come|be here)", 4 }, { "before our", 2 }, { "ran out", 2 }, { "ce matin a %d+h", 3 }, { "%d+h .-toujours", 3 }, { "la semaine (derniere|suivante)", 1 }, { "following (monday|tuesday|wednesday|thursday|friday)", 3 },
    { "devait (etre|nous etre|passer|prendre|arriver|commencer)", 4 }, { "prevue? (a|pour|le|chaque|entre)", 3 }, { "arrivee? a %d+ ?h", 4 }, { "n'a eu lieu que", 4 }, { "(realisee?|faite?|effectuee?) que", 4 }, { "%d+ jours apres", 3 }, { "date annoncee", 4 }, { "non respecte", 4 }, { "took (a|one|two|%d+) (week|day|month)", 4 }, { "supposed to be (finished|done|delivered|ready)", 4 }, { "still ongoing", 4 }, { "waiting %d+ weeks", 4 }, { "lead time", 4 }, { "an hour after", 4 }, { "after (our|the) event", 3 }, { "express", 2 }, { "a mis %d+ jours", 4 }, { "sous %d+ ?h", 2 }, { "echeance", 2 }, { "depuis un mois", 1 }, { "arrive a %d+h", 4 }, { "au lieu de lundi", 3 }, { "est venu (lundi|mardi|mercredi|jeudi|vendredi|samedi)", 3 }, { "next%-day", 3 },
    { "retard", 4 }, { "en retard", 5 }, { "delai", 3 }, { "delais", 3 }, { "pas tenu", 3 }, { "repousse", 4 },
    { "report", 2 }, { "decale", 3 }, { "toujours pas (termine|fini|fait)", 4 }, { "attendons toujours", 3 },
    { "date prevue", 4 }, { "date promise", 4 }, { "date ferme", 3 }, { "planning", 3 }, { "rdv", 3 },
    { "rendez%-vous", 3 }, { "manque le rendez", 5 }, { "rdv manque", 5 }, { "pas venu", 4 }, { "jamais venu", 4 },
    { "pas presente", 3 }, { "apres la fin", 4 }, { "trop tard", 4 }, { "semaines? de retard", 5 }, { "heures? de retard", 5 },
    { "jours? de retard", 5 }, { "%d+ ?h de retard", 5 }, { "au lieu du %d", 1 }, { "toujours en attente", 3 },
    { "late", 4 }, { "delay", 4 }, { "deadline", 4 }, { "overdue", 3 }, { "missed (our|the|my) appointment", 5 },
    { "missed", 2 }, { "appointment", 3 }, { "postponed", 4 }, { "rescheduled", 4 }, { "hours after", 4 },
    { "days after", 2 }, { "weeks behind", 5 }, { "behind schedule", 5 }, { "still waiting", 3 }, { "no%-show", 4 },
    { "didn't show", 4 }, { "never showed", 4 }, { "showed up", 3 }, { "scheduled", 2 }, { "later than", 4 },
    { "on time", 3 },
  },
  quality = {
    { "terrible", 3 }, { "paint ?job", 4 }, { "badly done", 5 }, { "poorly (done|made)", 5 },
    { "(marche|fonctionne|produisent|produit|lisibles?|utilisables?|livrees? a temps|est fait|sont bons?) mais", 5 }, { "(works|usable|readable|done|on time|delivered) but", 5 }, { "en dessous de", 3 }, { "below the", 3 }, { "rendement", 3 }, { "puissance annoncee", 4 }, { "fiche technique", 3 }, { "floue?s?", 3 }, { "blurr?ed", 3 }, { "mal cadre", 4 }, { "ne correspondent pas au bat", 5 }, { "approved proof", 5 }, { "bat valide", 5 }, { "couleurs?", 2 }, { "colou?rs? (are|is) (dull|off|wrong)", 4 }, { "runs and dust", 4 }, { "generic", 3 }, { "copied from a template", 4 }, { "ne maitrisait pas", 4 }, { "la moitie du programme", 4 }, { "half (of )?the (agreed )?programme", 4 }, { "not acceptable for", 2 }, { "rien a voir avec", 3 }, { "nothing to do with", 3 },
    { "lent", 2 }, { "temps de reponse", 3 }, { "cahier des charges", 3 }, { "deuxieme intervention", 3 }, { "fait des bulles", 4 }, { "se decolle", 4 }, { "fane", 3 }, { "pauvre", 2 }, { "toujours present", 3 }, { "n'a servi a rien", 4 }, { "squeak", 3 }, { "did not hold", 5 }, { "standard has dropped", 5 }, { "dusty", 3 }, { "dirty", 3 }, { "waste of time", 4 }, { "could not answer", 3 }, { "unprofessional", 4 }, { "mistakes", 3 }, { "soggy", 4 }, { "premium", 2 }, { "messy", 3 }, { "low%-resolution", 3 }, { "la reparation n'a", 4 }, { "repaired .-again", 4 }, { "fuit de nouveau", 3 }, { "encore une fois", 1 },
    { "fiabilite", 4 }, { "tombe en panne", 3 }, { "sonne creux", 4 }, { "se fissurent", 4 }, { "laissent? passer", 3 }, { "pas (assez|correctement)", 3 }, { "rassis", 4 }, { "s'effrite", 4 }, { "a peine", 3 }, { "n'a pas tenu", 4 }, { "pas le niveau", 4 }, { "cold", 2 }, { "bland", 4 }, { "disappoint", 3 }, { "keeps crashing", 4 }, { "crash", 2 }, { "botched", 5 }, { "didn't hold", 5 }, { "came back", 3 }, { "full of errors", 4 }, { "errors", 2 }, { "taste", 3 }, { "burnt", 3 }, { "nothing like", 2 }, { "sans resultat", 3 }, { "refuit", 3 },
    { "qualite", 4 }, { "bacle", 5 }, { "mal fait", 5 }, { "malfacon", 5 }, { "mal (pose|parametre|monte|installe|raccorde|aligne|coupe|peint|nettoye|realise|execute|fait)", 5 },
    { "a la va%-vite", 5 }, { "travail", 2 }, { "prestation", 1 }, { "finition", 4 }, { "inacceptable", 1 },
    { "mediocre", 4 }, { "decevant", 3 }, { "decu", 2 }, { "pas a la hauteur", 4 }, { "pas conforme au cahier", 4 },
    { "ne tient pas", 4 }, { "a lache", 4 }, { "lache au bout", 5 }, { "au bout de", 3 }, { "apres (un|une|deux|trois|%d+) (mois|semaines?|jours?)", 3 },
    { "depuis (la pose|l'installation|le debut)", 3 }, { "deja des", 2 }, { "fissures", 3 }, { "poussiere", 3 }, { "sale", 2 },
    { "taches?", 2 }, { "traces", 3 }, { "fautes", 3 }, { "contresens", 4 }, { "inutilisable", 2 }, { "superficiel", 4 },
    { "ne repond", 2 }, { "mal ", 1 }, { "mauvaise qualite", 5 }, { "gout", 3 }, { "fade", 3 }, { "goût", 3 },
    { "quality", 4 }, { "poor", 3 }, { "sloppy", 5 }, { "shoddy", 5 }, { "below", 2 }, { "substandard", 5 },
    { "not up to", 4 }, { "workmanship", 5 }, { "finish", 3 }, { "after (a|one|two|three|%d+) (month|week|day)s?", 3 },
    { "started (wobbling|leaking|failing|peeling)", 4 }, { "peel", 3 }, { "wobbl", 3 }, { "fell apart", 4 },
    { "stopped working", 3 }, { "jams", 3 }, { "slow", 2 }, { "breaks on", 2 }, { "typos", 3 }, { "badly", 3 },
    { "pills", 3 }, { "sample we approved", 3 }, { "not the quality", 5 }, { "lower than", 2 },
  },
  administrative = {
    { "remboursement non recu", 6 }, { "never got (my|the) refund", 6 }, { "refund not received", 6 }, { "facture corrigee", 6 }, { "corrected invoice", 6 },
    { "penalites de retard", 3 }, { "indemnite forfaitaire", 3 }, { "contest(ons|e|ent) les penalites", 5 }, { "(regle|reglee|payee|soldee|encaisse) (dans le delai|depuis|le %d)", 3 }, { "mise en demeure pour une facture (soldee|reglee|payee)", 6 }, { "relance pour (la )?(fa|facture)", 3 }, { "%d*e?me relance", 3 }, { "relance", 2 }, { "(payment )?reminder for (invoice|a paid)", 5 }, { "reminder", 2 }, { "credit note .-(never|not|still not) (been )?(deducted|offset|applied)", 6 }, { "avoir .-(jamais|pas|toujours pas) (ete )?(deduit|impute|applique)", 6 }, { "(offset|deducted) against", 3 }, { "mettre a jour (votre|son) (compte|compta)", 4 }, { "payment due on receipt", 4 }, { "45 days", 2 }, { "end of month", 3 }, { "a reception", 1 },
    { "reference du marche", 5 }, { "echeance de paiement", 5 }, { "conditions (negociees|de paiement|de reglement)", 4 }, { "%d+ jours fin de mois", 5 }, { "porte le nom", 5 }, { "au lieu de celui de notre (entreprise|societe)", 4 }, { "invoice (sent|addressed|mailed) to our old address", 6 }, { "old address", 3 }, { "payeur", 3 }, { "(numero|n ?°|reference) (du|de) bon de commande", 4 }, { "bon de commande (errone|absent|manquant|incorrect|faux)", 7 }, { "(po|purchase order) number", 5 }, { "missing (the|our) (po|purchase order)", 6 }, { "a reception", 1 },
    { " tva", 5 }, { "taux de tva", 6 }, { "autoliquidation", 5 }, { " vat", 5 }, { "reverse%-charg", 5 }, { "tax amount", 4 }, { "avoir (non|pas) (deduit|deduite|pris en compte|impute)", 6 }, { "credit note (not|wasn't|was not) (deducted|applied)", 6 }, { "(relance|rappel) .-(deja|bien) (payee?|reglee?)", 5 }, { "(reminder|dunning) .-already paid", 5 }, { "penalites de retard (injustifiees|contestees|indues)", 5 }, { "contest(ons|e) les penalites", 5 }, { "late (payment )?(fees|penalties) (charged|applied) .-paid on time", 5 }, { "coordonnees bancaires", 5 }, { "bank details", 5 },
    { "reference interne", 5 }, { "numero d'engagement", 5 }, { "dematerialisation", 4 }, { "plateforme", 2 }, { "facture a ete envoyee", 3 }, { "(facture|courrier) .-ancienne adresse", 5 }, { "references? de nos bons de livraison", 5 }, { "cost cent", 5 }, { "required by our contract", 3 }, { "cannot process", 4 }, { "recapitulative", 3 }, { "obligatoire", 3 }, { "refusee? par notre", 4 },
    { "bon de commande", 2 }, { "numero de commande", 4 }, { "n ?° ?de commande", 4 }, { "reference de commande", 4 },
    { "raison sociale", 5 }, { "siret", 5 }, { "siren", 5 }, { "numero de tva", 5 }, { "tva intracommunautaire", 4 },
    { "entite", 5 }, { "filiale", 4 }, { "maison mere", 4 }, { "ancienne societe", 5 }, { "nom de (notre|la) (societe|entreprise|etablissement)", 5 },
    { "mal orthographi", 5 }, { "libelle", 4 }, { "adressee? a", 3 }, { "au nom de", 4 }, { "destinataire", 4 },
    { "code client", 5 }, { "numero client", 5 }, { "mentions? (obligatoire|legale)", 5 }, { "mention", 3 },
    { "date d'emission", 4 }, { "date d'echeance", 3 }, { "conditions de paiement", 4 }, { "delai de paiement", 4 },
    { "iban", 4 }, { "rib", 4 }, { "service comptab", 2 }, { "rejet", 3 }, { "refaire la facture", 3 },
    { "facture conforme", 4 }, { "document conforme", 4 }, { "adresse de facturation", 5 }, { "mauvais service", 3 },
    { "mauvais site", 3 }, { "autre de nos sites", 3 }, { "erronee?", 2 }, { "errone", 2 }, { "sans reference", 3 },
    { "purchase order", 2 }, { " po ", 5 }, { " po number", 5 }, { "po%-", 3 }, { "legal entity", 5 }, { "company name", 5 },
    { "vat number", 5 }, { "tax id", 5 }, { "billing address", 5 }, { "addressed to", 4 }, { "misspel", 5 }, { "wrong entity", 5 },
    { "subsidiary", 4 }, { "parent company", 4 }, { "payment terms", 4 }, { "customer number", 5 }, { "account number", 3 },
    { "ap system", 4 }, { "accounts payable", 3 }, { "rejects it", 3 }, { "corrected copy", 4 }, { "reissue", 3 },
    { "resend", 2 }, { "missing our", 3 }, { "wrong department", 4 }, { "registration number", 5 },
  },
}

-- "(a|b)" in a cue is an alternative (Lua patterns have none): each cue becomes the list of its spellings.
local function expand(pattern)
  -- "(x)?" is "x" or nothing; "(a|b)" is "a" or "b".
  local open, close = pattern:find("%([^()]*%)%?")
  local choices
  if open then
    choices = { pattern:sub(open + 1, close - 2), "" }
  else
    open, close = pattern:find("%([^()]*|[^()]*%)")
    if not open then return { pattern } end
    choices = {}
    for choice in (pattern:sub(open + 1, close - 1) .. "|"):gmatch("([^|]*)|") do choices[#choices + 1] = choice end
  end
  local results = {}
  for _, choice in ipairs(choices) do
    for _, rest in ipairs(expand(pattern:sub(1, open - 1) .. choice .. pattern:sub(close + 1))) do
      results[#results + 1] = rest
    end
  end
  return results
end

for _, list in pairs(cues) do
  for _, cue in ipairs(list) do cue.spellings = expand(cue[1]) end
end

-- Ties go to the category that most often owns an ambiguous complaint.
local order = { "double_billing", "administrative", "missing_or_defective", "delivery", "dates", "price", "quality" }

-- A complaint that explicitly sets a theme aside ("le prix est bon", "ce n'est pas grave") must not be
-- filed under it: cues within such a clause count for nothing.
-- Phrases that dismiss the clause before them ("le retard, passons, mais ...").
local dismissed_before = {
  "passons", "passe encore", "soit", "never mind", "fine", "ce n'est pas le sujet", "ce n'est pas grave",
  "which is minor", "is minor", "not the point",
}

local dismissals = {
  "le prix est bon", "prix correct", "tarif correct", "rien a redire", "pas grave", "je ne conteste pas le delai",
  "je ne conteste pas le prix", "la qualite du travail est correcte", "la qualite est correcte", "price is fine",
  "quality is fine", "not about the price", "ne conteste pas",
}

local function category_of(reason)
  if type(reason) ~= "string" or reason == "" then return nil end
  local text = normalize(reason)
  for _, phrase in ipairs(dismissals) do
    local from, to = text:find(phrase, 1, true)
    if from then
      -- Blank the dismissed clause up to the next "mais"/"but" (or the sentence's end).
      local stop = text:find("[,%.;!:]", to) or text:find(" mais ", to, true) or text:find(" but ", to, true) or #text
      text = text:sub(1, from - 1) .. string.rep(" ", stop - from) .. text:sub(stop)
    end
  end
  for _, phrase in ipairs(dismissed_before) do
    local from = text:find(" " .. phrase .. "[ ,.;!]")
    if from then
      local start = 1
      for position = from - 1, 1, -1 do
        if text:sub(position, position):find("[%.;!:]") then
          start = position + 1
          break
        end
      end
      text = text:sub(1, start - 1) .. string.rep(" ", from - start) .. text:sub(from)
    end
  end
  local best, bestScore, bestCue = nil, 0, nil
  for _, category in ipairs(order) do
    local score, strongest, strongestWeight = 0, nil, 0
    for _, cue in ipairs(cues[category]) do
      local pattern, weight = cue[1], cue[2]
      local found = false
      for _, spelling in ipairs(cue.spellings) do
        if text:find(spelling) then
          found = true
          break
        end
      end
      if found then
        score = score + weight
        if weight > strongestWeight then strongest, strongestWeight = pattern, weight end
      end
    end
    if score > bestScore then best, bestScore, bestCue = category, score, strongest end
  end
  return best, bestCue
end

return { category_of = category_of, normalize = normalize }

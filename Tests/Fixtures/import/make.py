"""Writes the realistic import files the exchange tests read (run from this folder; deterministic).

customers.csv: Windows-1252, ';' separated, as French Excel saves it; invoices.csv: UTF-8 with BOM,
';' separated, decimal commas and grouped thousands; cases.json; communications.csv: UTF-8, ',' with
quoted newlines; payments.csv: UTF-8, ','.
"""
import json
import random

random.seed(2026)
first = ["Émile", "Zoé", "François", "Hélène", "Noël", "Anaïs", "Jérôme", "Cécile", "Loïc", "Maëlle", "Gaëtan",
         "Béatrice", "Raphaël", "Inès", "Thérèse", "Grégoire"]
last = ["Lefèvre", "Gauthier", "Dubois", "Mercier", "Faure", "Boulanger", "Rivière", "Chevalier", "Leclerc",
        "Perrin", "Môquet", "Bréhat"]
trades = ["Boulangerie", "Pâtisserie", "Quincaillerie", "Société", "Établissements", "Menuiserie", "Traiteur",
          "Librairie", "Fromagerie", "Brasserie"]
towns = ["Saint-Étienne", "Besançon", "Orléans", "Nîmes", "Béziers", "Évreux", "Châlons", "Angoulême"]

customers = []
with open("customers.csv", "w", encoding="cp1252", newline="") as out:
    out.write("id;name;kind;segment;email;phone;language;vip;since\r\n")
    for i in range(1, 201):
        cid = f"CLI-{i:04d}"
        if i % 3 == 0:
            name = f"{random.choice(first)} {random.choice(last)}"
            kind = "person"
            segment = "particulier"
        else:
            name = f"{random.choice(trades)} {random.choice(last)} & Fils"
            kind = "company"
            segment = random.choice(["PME", "GE", "artisan; commerce"])
        if i % 17 == 0:
            name = f'{name} "{random.choice(towns)}"'
        email = f"contact{i}@exemple.fr" if i % 5 else ""
        phone = f"0{random.randint(1, 9)} {random.randint(10, 99)} {random.randint(10, 99)} {random.randint(10, 99)} {random.randint(10, 99)}"
        language = "en" if i % 11 == 0 else "fr"
        vip = random.choice(["oui", "non", "non", "non"])
        since = f"{random.randint(1, 28):02d}/{random.randint(1, 12):02d}/{random.randint(2005, 2025)}" if i % 4 else ""
        def q(v):
            return '"' + v.replace('"', '""') + '"' if any(c in v for c in ';"\n') else v
        out.write(";".join([cid, q(name), kind, q(segment), email, phone, language, vip, since]) + "\r\n")
        customers.append((cid, kind))

def fr_amount(minor):
    units, cents = divmod(minor, 100)
    text = f"{units:,}".replace(",", "\u202f" if units % 2 else " ")
    return f"{text},{cents:02d}"

invoices = []
with open("invoices.csv", "w", encoding="utf-8-sig", newline="") as out:
    out.write("number;customer_id;issued_on;due_on;currency;total;paid\n")
    for i in range(1, 401):
        cid = customers[(i * 7) % len(customers)][0]
        month = 1 + i % 10
        day = 1 + i % 28
        issued = f"2026-{month:02d}-{day:02d}"
        due = f"{day:02d}/{(month % 12) + 1:02d}/2026" if month < 12 else f"{day:02d}/01/2027"
        total = random.randint(1_000, 5_000_000)
        paid = 0 if i % 4 else random.randint(0, total)
        out.write(f"F-2026-{i:05d};{cid};{issued};{due};EUR;{fr_amount(total)};{fr_amount(paid) if paid else ''}\n")
        invoices.append((f"F-2026-{i:05d}", cid, total, paid))

by_customer = {}
for number, cid, total, paid in invoices:
    by_customer.setdefault(cid, []).append((number, total, paid))
reasons = ["Bon de commande erroné", "Il manque deux cartons", "facturé 2 fois !!", "Erreur de TVA sur la facture",
           "Colis jamais reçu", "Produit abîmé à la livraison", "Remise oubliée", "Livraison en retard de 3 semaines",
           "The invoice price is wrong", "Prix différent du devis"]
cases = []
for n, cid in enumerate(sorted(by_customer)[:120], start=1):
    numbers = [inv for inv in by_customer[cid] if inv[1] - inv[2] > 0][:2]
    if not numbers:
        continue
    record = {"id": f"L{n:06d}", "customer_id": cid, "opened_at": f"2026-10-{1 + n % 28:02d}T09:{n % 60:02d}:00+02:00",
              "channel": random.choice(["email", "phone", "letter", "web"]), "reason": random.choice(reasons),
              "invoices": ";".join(num for num, _, _ in numbers)}
    if n % 3 == 0:
        owed = numbers[0][1] - numbers[0][2]
        record["disputed"] = f"{max(1, owed // 2) / 100:.2f}"
    if n % 5 == 0:
        record["category"] = "price"
    cases.append(record)
with open("cases.json", "w", encoding="utf-8") as out:
    json.dump(cases, out, ensure_ascii=False, indent=2)

with open("communications.csv", "w", encoding="utf-8", newline="") as out:
    out.write("case_id,at,direction,channel,author,summary\r\n")
    for n, case in enumerate(cases[:100], start=1):
        out.write(f'{case["id"]},2026-10-{1 + n % 28:02d}T14:00:00+02:00,in,email,client,"Bonjour,\r\nje n\'ai toujours pas de réponse, ""urgent"".\r\nCordialement"\r\n')
        out.write(f"{case['id']},2026-10-{1 + n % 28:02d} 16:30,out,email,Léa,Nous revenons vers vous sous 48 h\r\n")

with open("payments.csv", "w", encoding="utf-8", newline="") as out:
    out.write("invoice,paid_on,amount,reference,method\n")
    count = 0
    for number, cid, total, paid in invoices:
        owed = total - paid
        if owed > 0 and count < 150 and int(number[-3:]) % 2 == 0:
            count += 1
            out.write(f"{number},2026-11-{1 + count % 20:02d},{owed // 3 / 100:.2f},VIR-{count:05d},transfer\n")

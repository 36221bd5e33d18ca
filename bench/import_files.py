"""Writes the files the import benchmark reads: N invoices of N/3 customers, as French Excel saves
them (';', decimal commas, DD/MM/YYYY). Usage: python3 bench/import_files.py N FOLDER"""
import os
import random
import sys

count = int(sys.argv[1])
folder = sys.argv[2]
os.makedirs(folder, exist_ok=True)
random.seed(7)
customers = max(1, count // 3)
with open(os.path.join(folder, "customers.csv"), "w", encoding="utf-8", newline="") as out:
    out.write("id;name;kind;segment;email;language;vip\n")
    for i in range(customers):
        out.write(f"CLI-{i:07d};Société Dupré n°{i};company;PME;compta{i}@exemple.fr;fr;non\n")
with open(os.path.join(folder, "invoices.csv"), "w", encoding="utf-8", newline="") as out:
    out.write("number;customer_id;issued_on;due_on;currency;total;paid\n")
    for i in range(count):
        total = random.randint(1_000, 10_000_000)
        paid = total if i % 3 == 0 else 0
        day = 1 + i % 28
        out.write(f"F-{i:08d};CLI-{i % customers:07d};{day:02d}/03/2026;{day:02d}/04/2026;EUR;"
                  f"{total // 100},{total % 100:02d};{paid // 100},{paid % 100:02d}\n")

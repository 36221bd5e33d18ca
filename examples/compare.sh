#!/usr/bin/env bash
# Runs the same complaints through the two example companies' policies, on the demo data set,
# and shows how differently they are handled. Usage: examples/compare.sh [path/to/litige]
set -euo pipefail
cd "$(dirname "$0")/.."
litige=${1:-.build/debug/litige}
for company in online-retailer wholesaler; do
  db=examples/$company/litige.sqlite
  rm -f "$db" "$db-wal" "$db-shm"
  "$litige" init --demo --seed 7 --db "$db" > /dev/null
  echo "=================== $company"
  "$litige" plugins check --db "$db"
  echo "--- a consumer's parcel arrived broken (89.90 EUR)"
  "$litige" case open --db "$db" --customer C0003 --channel web --reason "Colis arrivé cassé" --disputed 89.90
  echo "--- an industrial customer disputes a price (12,400 EUR)"
  "$litige" case open --db "$db" --customer C0011 --channel email \
    --reason "Le prix facturé ne correspond pas au devis signé" --disputed 12400.00
done
echo
echo "Each workspace stays in examples/<company>/litige.sqlite: try"
echo "  $litige case explain 122 --db examples/wholesaler/litige.sqlite"

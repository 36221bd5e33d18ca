#!/usr/bin/env python3
"""Writes a Litige workspace's cases as plain Lua tables, for the stock-lua5.4 baseline (run.lua).

Usage: python3 export_cases.py DB AS_OF_DATE OUT [--toml FILE] [--chunk N]

  DB          the workspace database (litige.sqlite); it is only read
  AS_OF_DATE  the night, YYYY-MM-DD: the run is "as of 2 a.m." that day in the company's time zone,
              as `litige batch --as-of` does
  OUT         a folder, created: meta.lua (the night, the company, the plugins' settings, the list of
              chunk files) and cases-NNNNN.lua, each `return { case, case, ... }` of N cases
  --toml      the workspace's litige.toml (default: litige.toml beside DB)
  --chunk     cases per chunk file (default 10000): lua5.4 loads one chunk at a time, so memory stays
              that of one chunk whatever the number of cases (1M cases: 100 files)

Every case the night visits is written: not closed, opened before the night's instant. Each is the
plain table a policy reads (PolicyRuntime.caseField / pushPlainFields): status, category, priority,
disputed (a number of euros), escalation, age_days, deadline and opened_at (Unix seconds), owner,
reason, reference, channel, currency, outcome, tags, gestures, customer (one table per customer, shared
by its cases of the chunk), invoices (tables with their amounts and dates), communications {at,
direction, channel, author, summary}, history {at, kind, reason, source, hook, data}, promise, attempts,
owed, claimable, frozen, refund_due.

Derived values, as the Swift core computes them (Ledger.swift, Penalties.swift, CaseRules.swift), are
computed here once, in Python, with these simplifications (the point of the baseline is the cost of Lua
reading plain tables, not legal exactness):
  - owed / frozen / collectable (claimable) / refund_due: the ledger's formulas (payments, credits,
    write-offs, refunds, every case's disputed portions), exact in cents;
  - late penalties (case:late_penalties(mode), case.penalties): the core's day-by-day sum, computed
    per segment of constant base; rates are the published ECB and legal rates copied from
    Company.swift plus litige.toml's [company.*_rates]; a half-year without a rate gives the core's
    error message, which the stand-in raises (as case:late_penalties does);
  - the night's lifecycle (a resolved case closes after follow_up_days, a pending promise is judged
    once past due): the conditions of CaseRules.lifecycleDecisions, as flags `_close` / `_judge`;
  - limitation_date and payments (no standard plugin reads them) are not written.
Private fields the stand-ins use start with '_': _sent (templates already sent), _follow_ups (days
already scheduled), _pen ({waive=..., accrue=...}: a table, or an error message).
"""

import argparse
import bisect
import datetime
import json
import os
import sqlite3
import sys

try:
    import tomllib
except ImportError:  # Python < 3.11
    tomllib = None

try:
    from zoneinfo import ZoneInfo
except ImportError:  # Python < 3.9
    ZoneInfo = None

# Published rates in basis points by half-year (Company.swift: publishedECBRates, publishedLegalRates).
ECB_RATES = {
    (2015, 1): 5, (2015, 2): 5, (2016, 1): 5, (2016, 2): 0, (2017, 1): 0, (2017, 2): 0,
    (2018, 1): 0, (2018, 2): 0, (2019, 1): 0, (2019, 2): 0, (2020, 1): 0, (2020, 2): 0,
    (2021, 1): 0, (2021, 2): 0, (2022, 1): 0, (2022, 2): 0, (2023, 1): 250, (2023, 2): 400,
    (2024, 1): 450, (2024, 2): 425, (2025, 1): 315, (2025, 2): 215, (2026, 1): 215,
}
LEGAL_RATES = {
    (2015, 1): 93, (2015, 2): 99, (2016, 1): 101, (2016, 2): 93, (2017, 1): 90, (2017, 2): 90,
    (2018, 1): 89, (2018, 2): 88, (2019, 1): 86, (2019, 2): 87, (2020, 1): 87, (2020, 2): 84,
    (2021, 1): 79, (2021, 2): 76, (2022, 1): 76, (2022, 2): 77, (2023, 1): 206, (2023, 2): 422,
    (2024, 1): 507, (2024, 2): 492, (2025, 1): 371, (2025, 2): 276, (2026, 1): 262,
}
DEFAULT_CAPS = {"discount": 500, "credit_note": 2000, "refund": 1000, "replacement": 1500, "voucher": 150}
ACTIVE = {"open", "acknowledged", "investigating", "awaiting_customer", "proposed"}
EPOCH = datetime.date(1970, 1, 1)


# ---------------------------------------------------------------------------------------------------
# litige.toml

def parse_toml(text):
    """The subset of TOML litige.toml uses, when tomllib is missing: tables, strings, numbers,
    booleans and one-line arrays."""
    root = {}
    table = root
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            table = root
            for part in line.strip("[]").split("."):
                part = part.strip().strip('"')
                table = table.setdefault(part, {})
            continue
        key, _, value = line.partition("=")
        table[key.strip().strip('"')] = toml_value(value.strip())
    return root


def toml_value(text):
    if text.startswith('"'):
        end = text.index('"', 1)
        return text[1:end]
    text = text.split("#", 1)[0].strip()
    if text.startswith("["):
        inner = text.strip("[]").strip()
        return [toml_value(item.strip()) for item in inner.split(",") if item.strip()] if inner else []
    if text in ("true", "false"):
        return text == "true"
    try:
        return int(text)
    except ValueError:
        return float(text)


def load_toml(path):
    if not os.path.exists(path):
        return {}
    with open(path, "rb") as handle:
        data = handle.read()
    if tomllib is not None:
        return tomllib.loads(data.decode("utf-8"))
    return parse_toml(data.decode("utf-8"))


# ---------------------------------------------------------------------------------------------------
# Dates: days since 1970-01-01, instants as Unix seconds.

def day_number(text):
    return (datetime.date(int(text[0:4]), int(text[5:7]), int(text[8:10])) - EPOCH).days


def day_text(number):
    return (EPOCH + datetime.timedelta(days=number)).isoformat()


_instant_days = {}


def instant(text):
    """ISO 8601 UTC text (2026-10-04T07:05:22Z) as Unix seconds (fractions dropped, as the core)."""
    if text is None:
        return None
    days = _instant_days.get(text[:10])
    if days is None:
        days = _instant_days[text[:10]] = day_number(text)
    return days * 86400 + int(text[11:13]) * 3600 + int(text[14:16]) * 60 + int(text[17:19])


class Zone:
    """The company's time zone as a list of (from instant, UTC offset) transitions, 1990-2060; the
    same list goes to run.lua for litige.date."""

    def __init__(self, name):
        self.name = name
        self.transitions = []
        if ZoneInfo is None:
            self.transitions = [(-2**62, 3600)]
            return
        zone = ZoneInfo(name)

        def offset(seconds):
            moment = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
            return int(moment.astimezone(zone).utcoffset().total_seconds())

        start = int(datetime.datetime(1990, 1, 1, tzinfo=datetime.timezone.utc).timestamp())
        end = int(datetime.datetime(2060, 1, 1, tzinfo=datetime.timezone.utc).timestamp())
        current = offset(start)
        self.transitions.append((-2**62, current))
        step = 6 * 3600
        at = start
        while at < end:
            following = offset(at + step)
            if following != current:
                low, high = at, at + step  # offset(low) == current, offset(high) == following
                while high - low > 1:
                    middle = (low + high) // 2
                    if offset(middle) == current:
                        low = middle
                    else:
                        high = middle
                self.transitions.append((high, following))
                current = following
            at += step
        self._starts = [t for t, _ in self.transitions]

    def offset(self, seconds):
        index = bisect.bisect_right(self._starts, seconds) - 1
        return self.transitions[max(index, 0)][1]

    def day(self, seconds):
        """The local day number of an instant."""
        return (seconds + self.offset(seconds)) // 86400

    def start_of(self, day):
        """The instant local midnight of day number `day` begins."""
        guess = day * 86400 - self.offset(day * 86400)
        return day * 86400 - self.offset(guess)


# ---------------------------------------------------------------------------------------------------
# Ledgers (Ledger.swift) and late penalties (Penalties.swift), in minor units.

class Ledger:
    __slots__ = ("number", "customer", "issued_on", "due_on", "currency", "total", "suspended",
                 "payments", "adjustments", "disputes", "issued_on_text", "due_on_text")

    def __init__(self, row):
        (self.number, self.customer, self.issued_on, self.due_on, self.currency, self.total,
         self.suspended) = row
        self.payments = []      # (day, amount)
        self.adjustments = []   # (kind, day, amount, case_id)
        self.disputes = []      # [case_id, amount, open, new_due_on day or None]

    def paid(self):
        return sum(amount for _, amount in self.payments)

    def adjusted(self, kind):
        return sum(amount for k, _, amount, _ in self.adjustments if k == kind)

    def owed(self):
        before = self.total - (self.paid() + self.adjusted("credit")) + self.adjusted("refund")
        given_up = min(self.adjusted("write_off"), max(before, 0))
        return before - given_up

    def conceded(self, case_id):
        return sum(amount for k, _, amount, c in self.adjustments if k == "credit" and c == case_id)

    def still_disputed(self, portion):
        return max(0, portion[1] - min(self.conceded(portion[0]), portion[1]))

    def frozen(self, disputes):
        owed = self.owed()
        if owed <= 0:
            return 0
        return min(sum(self.still_disputed(p) for p in disputes if p[2]), owed)

    def collectable(self, today, disputes):
        owed = self.owed()
        if owed <= 0:
            return 0
        unfrozen = owed - self.frozen(disputes)
        not_yet_due = sum(self.still_disputed(p) for p in disputes
                          if not p[2] and p[3] is not None and today <= p[3])
        due = unfrozen - min(not_yet_due, unfrozen) if today > self.due_on else 0
        return max(due, 0)

    def refund_due(self):
        owed = self.owed()
        if owed >= 0:
            return 0
        return min(-owed, max(0, self.paid() - self.adjusted("refund")))


class Rates:
    def __init__(self, company):
        self.ecb = dict(ECB_RATES)
        self.legal = dict(LEGAL_RATES)
        for table, target in (("ecb_rates", self.ecb), ("legal_rates", self.legal)):
            for key, value in (company.get(table) or {}).items():
                year, half = key.split("-H")
                target[(int(year), int(half))] = int(round(float(value) * 100))
        rate = company.get("penalty_rate")
        self.contract = None if rate is None else int(round(float(rate) * 100))

    def penalty(self, period):
        """PenaltyRates.penaltyRate: the contract's or ECB + 10 points, never below 3x the legal rate."""
        legal = self.legal.get(period)
        if legal is None:
            raise RateMissing("company.legal_rates: no legal interest rate for %d-H%d: add \"%d-H%d\" = RATE "
                              "to [company.legal_rates]" % (period * 2))
        floor = 3 * legal
        if self.contract is not None:
            return max(self.contract, floor)
        ecb = self.ecb.get(period)
        if ecb is None:
            raise RateMissing("company.ecb_rates: no ECB rate for %d-H%d: add \"%d-H%d\" = RATE to "
                              "[company.ecb_rates]" % (period * 2))
        return max(ecb + 1000, floor)

    def legal_interest(self, period):
        legal = self.legal.get(period)
        if legal is None:
            raise RateMissing("company.legal_rates: no legal interest rate for %d-H%d: add \"%d-H%d\" = RATE "
                              "to [company.legal_rates]" % (period * 2))
        return legal


class RateMissing(Exception):
    pass


def half_year(day):
    date = EPOCH + datetime.timedelta(days=day)
    return (date.year, 1 if date.month <= 6 else 2)


def next_half_start(day):
    year, half = half_year(day)
    start = datetime.date(year, 7, 1) if half == 1 else datetime.date(year + 1, 1, 1)
    return (start - EPOCH).days


def claim(ledger, company_debtor, rates, today, notice_day, waived):
    """LatePenalties.claim: (interest minor, indemnity minor, days, first day, last day)."""
    if company_debtor:
        runs_after = ledger.due_on
    else:
        if notice_day is None:
            return 0, 0, 0, None, None
        runs_after = notice_day
    if today <= runs_after:
        return 0, 0, 0, None, None
    changes = [(day, -amount) for day, amount in ledger.payments]
    for kind, day, amount, _ in ledger.adjustments:
        changes.append((day, amount if kind == "refund" else -amount))
    changes.sort(key=lambda change: change[0])
    base = ledger.total + sum(amount for day, amount in changes if day <= runs_after)
    later = [change for change in changes if change[0] > runs_after]
    # Days where the base, the waived part or the rate change: the base from the day after a change.
    boundaries = {day + 1 for day, _ in later}
    boundaries.update(through + 1 for _, through in waived)
    current = runs_after + 1
    following = next_half_start(current)
    while following <= today:
        boundaries.add(following)
        following = next_half_start(following)
    boundaries = sorted(b for b in boundaries if current < b <= today)
    boundaries.append(today + 1)
    numerator, days, first, last = 0, 0, None, None
    applied = 0
    for end in boundaries:  # segment [current, end - 1]
        while applied < len(later) and later[applied][0] < current:
            base += later[applied][1]
            applied += 1
        if base <= 0:
            break
        period = half_year(current)
        rate = rates.penalty(period) if company_debtor else rates.legal_interest(period)
        out = sum(amount for amount, through in waived if current <= through)
        counted = max(0, base - out)
        if counted > 0:
            length = end - current
            numerator += counted * rate * length
            days += length
            if first is None:
                first = current
            last = end - 1
        current = end
    denominator = 365 * 10000
    interest = (numerator * 2 + denominator) // (denominator * 2)
    indemnity = 4000 if company_debtor and days > 0 and ledger.currency == "EUR" else 0
    return interest, indemnity, days, first, last


def case_penalties(case_id, active, resolved_day, ledgers, company_debtor, rates, today, notice_day,
                   mode, currency):
    """CasePenalties.claims summed as case:late_penalties(mode) returns it: a dict, or the error text."""
    rows, interest, indemnity = [], 0, 0
    basis = "late_penalties" if company_debtor else "legal_interest"
    try:
        for ledger in ledgers:
            if ledger.currency != currency:
                continue
            disputes = [[c, a, (active if c == case_id else o), n] for c, a, o, n in ledger.disputes]
            waived = []
            own = next((p for p in disputes if p[0] == case_id), None)
            if mode == "waive" and own is not None and own[1] > 0:
                amount = max(0, own[1] - ledger.conceded(case_id))
                through = today if own[2] else (own[3] if own[3] is not None else
                                                 (resolved_day if resolved_day is not None else today))
                waived.append((amount, through))
            for other in disputes:
                if other[0] != case_id and other[2]:
                    still = ledger.still_disputed(other)
                    if still > 0:
                        waived.append((still, today))
            i, n, days, first, last = claim(ledger, company_debtor, rates, today, notice_day, waived)
            interest += i
            indemnity += n
            rows.append((ledger.number, i, n, days, first, last))
    except RateMissing as error:
        return str(error)
    return {"interest": interest, "indemnity": indemnity, "basis": basis, "rows": rows}


# ---------------------------------------------------------------------------------------------------
# Lua text

def lua_string(text):
    out = ['"']
    for char in text:
        code = ord(char)
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif code < 32 or code == 127:
            out.append("\\%03d" % code)
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def lua_str_or_nil(text):
    return "nil" if text is None else lua_string(text)


def euros(minor):
    """Minor units as a Lua float of major units (the core pushes amounts as numbers)."""
    return repr(minor / 100.0)


LUA_KEYWORDS = {"and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
                "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while"}


def lua_key(name):
    if name.isidentifier() and name.isascii() and name not in LUA_KEYWORDS:
        return name
    return "[%s]" % lua_string(name)


def lua_value(value):
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return lua_string(value)
    if isinstance(value, list):
        return "{" + ",".join(lua_value(v) for v in value) + "}"
    if isinstance(value, dict):
        return "{" + ",".join("%s=%s" % (lua_key(str(k)), lua_value(v)) for k, v in value.items()) + "}"
    raise TypeError(value)


def penalties_lua(result):
    if isinstance(result, str):
        return lua_string(result)
    rows = ",".join(
        "{number=%s,interest=%s,indemnity=%s,days=%d,from=%s,to=%s}" % (
            lua_string(number), euros(i), euros(n), days,
            "nil" if first is None else lua_string(day_text(first)),
            "nil" if last is None else lua_string(day_text(last)))
        for number, i, n, days, first, last in result["rows"])
    total = result["interest"] + result["indemnity"]
    return "{interest=%s,indemnity=%s,total=%s,basis=%s,invoices={%s}}" % (
        euros(result["interest"]), euros(result["indemnity"]), euros(total), lua_string(result["basis"]), rows)


def is_zero(result):
    return not isinstance(result, str) and result["interest"] + result["indemnity"] == 0


# ---------------------------------------------------------------------------------------------------
# Export

def columns(db, table):
    return {row[1] for row in db.execute("PRAGMA table_info(%s)" % table)}


def rows_by_case(db, sql, bounds):
    grouped = {}
    for row in db.execute(sql, bounds):
        grouped.setdefault(row[0], []).append(row)
    return grouped


def export_chunk(db, low, high, night, out):
    """Writes the cases with ids in [low, high]; returns how many."""
    zone, today, now, settings = night["zone"], night["today"], night["now"], night["settings"]
    bounds = (low, high)
    has_ref = "external_ref" in night["case_columns"]
    case_rows = db.execute(
        "SELECT id, customer_id, opened_at, channel, category, reason, status, priority, owner, escalation, "
        "currency, disputed_minor, deadline, tags, gestures, outcome, resolved_at, "
        + ("external_ref" if has_ref else "NULL")
        + " FROM cases WHERE id BETWEEN ? AND ? AND status <> 'closed' ORDER BY id", bounds).fetchall()
    cases = [row for row in case_rows if instant(row[2]) <= now]  # opened after the night: not yet
    if not cases:
        return 0
    in_range = "SELECT invoice_number FROM case_invoices WHERE case_id BETWEEN ? AND ?"

    customers = {}
    for row in db.execute(
            "SELECT id, name, kind, segment, email, phone, language, vip, since FROM customers "
            "WHERE id IN (SELECT customer_id FROM cases WHERE id BETWEEN ? AND ?)", bounds):
        customers[row[0]] = list(row) + [0]
    if night["has_promises"]:
        for customer, count in db.execute(
                "SELECT customer_id, COUNT(*) FROM promises WHERE status = 'broken' AND customer_id IN "
                "(SELECT customer_id FROM cases WHERE id BETWEEN ? AND ?) GROUP BY customer_id", bounds):
            if customer in customers:
                customers[customer][9] = count

    ledgers = {}
    for row in db.execute(
            "SELECT number, customer_id, issued_on, due_on, currency, total_minor, collection_suspended "
            "FROM invoices WHERE number IN (%s)" % in_range, bounds):
        ledger = Ledger(row)
        ledger.issued_on_text, ledger.due_on_text = row[2], row[3]
        ledger.due_on = day_number(row[3])
        ledgers[ledger.number] = ledger
    for number, paid_on, amount in db.execute(
            "SELECT invoice_number, paid_on, amount_minor FROM payments WHERE invoice_number IN (%s)" % in_range,
            bounds):
        ledgers[number].payments.append((day_number(paid_on), amount))
    for number, kind, on, amount, case_id in db.execute(
            "SELECT invoice_number, kind, on_date, amount_minor, case_id FROM adjustments "
            "WHERE invoice_number IN (%s)" % in_range, bounds):
        ledgers[number].adjustments.append((kind, day_number(on), amount, case_id))
    links = {}
    for case_id, number, amount, is_open, new_due in db.execute(
            "SELECT case_id, invoice_number, disputed_minor, open, new_due_on FROM case_invoices "
            "WHERE invoice_number IN (%s) ORDER BY invoice_number, case_id" % in_range, bounds):
        ledgers[number].disputes.append((case_id, amount, bool(is_open), None if new_due is None else day_number(new_due)))
        if low <= case_id <= high:
            links.setdefault(case_id, []).append(number)

    messages = rows_by_case(
        db, "SELECT case_id, at, direction, channel, author, summary FROM communications "
            "WHERE case_id BETWEEN ? AND ? ORDER BY case_id, at, id", bounds)
    events = rows_by_case(
        db, "SELECT case_id, at, kind, payload, reason, source, hook FROM events "
            "WHERE case_id BETWEEN ? AND ? ORDER BY case_id, id", bounds)
    promises = {}
    if night["has_promises"]:
        paid_column = "paid_at_promise_minor" if night["promise_paid"] else "0"
        for row in db.execute(
                "SELECT case_id, amount_minor, due_on, status, %s FROM promises WHERE case_id BETWEEN ? AND ? "
                "ORDER BY case_id, id" % paid_column, bounds):
            promises[row[0]] = row

    rates, currency = night["rates"], settings["currency"]
    follow_up_days = settings["follow_up_days"]
    lines = ["-- Litige baseline data: cases %d..%d as of %s (export_cases.py)" % (low, high, night["as_of"]),
             "local K = {"]
    used = sorted({row[1] for row in cases})
    for customer_id in used:
        c = customers.get(customer_id)
        if c is None:
            continue
        lines.append("[%s]={id=%s,name=%s,kind=%s,segment=%s,email=%s,phone=%s,language=%s,vip=%s,since=%s,"
                     "broken_promises=%d}," % (
                         lua_string(c[0]), lua_string(c[0]), lua_string(c[1]), lua_string(c[2]), lua_string(c[3]),
                         lua_str_or_nil(c[4]), lua_str_or_nil(c[5]), lua_string(c[6]),
                         "true" if c[7] else "false", lua_str_or_nil(c[8]), c[9]))
    lines.append("}")
    lines.append("return {")
    for (case_id, customer_id, opened_at, channel, category, reason, status, priority, owner, escalation,
         case_currency, disputed_minor, deadline, tags, gestures, outcome, resolved_at, reference) in cases:
        opened = instant(opened_at)
        active = status in ACTIVE
        customer = customers.get(customer_id)
        company_debtor = customer is None or customer[2] == "company"
        case_ledgers = [ledgers[n] for n in sorted(links.get(case_id, []))]
        # Ledgers as the case reads them: its own portions open while it is active.
        per_invoice = []
        owed = frozen = claimable = refund = 0
        for ledger in case_ledgers:
            disputes = [(c, a, (active if c == case_id else o), n) for c, a, o, n in ledger.disputes]
            i_owed, i_frozen = ledger.owed(), ledger.frozen(disputes)
            i_collect, i_refund = ledger.collectable(today, disputes), ledger.refund_due()
            owed += i_owed
            frozen += i_frozen
            claimable += i_collect
            refund += i_refund
            per_invoice.append(
                "{number=%s,customer_id=%s,issued_on=%s,due_on=%s,currency=%s,total=%s,paid=%s,owed=%s,"
                "outstanding=%s,credited=%s,written_off=%s,refunded=%s,frozen=%s,collectable=%s,"
                "collection_suspended=%s}" % (
                    lua_string(ledger.number), lua_string(ledger.customer), lua_string(ledger.issued_on_text),
                    lua_string(ledger.due_on_text), lua_string(ledger.currency), euros(ledger.total),
                    euros(ledger.paid()), euros(i_owed), euros(i_owed), euros(ledger.adjusted("credit")),
                    euros(ledger.adjusted("write_off")), euros(ledger.adjusted("refund")), euros(i_frozen),
                    euros(i_collect), "true" if ledger.suspended else "false"))

        history, sent, follow_ups, attempts = [], set(), set(), set()
        notice_day = None
        for _, at, kind, payload, why, source, hook in events.get(case_id, []):
            try:
                data = json.loads(payload) if payload else {}
            except ValueError:
                data = {}
            at_seconds = instant(at)
            history.append("{at=%d,kind=%s,reason=%s,source=%s,hook=%s,data=%s}" % (
                at_seconds, lua_string(kind), lua_string(why), lua_string(source), lua_string(hook),
                lua_value({k: (v if isinstance(v, str) else json.dumps(v)) for k, v in data.items()})))
            if kind == "send" and "template" in data:
                invoice = data.get("invoice")
                sent.add(data["template"] if not invoice else data["template"] + " " + invoice)
            elif kind == "follow_up" and "due_on" in data:
                follow_ups.add(data["due_on"])
            elif kind == "propose_gesture":
                attempts.add("proposal")
            elif kind == "amicable_attempt" and "attempt" in data:
                attempts.add(data["attempt"])
            elif kind == "escalate":
                if data.get("level") == "mediation" and source.startswith("user:"):
                    attempts.add("mediation")
                if data.get("level") == "formal_notice" and notice_day is None:
                    notice_day = zone.day(at_seconds)
        communications = ["{at=%d,direction=%s,channel=%s,author=%s,summary=%s}" % (
            instant(at), lua_string(direction), lua_string(ch), lua_string(author), lua_string(summary))
            for _, at, direction, ch, author, summary in messages.get(case_id, [])]

        promise = "nil"
        promise_row = promises.get(case_id)
        promise_pending_due = None
        if promise_row is not None:
            _, amount, due_on, promise_status, paid_at_promise = promise_row
            paid_now = sum(ledger.paid() for ledger in case_ledgers)
            promise = "{amount=%s,due_on=%s,paid_since=%s,status=%s}" % (
                euros(amount), lua_string(due_on), euros(max(0, paid_now - paid_at_promise)),
                lua_string(promise_status))
            if promise_status == "pending":
                promise_pending_due = day_number(due_on)

        resolved_day = zone.day(instant(resolved_at)) if resolved_at else None
        # The night's lifecycle (CaseRules.lifecycleDecisions), before the hooks.
        judge = close = False
        if status == "resolved" and resolved_day is not None:
            judged = promise_row is None or promise_pending_due is None
            if promise_pending_due is not None and today > promise_pending_due:
                judge = judged = True
            remainder = [n for c, _, _, n in (p for l in case_ledgers for p in l.disputes)
                         if c == case_id and n is not None]
            tag_list = json.loads(tags) if tags else []
            claim_pending = claimable > 0 and (
                "formal_notice_proposed" in tag_list or "court_proposed" in tag_list
                or escalation in ("formal_notice", "court"))
            close = (today >= resolved_day + follow_up_days and judged
                     and (not remainder or today > max(remainder)) and not claim_pending)

        pen = {}
        for mode in ("waive", "accrue"):
            result = case_penalties(case_id, active, resolved_day, case_ledgers, company_debtor, rates, today,
                                    notice_day, mode, currency)
            if not is_zero(result):
                pen[mode] = penalties_lua(result)

        gesture_list = []
        for g in (json.loads(gestures) if gestures else []):
            gesture_list.append("{id=%d,kind=%s,amount=%s,state=%s,needs_approval=%s,approved_by=%s}" % (
                int(g.get("id", 0)), lua_string(g.get("kind", "")), euros(int(g.get("amount_minor", 0))),
                lua_string(g.get("state", "")), "true" if g.get("needs_approval") else "false",
                lua_str_or_nil(g.get("approved_by"))))
        tag_items = ",".join(lua_string(t) for t in (json.loads(tags) if tags else []))

        fields = [
            "id=%d" % case_id, "status=%s" % lua_string(status), "category=%s" % lua_str_or_nil(category),
            "priority=%d" % priority, "disputed=%s" % euros(disputed_minor),
            "escalation=%s" % lua_string(escalation), "age_days=%d" % ((now - opened) // 86400),
            "opened_at=%d" % opened, "deadline=%s" % ("nil" if deadline is None else str(instant(deadline))),
            "owner=%s" % lua_str_or_nil(owner), "reason=%s" % lua_string(reason),
            "reference=%s" % lua_str_or_nil(reference), "channel=%s" % lua_string(channel),
            "currency=%s" % lua_string(case_currency), "outcome=%s" % lua_str_or_nil(outcome),
            "customer=K[%s]" % lua_string(customer_id),
            "tags={%s}" % tag_items, "gestures={%s}" % ",".join(gesture_list),
            "invoices={%s}" % ",".join(per_invoice),
            "communications={%s}" % ",".join(communications), "history={%s}" % ",".join(history),
            "promise=%s" % promise,
            "attempts={%s}" % ",".join(lua_string(a) for a in sorted(attempts)),
            "owed=%s" % euros(owed), "claimable=%s" % euros(claimable), "frozen=%s" % euros(frozen),
            "refund_due=%s" % euros(refund),
            "_sent={%s}" % ",".join("[%s]=true" % lua_string(s) for s in sorted(sent)),
            "_follow_ups={%s}" % ",".join("[%s]=true" % lua_string(s) for s in sorted(follow_ups)),
            "_pen={%s}" % ",".join("%s=%s" % (mode, text) for mode, text in pen.items()),
        ]
        if resolved_at:
            fields.append("_resolved_at=%d" % instant(resolved_at))
        if judge:
            fields.append("_judge=true")
        if close:
            fields.append("_close=true")
        lines.append("{" + ",".join(fields) + "},")
    lines.append("}")
    with open(out, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines))
        handle.write("\n")
    return len(cases)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("db")
    parser.add_argument("as_of", metavar="AS_OF_DATE")
    parser.add_argument("out", metavar="OUT")
    parser.add_argument("--toml")
    parser.add_argument("--chunk", type=int, default=10000)
    args = parser.parse_args()

    toml = load_toml(args.toml or os.path.join(os.path.dirname(os.path.abspath(args.db)), "litige.toml"))
    company = toml.get("company", {})
    settings = {
        "name": company.get("name", ""), "legal_form": company.get("legal_form", ""),
        "siren": str(company.get("siren", "")).replace(" ", ""), "address": company.get("address", ""),
        "language": company.get("language", "fr"), "currency": company.get("currency", "EUR"),
        "penalties_on_disputed": company.get("penalties_on_disputed", "waive"),
        "time_zone": company.get("time_zone", "Europe/Paris"), "holidays": company.get("holidays", "fr"),
        "closed_days": list(company.get("closed_days", [])),
        "follow_up_days": int(company.get("follow_up_days", 30)),
    }
    caps = dict(DEFAULT_CAPS)
    caps.update({k: v for k, v in (toml.get("gestures", {}).get("caps", {}) or {}).items()})
    plugins = []
    for name, values in (toml.get("plugins") or {}).items():  # file order, as litige.toml enables them
        if isinstance(values, dict) and values.get("enabled", True) is not False:
            plugins.append((name, {k: v for k, v in values.items() if k != "enabled"}))

    zone = Zone(settings["time_zone"])
    as_of_day = day_number(args.as_of)
    now = zone.start_of(as_of_day) + 2 * 3600  # `litige batch --as-of`: 2 a.m. that day, local time

    db = sqlite3.connect("file:%s?mode=ro" % os.path.abspath(args.db), uri=True)
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    night = {
        "zone": zone, "today": as_of_day, "now": now, "as_of": args.as_of, "settings": settings,
        "rates": Rates(company), "case_columns": columns(db, "cases"),
        "has_promises": "promises" in tables,
        "promise_paid": "promises" in tables and "paid_at_promise_minor" in columns(db, "promises"),
    }
    os.makedirs(args.out, exist_ok=True)
    last = db.execute("SELECT COALESCE(MAX(id), 0) FROM cases").fetchone()[0]
    files, total = [], 0
    for index, low in enumerate(range(1, last + 1, args.chunk)):
        name = "cases-%05d.lua" % (index + 1)
        count = export_chunk(db, low, min(last, low + args.chunk - 1), night, os.path.join(args.out, name))
        if count:
            files.append(name)
            total += count
        if sys.stderr.isatty():
            sys.stderr.write("\r%d cases" % total)
    if sys.stderr.isatty():
        sys.stderr.write("\n")

    meta = {
        "as_of": args.as_of, "now": now, "today": args.as_of, "cases": total, "chunks": files,
        "company": {k: settings[k] for k in ("name", "legal_form", "siren", "address", "language", "currency",
                                                 "penalties_on_disputed")},
        "time_zone": settings["time_zone"], "holidays": settings["holidays"],
        "closed_days": settings["closed_days"], "follow_up_days": settings["follow_up_days"],
        "gesture_caps": {k: float(v) for k, v in caps.items()},
    }
    with open(os.path.join(args.out, "meta.lua"), "w", encoding="utf-8") as handle:
        handle.write("-- Litige baseline: the night and the workspace's settings (export_cases.py)\n")
        handle.write("return {\n")
        for key, value in meta.items():
            handle.write("  %s = %s,\n" % (key, lua_value(value)))
        handle.write("  plugins = {\n")
        for name, values in plugins:
            handle.write("    { name = %s, settings = %s },\n" % (lua_string(name), lua_value(values)))
        handle.write("  },\n")
        handle.write("  tz = {%s},\n" % ",".join("{%d,%d}" % t for t in zone.transitions))
        handle.write("}\n")
    print("Exported %d cases as of %s (now %d) to %s: %d chunk files" % (total, args.as_of, now, args.out, len(files)))


if __name__ == "__main__":
    main()

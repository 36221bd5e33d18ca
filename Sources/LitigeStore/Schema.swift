import GRDB

/// The workspace schema, as GRDB migrations.
///
/// SQL stays portable (no SQLite-only types) so that the
/// same tables can live in PostgreSQL; times are ISO 8601 UTC text, dates `YYYY-MM-DD`, money integer
/// minor units beside a currency code.
enum Schema {
  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1: customers, invoices, cases, communications, journal") { db in
      try db.execute(
        sql: """
          CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
          CREATE TABLE customers (
            id TEXT PRIMARY KEY, name TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('company', 'person')),
            segment TEXT NOT NULL DEFAULT '', email TEXT, phone TEXT,
            language TEXT NOT NULL DEFAULT 'fr', vip INTEGER NOT NULL DEFAULT 0, since TEXT);
          CREATE TABLE invoices (
            number TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id),
            issued_on TEXT NOT NULL, due_on TEXT NOT NULL, currency TEXT NOT NULL,
            total_minor INTEGER NOT NULL, paid_minor INTEGER NOT NULL DEFAULT 0,
            collection_suspended INTEGER NOT NULL DEFAULT 0);
          CREATE INDEX invoices_customer ON invoices(customer_id);
          CREATE TABLE cases (
            id INTEGER PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id),
            opened_at TEXT NOT NULL, channel TEXT NOT NULL, category TEXT, reason TEXT NOT NULL,
            status TEXT NOT NULL, priority INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 5), owner TEXT,
            escalation TEXT NOT NULL, currency TEXT NOT NULL, disputed_minor INTEGER NOT NULL,
            deadline TEXT, tags TEXT NOT NULL DEFAULT '[]', gestures TEXT NOT NULL DEFAULT '[]', outcome TEXT);
          CREATE INDEX cases_status ON cases(status, category);
          CREATE INDEX cases_customer ON cases(customer_id);
          CREATE TABLE case_invoices (
            case_id INTEGER NOT NULL REFERENCES cases(id),
            invoice_number TEXT NOT NULL REFERENCES invoices(number),
            PRIMARY KEY (case_id, invoice_number));
          CREATE INDEX case_invoices_invoice ON case_invoices(invoice_number);
          CREATE TABLE communications (
            id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases(id), at TEXT NOT NULL,
            direction TEXT NOT NULL, channel TEXT NOT NULL, author TEXT NOT NULL, summary TEXT NOT NULL);
          CREATE INDEX communications_case ON communications(case_id, at);
          CREATE TABLE promises (
            id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases(id),
            customer_id TEXT NOT NULL REFERENCES customers(id), currency TEXT NOT NULL,
            amount_minor INTEGER NOT NULL, due_on TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pending');
          CREATE TABLE events (
            id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases(id), at TEXT NOT NULL,
            kind TEXT NOT NULL, payload TEXT NOT NULL, reason TEXT NOT NULL,
            source TEXT NOT NULL, hook TEXT NOT NULL, run_id TEXT NOT NULL);
          CREATE INDEX events_case ON events(case_id, id);
          CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
            BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
          CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
            BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
          """)
    }
    migrator.registerMigration("v2: what was paid when a promise was made, to judge it") { db in
      try db.execute(sql: "ALTER TABLE promises ADD COLUMN paid_at_promise_minor INTEGER NOT NULL DEFAULT 0")
      try db.execute(sql: "CREATE INDEX promises_case ON promises(case_id, id)")
      try db.execute(sql: "CREATE INDEX promises_customer ON promises(customer_id, status)")
    }
    migrator.registerMigration("v3: nightly runs and their completed chunks") { db in
      try db.execute(
        sql: """
          CREATE TABLE runs (
            id TEXT PRIMARY KEY, started_at TEXT NOT NULL, as_of TEXT NOT NULL, dry_run INTEGER NOT NULL,
            chunk_size INTEGER NOT NULL, last_case_id INTEGER NOT NULL, status TEXT NOT NULL,
            finished_at TEXT, report TEXT);
          CREATE TABLE run_chunks (
            run_id TEXT NOT NULL REFERENCES runs(id), chunk INTEGER NOT NULL, cases INTEGER NOT NULL,
            failures INTEGER NOT NULL, PRIMARY KEY (run_id, chunk));
          """)
    }
    migrator.registerMigration("v4: payments, each kept; paid_minor becomes their sum") { db in
      // Every payment is a dated record; `invoices.paid_minor` stays, as the sum of the invoice's
      // payments, kept by the store in the transaction that records one. A workspace made before
      // keeps what it had paid as one opening payment per invoice, dated its issue date.
      try db.execute(
        sql: """
          CREATE TABLE payments (
            id INTEGER PRIMARY KEY, invoice_number TEXT NOT NULL REFERENCES invoices(number),
            paid_on TEXT NOT NULL, currency TEXT NOT NULL, amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
            reference TEXT NOT NULL, method TEXT NOT NULL, recorded_at TEXT NOT NULL, recorded_by TEXT NOT NULL,
            UNIQUE (invoice_number, reference));
          CREATE INDEX payments_invoice ON payments(invoice_number, paid_on);
          CREATE TRIGGER payments_append_only_update BEFORE UPDATE ON payments
            BEGIN SELECT RAISE(ABORT, 'payments are kept as recorded'); END;
          CREATE TRIGGER payments_append_only_delete BEFORE DELETE ON payments
            BEGIN SELECT RAISE(ABORT, 'payments are kept as recorded'); END;
          INSERT INTO payments (invoice_number, paid_on, currency, amount_minor, reference, method, recorded_at,
            recorded_by)
            SELECT number, issued_on, currency, paid_minor, 'opening-balance', 'opening balance',
              strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), 'migration'
            FROM invoices WHERE paid_minor > 0;
          """)
    }
    migrator.registerMigration("v5: disputed portions, credits and write-offs, resolution dates") { db in
      // domain.md §4: only the disputed part of an invoice is frozen, credits and write-offs are tracked
      // apart from payments, and resolution keeps the invoice's original due date.
      try db.execute(
        sql: """
          ALTER TABLE case_invoices ADD COLUMN disputed_minor INTEGER NOT NULL DEFAULT 0;
          ALTER TABLE case_invoices ADD COLUMN open INTEGER NOT NULL DEFAULT 1;
          ALTER TABLE case_invoices ADD COLUMN new_due_on TEXT;
          ALTER TABLE cases ADD COLUMN resolved_at TEXT;
          CREATE TABLE adjustments (
            id INTEGER PRIMARY KEY, invoice_number TEXT NOT NULL REFERENCES invoices(number),
            kind TEXT NOT NULL CHECK (kind IN ('credit', 'write_off', 'refund')), on_date TEXT NOT NULL,
            currency TEXT NOT NULL, amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
            case_id INTEGER REFERENCES cases(id), reference TEXT NOT NULL, reason TEXT NOT NULL,
            recorded_at TEXT NOT NULL, recorded_by TEXT NOT NULL, UNIQUE (invoice_number, reference));
          CREATE INDEX adjustments_invoice ON adjustments(invoice_number);
          CREATE TRIGGER adjustments_append_only_update BEFORE UPDATE ON adjustments
            BEGIN SELECT RAISE(ABORT, 'credits and write-offs are kept as recorded'); END;
          CREATE TRIGGER adjustments_append_only_delete BEFORE DELETE ON adjustments
            BEGIN SELECT RAISE(ABORT, 'credits and write-offs are kept as recorded'); END;
          UPDATE cases SET resolved_at = COALESCE(
              (SELECT MAX(at) FROM events WHERE case_id = cases.id AND kind = 'resolve'), opened_at)
            WHERE status IN ('resolved', 'closed');
          """)
      try Records.migratePortionsAndGestures(db)
    }
    migrator.registerMigration("v6: invoices by due date, for the night's pass before due dates") { db in
      try db.execute(sql: "CREATE INDEX invoices_due ON invoices(due_on)")
    }
    migrator.registerMigration("v7: a company's own references, imports and the changes they made") { db in
      // Issue 12: a company's identifiers (L000123) are kept as the case's external reference; every
      // field an import changes on a record that existed is kept, append-only.
      try db.execute(
        sql: """
          ALTER TABLE cases ADD COLUMN external_ref TEXT;
          CREATE UNIQUE INDEX cases_external_ref ON cases(external_ref) WHERE external_ref IS NOT NULL;
          CREATE TABLE imports (
            id TEXT PRIMARY KEY, at TEXT NOT NULL, source TEXT NOT NULL, added INTEGER NOT NULL,
            updated INTEGER NOT NULL, unchanged INTEGER NOT NULL, kept INTEGER NOT NULL);
          CREATE TABLE changes (
            id INTEGER PRIMARY KEY, at TEXT NOT NULL, record TEXT NOT NULL, record_key TEXT NOT NULL,
            field TEXT NOT NULL, old_value TEXT, new_value TEXT, source TEXT NOT NULL, import_id TEXT NOT NULL);
          CREATE INDEX changes_record ON changes(record_key, id);
          """)
    }
    migrator.registerMigration("v8: the outbox of letters and messages to send") { db in
      // Issue 12: what a policy or a person decides to send waits here until the mailer or the post
      // office has it; its text stays in the journal's event. Letters decided before are marked sent:
      // they were recorded as sent when the outbox did not exist.
      try db.execute(
        sql: """
          CREATE TABLE outbox (
            id INTEGER PRIMARY KEY, event_id INTEGER NOT NULL UNIQUE REFERENCES events(id),
            case_id INTEGER NOT NULL REFERENCES cases(id), template TEXT NOT NULL, channel TEXT NOT NULL,
            recipient TEXT, status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
            created_at TEXT NOT NULL, exported_at TEXT, sent_at TEXT, reference TEXT, failure TEXT);
          CREATE INDEX outbox_status ON outbox(status, id);
          ALTER TABLE customers ADD COLUMN address TEXT;
          INSERT INTO outbox (event_id, case_id, template, channel, recipient, status, created_at, sent_at, reference)
            SELECT e.id, e.case_id, json_extract(e.payload, '$.template'), json_extract(e.payload, '$.channel'),
              cu.email, 'sent', e.at, e.at, 'before-outbox'
            FROM events e JOIN cases c ON c.id = e.case_id JOIN customers cu ON cu.id = c.customer_id
            WHERE e.kind = 'send';
          """)
    }
    migrator.registerMigration("v9: customers forgotten on request stay forgotten") { db in
      // RGPD article 17: a nightly import of the ERP's export must not bring an erased customer back.
      try db.execute(sql: "ALTER TABLE customers ADD COLUMN forgotten_at TEXT")
    }
    migrator.registerMigration("v10: the night's wake-up index") { db in
      // Issue 14: a case's `wake_on` (YYYYMMDD, 0 = every night) is the first night a plugin or the
      // core may decide on it if nothing changes; anything that changes the case (an event, a message,
      // a payment, an invoice, its customer) resets it to 0 and bumps `touched`, so the night's write
      // of a new date never overrides a change made while it ran (the night's own events do not fire
      // it: the night writes a decided case as due itself). `night_index` holds the fingerprint
      // of the plugins and configuration that computed the dates: when it differs, the night is full.
      try db.execute(
        sql: """
          ALTER TABLE cases ADD COLUMN wake_on INTEGER NOT NULL DEFAULT 0;
          ALTER TABLE cases ADD COLUMN touched INTEGER NOT NULL DEFAULT 0;
          CREATE INDEX cases_wake ON cases(wake_on) WHERE status <> 'closed';
          CREATE TABLE night_index (id INTEGER PRIMARY KEY CHECK (id = 1), fingerprint TEXT NOT NULL);
          ALTER TABLE run_chunks ADD COLUMN last_case_id INTEGER;
          CREATE TRIGGER wake_on_event AFTER INSERT ON events WHEN NEW.run_id NOT LIKE 'night-%' BEGIN
            UPDATE cases SET wake_on = 0, touched = touched + 1 WHERE id = NEW.case_id;
          END;
          CREATE TRIGGER wake_on_communication AFTER INSERT ON communications BEGIN
            UPDATE cases SET wake_on = 0, touched = touched + 1 WHERE id = NEW.case_id;
          END;
          CREATE TRIGGER wake_on_case_invoice AFTER INSERT ON case_invoices BEGIN
            UPDATE cases SET wake_on = 0, touched = touched + 1 WHERE id = NEW.case_id;
          END;
          CREATE TRIGGER wake_on_payment AFTER INSERT ON payments BEGIN
            UPDATE cases SET wake_on = 0, touched = touched + 1
            WHERE id IN (SELECT case_id FROM case_invoices WHERE invoice_number = NEW.invoice_number);
          END;
          CREATE TRIGGER wake_on_invoice AFTER UPDATE ON invoices BEGIN
            UPDATE cases SET wake_on = 0, touched = touched + 1
            WHERE id IN (SELECT case_id FROM case_invoices WHERE invoice_number = NEW.number);
          END;
          CREATE TRIGGER wake_on_customer AFTER UPDATE ON customers BEGIN
            UPDATE cases SET wake_on = 0, touched = touched + 1 WHERE customer_id = NEW.id;
          END;
          """)
    }
    migrator.registerMigration("v11: the invoice pass's wake-up dates") { db in
      // Issue 14: the night's invoice pass (before_due) visits an invoice when the date its plugins
      // declared has come (`wake_on`, YYYYMMDD, 0 = every night); a change of its amounts, due date,
      // payments or customer makes it due again. The night's report reads its events by run. A case
      // whose fields change without an event (an import) is due again too, and the index remembers
      // the last night it served: a night for an earlier day visits every case.
      try db.execute(
        sql: """
          ALTER TABLE invoices ADD COLUMN wake_on INTEGER NOT NULL DEFAULT 0;
          CREATE INDEX events_run ON events(run_id);
          ALTER TABLE night_index ADD COLUMN last_night INTEGER;
          CREATE TRIGGER wake_on_case_update AFTER UPDATE OF customer_id, opened_at, channel, category, reason,
            status, priority, owner, escalation, disputed_minor, deadline, tags, gestures, outcome, resolved_at,
            external_ref ON cases BEGIN
            UPDATE cases SET wake_on = 0, touched = touched + 1 WHERE id = NEW.id;
          END;
          CREATE TRIGGER invoice_wake AFTER UPDATE OF customer_id, due_on, total_minor, paid_minor,
            collection_suspended ON invoices BEGIN
            UPDATE invoices SET wake_on = 0 WHERE number = NEW.number;
          END;
          """)
    }
    migrator.registerMigration("v12: indexes for a steady night: the due cases of a chunk, letters sent") {
      db in
      // Issue 14, from the profile of a steady 1M-case night:
      // - `cases_due` is narrow and holds the open cases only: a chunk of the night's due cases finds
      //   them in it without reading the wide rows of the many cases of its id range asleep tonight;
      // - `events_sent_invoice` finds the letters already sent about an invoice (the invoice pass
      //   tells `before_due` which templates went out) without reading the customer's whole journal.
      // - `queues` holds what puts a case in a person's queue (`Schema.queueFlags`), kept by triggers
      //   from its tags and gestures, and `cases_open` holds what the night's figures and portfolio
      //   read of the open cases: they are counted from it without parsing 800k gesture lists.
      try db.execute(
        sql: """
          CREATE INDEX cases_due ON cases(id, wake_on) WHERE status <> 'closed';
          CREATE INDEX events_sent_invoice ON events(json_extract(payload, '$.invoice')) WHERE kind = 'send';
          ALTER TABLE cases ADD COLUMN queues INTEGER NOT NULL DEFAULT 0;
          UPDATE cases SET queues = \(queueFlags(of: "cases"));
          CREATE TRIGGER queues_of_new_case AFTER INSERT ON cases BEGIN
            UPDATE cases SET queues = \(queueFlags(of: "NEW")) WHERE id = NEW.id;
          END;
          CREATE TRIGGER queues_of_changed_case AFTER UPDATE OF tags, gestures ON cases BEGIN
            UPDATE cases SET queues = \(queueFlags(of: "NEW")) WHERE id = NEW.id;
          END;
          CREATE INDEX cases_open ON cases(
            customer_id, disputed_minor, status, category, opened_at, deadline, escalation, queues)
            WHERE status <> 'closed';
          """)
    }
    migrator.registerMigration("v13: the cases resolved lately, for the night's days to resolve") { db in
      // Issue 14: the night's figures give the days to resolve of the cases resolved in the last 90
      // days (NightFigures). Without an index on `resolved_at` that read every case's wide row: 6 s
      // with a cold cache at 1M cases. Partial and covering: only resolved cases, with what is read.
      try db.execute(
        sql: """
          CREATE INDEX cases_resolved ON cases(resolved_at, opened_at) WHERE resolved_at IS NOT NULL;
          """)
    }
    migrator.registerMigration("v14: the open cases by category, for the night's portfolio") { db in
      // Issue 14: the portfolio sums the open cases' disputed amounts by category and age. Grouped
      // from `cases_open` (in customer order) it sorted 800,000 rows at 1M cases (0.85 s); in category
      // order it streams them (0.36 s). Partial and covering: only what the portfolio reads.
      try db.execute(
        sql: """
          CREATE INDEX cases_open_category ON cases(category, opened_at, disputed_minor, deadline, status)
            WHERE status <> 'closed' AND status <> 'resolved';
          """)
    }
    migrator.registerMigration("v15: the invoice pass sets aside the invoices a dispute holds") { db in
      // Issue 14: the invoice pass read every owed invoice of its 30-day window due tonight, and
      // checked each for an open dispute: at 1M cases 55,000 disputed invoices a night, never visited,
      // so never given a date. The pass now sets them aside (`wake_on` 99991231, only on a change,
      // `Store.setAsideHeldInvoices`), with the invoices of customers without any case, and these
      // triggers make them due again when that ends: a portion of them changes or goes, a case
      // disputing them closes, a case is opened for (or moved to) their customer.
      // `wake_on_invoice` woke an invoice's cases on any change of its row, its own wake-up date
      // included: each date the pass wrote woke the invoice's open cases for nothing. It now leaves
      // `wake_on` out (plugins do not see it). `invoices_pass` holds the owed invoices by due date with
      // their wake-up dates: the window's invoices due tonight are found without reading the others.
      try db.execute(
        sql: """
          DROP TRIGGER wake_on_invoice;
          CREATE TRIGGER wake_on_invoice AFTER UPDATE OF number, customer_id, issued_on, due_on, currency,
            total_minor, paid_minor, collection_suspended ON invoices BEGIN
            UPDATE cases SET wake_on = 0, touched = touched + 1
            WHERE id IN (SELECT case_id FROM case_invoices WHERE invoice_number = NEW.number);
          END;
          CREATE TRIGGER wake_invoice_on_portion AFTER UPDATE OF invoice_number, disputed_minor ON case_invoices
          BEGIN
            UPDATE invoices SET wake_on = 0 WHERE number IN (OLD.invoice_number, NEW.invoice_number) AND wake_on <> 0;
          END;
          CREATE TRIGGER wake_invoice_on_unlink AFTER DELETE ON case_invoices BEGIN
            UPDATE invoices SET wake_on = 0 WHERE number = OLD.invoice_number AND wake_on <> 0;
          END;
          CREATE TRIGGER wake_invoice_on_close AFTER UPDATE OF status ON cases WHEN NEW.status = 'closed' BEGIN
            UPDATE invoices SET wake_on = 0
            WHERE number IN (SELECT invoice_number FROM case_invoices WHERE case_id = NEW.id) AND wake_on <> 0;
          END;
          CREATE TRIGGER wake_invoice_on_case AFTER INSERT ON cases BEGIN
            UPDATE invoices SET wake_on = 0 WHERE customer_id = NEW.customer_id AND wake_on <> 0;
          END;
          CREATE TRIGGER wake_invoice_on_case_customer AFTER UPDATE OF customer_id ON cases BEGIN
            UPDATE invoices SET wake_on = 0 WHERE customer_id = NEW.customer_id AND wake_on <> 0;
          END;
          CREATE INDEX invoices_pass ON invoices(due_on, wake_on) WHERE paid_minor < total_minor;
          """)
    }
    migrator.registerMigration("v16: an invoice's change counter, for the invoice pass's dates") { db in
      // Issue 14: the invoice pass wrote each visited invoice's next date whatever happened to the
      // invoice meanwhile: a new due date imported while the night ran was overwritten by the date the
      // pass had worked out from the old one, and the invoice slept past its reminder. Each change that
      // makes an invoice due again now also moves `touched`, and the pass writes a date only when it
      // has not moved since the list was read (as for cases, schema v10). Credits, write-offs and money
      // paid back change what is owed: they make the invoice due again too.
      try db.execute(
        sql: """
          ALTER TABLE invoices ADD COLUMN touched INTEGER NOT NULL DEFAULT 0;
          DROP TRIGGER invoice_wake;
          CREATE TRIGGER invoice_wake AFTER UPDATE OF customer_id, due_on, total_minor, paid_minor,
            collection_suspended ON invoices BEGIN
            UPDATE invoices SET wake_on = 0, touched = touched + 1 WHERE number = NEW.number;
          END;
          CREATE TRIGGER wake_invoice_on_adjustment AFTER INSERT ON adjustments BEGIN
            UPDATE invoices SET wake_on = 0, touched = touched + 1 WHERE number = NEW.invoice_number;
          END;
          DROP TRIGGER wake_invoice_on_portion;
          CREATE TRIGGER wake_invoice_on_portion AFTER UPDATE OF invoice_number, disputed_minor ON case_invoices
          BEGIN
            UPDATE invoices SET wake_on = 0, touched = touched + 1
            WHERE number IN (OLD.invoice_number, NEW.invoice_number);
          END;
          DROP TRIGGER wake_invoice_on_unlink;
          CREATE TRIGGER wake_invoice_on_unlink AFTER DELETE ON case_invoices BEGIN
            UPDATE invoices SET wake_on = 0, touched = touched + 1 WHERE number = OLD.invoice_number;
          END;
          DROP TRIGGER wake_invoice_on_close;
          CREATE TRIGGER wake_invoice_on_close AFTER UPDATE OF status ON cases WHEN NEW.status = 'closed' BEGIN
            UPDATE invoices SET wake_on = 0, touched = touched + 1
            WHERE number IN (SELECT invoice_number FROM case_invoices WHERE case_id = NEW.id);
          END;
          DROP TRIGGER wake_invoice_on_case;
          CREATE TRIGGER wake_invoice_on_case AFTER INSERT ON cases BEGIN
            UPDATE invoices SET wake_on = 0, touched = touched + 1 WHERE customer_id = NEW.customer_id;
          END;
          DROP TRIGGER wake_invoice_on_case_customer;
          CREATE TRIGGER wake_invoice_on_case_customer AFTER UPDATE OF customer_id ON cases BEGIN
            UPDATE invoices SET wake_on = 0, touched = touched + 1 WHERE customer_id = NEW.customer_id;
          END;
          """)
    }
    migrator.registerMigration("v17: a message changed or removed, a credit, a portion moved wake the case") {
      db in
      // Issue 14: a case is woken by anything that changes it. An import that corrects a message's text
      // (`litige import communications`) changed what `case.communications` reads without waking the
      // case: only new messages did. Credits and write-offs change what the invoice's cases may claim;
      // a portion of an invoice moved, changed or removed changes what a case disputes. Each now makes
      // the cases concerned due the next night, as an event does. (Named `wake_*`, so that a bulk load
      // sets them aside with the others.)
      try db.execute(
        sql: """
          CREATE TRIGGER wake_on_communication_change AFTER UPDATE ON communications BEGIN
            UPDATE cases SET wake_on = 0, touched = touched + 1 WHERE id IN (OLD.case_id, NEW.case_id);
          END;
          CREATE TRIGGER wake_on_communication_removed AFTER DELETE ON communications BEGIN
            UPDATE cases SET wake_on = 0, touched = touched + 1 WHERE id = OLD.case_id;
          END;
          CREATE TRIGGER wake_on_adjustment AFTER INSERT ON adjustments BEGIN
            UPDATE cases SET wake_on = 0, touched = touched + 1
            WHERE id IN (SELECT case_id FROM case_invoices WHERE invoice_number = NEW.invoice_number);
          END;
          CREATE TRIGGER wake_on_portion_change AFTER UPDATE ON case_invoices BEGIN
            UPDATE cases SET wake_on = 0, touched = touched + 1 WHERE id IN (OLD.case_id, NEW.case_id);
          END;
          CREATE TRIGGER wake_on_portion_removed AFTER DELETE ON case_invoices BEGIN
            UPDATE cases SET wake_on = 0, touched = touched + 1 WHERE id = OLD.case_id;
          END;
          """)
    }
    migrator.registerMigration(
      "v18: a promise judged wakes its customer's other cases; chunks keep their owners' counts"
    ) {
      db in
      // Issue 14, from an attack round:
      // - `case.customer.broken_promises` counts the customer's promises judged broken, on any of their
      //   cases. A night judging one (an event of the night, which wakes nothing) changed what the
      //   customer's other cases read without waking them: a plugin reading it decided on them with
      //   `--full` and never with the index. A promise's status changing now makes the customer's other
      //   open cases due the next night (its own case is written by the night, due anyway).
      // - A resumed night counted the decisions of its chunks done before by each case's owner after
      //   the night (triage assigns owners): its report's `decisions_by_owner` differed from the same
      //   night run at once. Each chunk now keeps the counts the night made (`by_owner`, JSON).
      try db.execute(
        sql: """
          CREATE TRIGGER wake_on_promise_judged AFTER UPDATE OF status ON promises
          WHEN NEW.status IS NOT OLD.status BEGIN
            UPDATE cases SET wake_on = 0, touched = touched + 1
            WHERE customer_id = NEW.customer_id AND id <> NEW.case_id AND status <> 'closed';
          END;
          ALTER TABLE run_chunks ADD COLUMN by_owner TEXT;
          """)
    }
    return migrator
  }

  /// Bits of `cases.queues` (schema v12): what a person's queues look for in a case's tags and gestures.
  enum QueueFlag: Int {
    /// A gesture that needs approval has none yet and is proposed or accepted.
    case gestureAwaitingApproval = 1
    /// Tag `gesture_needs_approval`.
    case gestureNeedsApprovalTag = 2
    /// Tag `formal_notice_proposed`.
    case formalNoticeProposed = 4
    /// Tag `court_proposed`.
    case courtProposed = 8
    /// Tag `ruling_proposed`.
    case rulingProposed = 16
  }

  /// The SQL value of `cases.queues` for the row `row` (`NEW` in a trigger, `cases` in an update).
  ///
  /// The same tests `litige case list --queue` makes (CaseWorkCommands): each tag of the stored JSON
  /// list is compared whole (a `LIKE` pattern took `court-proposed` for `court_proposed`: `_` matches
  /// any character).
  static func queueFlags(of row: String) -> String {
    """
    ((CASE WHEN \(row).gestures <> '[]' AND EXISTS (SELECT 1 FROM json_each(\(row).gestures) g
        WHERE json_extract(g.value, '$.needs_approval') = 1 AND json_extract(g.value, '$.approved_by') IS NULL
          AND json_extract(g.value, '$.state') IN ('proposed', 'accepted')) THEN 1 ELSE 0 END)
      | (CASE WHEN \(row).tags = '[]' THEN 0 ELSE (SELECT COALESCE(SUM(DISTINCT CASE t.value
          WHEN 'gesture_needs_approval' THEN 2 WHEN 'formal_notice_proposed' THEN 4
          WHEN 'court_proposed' THEN 8 WHEN 'ruling_proposed' THEN 16 ELSE 0 END), 0)
        FROM json_each(\(row).tags) t) END))
    """
  }
}

import Foundation
import GRDB
import LitigeCore

/// An invoice as a data file writes it: `paid` is its opening balance (the payments recorded since are
/// exported as payments, so that a round trip does not count them twice).
public struct ExportedInvoice: Sendable, Equatable {
  /// The invoice, with `paid` its opening balance.
  public var invoice: Invoice
}

/// One row of the journal, as `litige export journal|decisions` writes it.
public struct ExportedEvent: Sendable {
  /// The event's id: the order of the journal, and the key a feed remembers.
  public var id: Int64
  /// The case's number.
  public var caseId: Int64
  /// The company's reference of the case, if it has one.
  public var caseReference: String?
  /// The event.
  public var event: JournalEvent
}

/// One accounting entry a decision implies (`litige export ledger`).
public struct LedgerEntry: Sendable, Equatable {
  /// What it is: `credit_note`, `write_off`, `refund`, `late_penalty`, `recovery_indemnity`,
  /// `legal_interest`.
  public var kind: String
  /// The invoice.
  public var invoice: String
  /// The customer.
  public var customerId: String
  /// The amount, positive.
  public var amount: Money
  /// The day it takes effect (the company's time zone).
  public var on: LocalDate
  /// The case, if a case decided it.
  public var caseId: Int64?
  /// The journal event of the decision, if any.
  public var eventId: Int64?
  /// The store's own reference of the entry (unique per invoice).
  public var reference: String
  /// When it was recorded (UTC): what `--since` compares.
  public var recordedAt: Date
}

extension Store {
  /// Every customer, by id.
  public func exportCustomers() throws -> [Customer] {
    try database.read { db in
      try Row.fetchAll(db, sql: "SELECT * FROM customers ORDER BY id").map { try Records.customer($0) }
    }
  }

  /// The invoices issued on or after `since` (all when nil), by number, with their opening balance.
  public func exportInvoices(issuedSince since: LocalDate? = nil) throws -> [ExportedInvoice] {
    try database.read { db in
      let opening = Dictionary(
        try Row.fetchAll(
          db, sql: "SELECT invoice_number, amount_minor FROM payments WHERE reference = 'opening-balance'"
        ).map { ($0["invoice_number"] as String, $0["amount_minor"] as Int64) }, uniquingKeysWith: +)
      return try Row.fetchAll(
        db, sql: "SELECT * FROM invoices WHERE issued_on >= ? ORDER BY number",
        arguments: [since?.description ?? ""]
      ).map { row in
        var invoice = try Records.invoice(row)
        invoice.paid = Money(minorUnits: opening[invoice.number] ?? 0, currency: invoice.total.currency)
        return ExportedInvoice(invoice: invoice)
      }
    }
  }

  /// The cases opened at or after `since` (all when nil), by id, with their references.
  public func exportCases(openedSince since: Date? = nil) throws -> [DisputeCase] {
    try database.read { db in
      let rows = try Row.fetchAll(
        db, sql: "SELECT * FROM cases WHERE opened_at >= ? ORDER BY id",
        arguments: [since.map(Timestamp.utcText) ?? ""])
      let links = try Records.invoiceLinks(db, caseIds: rows.map { $0["id"] })
      return try rows.map { try Records.disputeCase($0, invoices: links[$0["id"], default: []]) }
    }
  }

  /// The communications at or after `since`, in order, with their case's reference (or number).
  public func exportCommunications(since: Date? = nil) throws -> [(Communication, String)] {
    try database.read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT m.*, COALESCE(c.external_ref, CAST(c.id AS TEXT)) AS case_reference FROM communications m
          JOIN cases c ON c.id = m.case_id WHERE m.at >= ? ORDER BY m.id
          """, arguments: [since.map(Timestamp.utcText) ?? ""]
      ).map { (try Records.communication($0), $0["case_reference"] as String) }
    }
  }

  /// The payments recorded at or after `since` (all when nil), in order; opening balances are the
  /// invoices' `paid`.
  public func exportPayments(recordedSince since: Date? = nil) throws -> [RecordedPayment] {
    try database.read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT * FROM payments WHERE reference <> 'opening-balance' AND recorded_at >= ? ORDER BY id
          """, arguments: [since.map(Timestamp.utcText) ?? ""]
      ).map(Self.recordedPayment)
    }
  }

  /// The journal from `since` (all when nil) and after event `afterEvent`, in order; events that cannot
  /// be read are left out and counted in the second value.
  ///
  /// An event's time is when it happened (a message imported today may be months old); a feed that
  /// must see everything recorded since its last run passes the last event id it saw (`afterEvent`).
  public func exportJournal(since: Date? = nil, afterEvent: Int64 = 0) throws -> (
    events: [ExportedEvent], unreadable: Int
  ) {
    try database.read { db in
      var unreadable = 0
      var events: [ExportedEvent] = []
      let cursor = try Row.fetchCursor(
        db,
        sql: """
          SELECT e.*, c.external_ref, c.currency FROM events e JOIN cases c ON c.id = e.case_id
          WHERE e.at >= ? AND e.id > ? ORDER BY e.id
          """, arguments: [since.map(Timestamp.utcText) ?? "", afterEvent])
      while let row = try cursor.next() {
        guard let currency = try? Currency(code: row["currency"]),
          let event = try? Records.event(row, currency: currency)
        else {
          unreadable += 1
          continue
        }
        events.append(
          ExportedEvent(
            id: row["id"], caseId: row["case_id"], caseReference: row["external_ref"], event: event))
      }
      return (events, unreadable)
    }
  }

  /// The accounting entries the decisions imply, recorded at or after `since`: credit notes and
  /// refunds from granted gestures, write-offs, and the late penalties, indemnities and interest a
  /// letter claimed (`send{claim_penalties=}`), oldest first.
  public func ledgerEntries(since: Date? = nil) throws -> [LedgerEntry] {
    try database.read { db in
      var entries: [LedgerEntry] = []
      let adjustments = try Row.fetchAll(
        db,
        sql: """
          SELECT a.*, i.customer_id FROM adjustments a JOIN invoices i ON i.number = a.invoice_number
          WHERE a.recorded_at >= ? ORDER BY a.id
          """, arguments: [since.map(Timestamp.utcText) ?? ""])
      for row in adjustments {
        let kind: String = row["kind"]
        let caseId: Int64? = row["case_id"]
        let reference: String = row["reference"]
        var eventId: Int64?
        // A gesture's credit comes from its grant event (reference gesture-CASE-ID).
        if let caseId, reference.hasPrefix("gesture-"),
          let gesture = Int(reference.split(separator: "-").last ?? "")
        {
          eventId = try Int64.fetchOne(
            db,
            sql: """
              SELECT id FROM events WHERE case_id = ? AND kind = 'grant_gesture'
                AND json_extract(payload, '$.id') = ? ORDER BY id LIMIT 1
              """, arguments: [caseId, String(gesture)])
        }
        var entryCase = caseId
        if kind == "write_off",
          let event = try Row.fetchOne(
            db,
            sql: """
              SELECT id, case_id FROM events WHERE kind = 'write_off' AND json_extract(payload, '$.invoice') = ?
                AND json_extract(payload, '$.reference') = ? ORDER BY id LIMIT 1
              """, arguments: [row["invoice_number"] as String, reference])
        {
          // A write-off on a disputed invoice is told in its case's journal.
          eventId = event["id"]
          entryCase = event["case_id"]
        }
        let currency = try Currency(code: row["currency"])
        entries.append(
          LedgerEntry(
            kind: kind == "credit" ? "credit_note" : kind, invoice: row["invoice_number"],
            customerId: row["customer_id"],
            amount: Money(minorUnits: row["amount_minor"], currency: currency),
            on: try LocalDate(parsing: row["on_date"]), caseId: entryCase, eventId: eventId,
            reference: reference,
            recordedAt: try Timestamp.parse(row["recorded_at"])))
      }
      // Penalties claimed by letters: one entry per invoice and kind, from the letter's event.
      let claims = try Row.fetchAll(
        db,
        sql: """
          SELECT e.id, e.case_id, e.at, e.payload, c.customer_id, c.currency FROM events e
          JOIN cases c ON c.id = e.case_id
          WHERE e.kind = 'send' AND json_extract(e.payload, '$.claimed') IS NOT NULL AND e.at >= ? ORDER BY e.id
          """, arguments: [since.map(Timestamp.utcText) ?? ""])
      for row in claims {
        let at = try Timestamp.parse(row["at"])
        let currency = try Currency(code: row["currency"])
        let id: Int64 = row["id"]
        let payload: String = row["payload"]
        guard let fields = try? JSONDecoder().decode([String: String].self, from: Data(payload.utf8)),
          let claimed = fields["claimed"]
        else { continue }
        for claim in try PenaltyClaimRecord.parse(claimed, currency: currency) {
          for (kind, amount) in [(claim.basis, claim.interest), ("recovery_indemnity", claim.indemnity)]
          where amount.minorUnits > 0 {
            entries.append(
              LedgerEntry(
                kind: kind, invoice: claim.invoice, customerId: row["customer_id"], amount: amount,
                on: LocalDate(at, in: settings.timeZone), caseId: row["case_id"], eventId: id,
                reference: "claim-\(id)-\(kind)", recordedAt: at))
          }
        }
      }
      // By the time recorded; entries of the same instant in the order recorded.
      return entries.enumerated().sorted {
        ($0.element.recordedAt, $0.offset) < ($1.element.recordedAt, $1.offset)
      }
      .map(\.element)
    }
  }
}

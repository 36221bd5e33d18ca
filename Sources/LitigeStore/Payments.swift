import Foundation
import GRDB
import LitigeCore

/// A payment as the store keeps it: the core's record, when it was recorded and by whom.
public struct RecordedPayment: Sendable, Equatable {
  /// The payment.
  public var payment: Payment
  /// When it was recorded (UTC).
  public var recordedAt: Date
  /// Who recorded it (`--by`, `$LITIGE_USER`, the login name, or `import`).
  public var recordedBy: String
}

extension Store {
  /// Records `payment` on its invoice and updates the invoice's `paid`, in one transaction.
  ///
  /// The core checks it first (positive, the invoice's currency, a reference not recorded before on
  /// that invoice, a date in 1970-2199). Every case not closed that disputes the invoice gets a `payment`
  /// event in its journal, with `by` as its author, so that `case explain` tells it. Throws
  /// `DomainError` (refused) or `StoreError` (unknown invoice).
  public func record(_ payment: Payment, by author: String, at now: Date) throws {
    // Money cannot arrive after today: a payment dated in the future would restart the limitation
    // clock on a day that has not come (Code civil 2240).
    let today = LocalDate(now, in: settings.timeZone)
    guard payment.paidOn <= today else {
      throw DomainError.refused(
        "payment \(payment.reference) is dated \(payment.paidOn), after today (\(today))")
    }
    try database.write { db in try Records.recordPayment(payment, by: author, at: now, db) }
  }

  /// The payments of `invoiceNumber` in the order they were recorded.
  public func payments(ofInvoice invoiceNumber: String) throws -> [RecordedPayment] {
    try database.read { db in try Self.payments(ofInvoice: invoiceNumber, db) }
  }

  static func payments(ofInvoice invoiceNumber: String, _ db: Database) throws -> [RecordedPayment] {
    try Row.fetchAll(
      db, sql: "SELECT * FROM payments WHERE invoice_number = ? ORDER BY id", arguments: [invoiceNumber]
    ).map(recordedPayment)
  }

  /// A row of `payments` as a recorded payment.
  ///
  /// Throws `StoreError` naming the payment and the column when a value cannot be read.
  static func recordedPayment(_ row: Row) throws -> RecordedPayment {
    let stored = StoredRow(row, "payment")
    let currency = try stored.parsed("currency") { try Currency(code: $0) }
    return RecordedPayment(
      payment: Payment(
        invoiceNumber: try stored.value("invoice_number"),
        paidOn: try stored.parsed("paid_on") { try LocalDate(parsing: $0) },
        amount: Money(minorUnits: try stored.amount("amount_minor"), currency: currency),
        reference: try stored.value("reference"), method: try stored.value("method")),
      recordedAt: try stored.parsed("recorded_at") { try Timestamp.parse($0) },
      recordedBy: try stored.value("recorded_by"))
  }
}

extension Records {
  /// `Store.record(_:by:at:)` inside a transaction.
  static func recordPayment(
    _ payment: Payment, by author: String, at now: Date, hook: String = "payment add", _ db: Database
  ) throws {
    guard let ledger = try Records.ledgers(of: [payment.invoiceNumber], db)[payment.invoiceNumber] else {
      throw StoreError("no invoice \(payment.invoiceNumber)")
    }
    try ledger.checkNewPayment(payment)
    try db.executeCached(
      sql: """
        INSERT INTO payments (invoice_number, paid_on, currency, amount_minor, reference, method, recorded_at,
          recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """,
      arguments: [
        payment.invoiceNumber, payment.paidOn.description, payment.amount.currency.code,
        payment.amount.minorUnits, payment.reference, payment.method, Timestamp.utcText(now), author,
      ])
    try db.executeCached(
      sql: """
        UPDATE invoices SET paid_minor = (SELECT COALESCE(SUM(amount_minor), 0) FROM payments
          WHERE invoice_number = ?) WHERE number = ?
        """, arguments: [payment.invoiceNumber, payment.invoiceNumber])
    for caseId in try Records.casesDisputing(invoice: payment.invoiceNumber, db) {
      try Records.append(
        JournalEvent(
          caseId: caseId, at: now,
          event: .payment(
            invoice: payment.invoiceNumber, amount: payment.amount, paidOn: payment.paidOn,
            reference: payment.reference),
          reason: "payment \(payment.reference) recorded",
          provenance: Provenance(
            source: "user:\(author)", hook: hook, runId: "payment-\(payment.reference)")),
        db)
    }
  }
}

extension Records {
  /// The cases not closed that name invoice `number`: those whose story tells what happens to it.
  static func casesDisputing(invoice number: String, _ db: Database) throws -> [Int64] {
    try Int64.fetchAll(
      db.cachedStatement(
        sql: """
          SELECT cases.id FROM cases JOIN case_invoices ON case_id = cases.id
          WHERE invoice_number = ? AND status <> 'closed' ORDER BY cases.id
          """), arguments: [number])
  }
}

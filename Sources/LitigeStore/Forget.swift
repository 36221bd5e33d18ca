import Foundation
import GRDB
import LitigeCore

/// What `Store.forget` erased.
public struct ForgetSummary: Sendable, Equatable {
  /// The customer's cases, now each with a `forgotten` event.
  public var cases: Int
  /// Messages whose text was erased.
  public var communications: Int
  /// Letters whose text was erased from the journal.
  public var letters: Int

  /// Creates one.
  public init(cases: Int, communications: Int, letters: Int) {
    self.cases = cases
    self.communications = communications
    self.letters = letters
  }
}

extension Store {
  /// The name a forgotten customer keeps.
  public static let forgottenName = "(données effacées)"

  /// Erases customer `id`'s identifying data on request (RGPD article 17, right to erasure).
  ///
  /// Erased: their name, e-mail, phone and address; the customer's words of their cases (reasons) and the texts of
  /// their messages and of the letters sent to them; the values of their records in the changes
  /// imports journaled. Amounts, dates, invoices, payments, decisions and the journal's structure
  /// stay: the company keeps its accounts (Code de commerce L123-22, ten years). Each case gets a
  /// `forgotten` event by `person`.
  ///
  /// The journal is append-only: this is the one change to existing events, made in the same
  /// transaction that lifts and restores the guard. Throws `StoreError` for an unknown customer.
  public func forget(customer id: String, by person: String, at now: Date) throws -> ForgetSummary {
    try database.write { db in
      guard try Row.fetchOne(db, sql: "SELECT id FROM customers WHERE id = ?", arguments: [id]) != nil else {
        throw StoreError("no customer '\(id)' in the workspace")
      }
      let caseIds = try Int64.fetchAll(
        db, sql: "SELECT id FROM cases WHERE customer_id = ? ORDER BY id", arguments: [id])
      let marks = caseIds.isEmpty ? "NULL" : caseIds.map { _ in "?" }.joined(separator: ", ")
      let arguments = StatementArguments(caseIds)
      // What the nights' reports may quote of them (a plugin's error, kept as written by a --verbose
      // night, or in a form the mask did not recognise then), read before it is erased.
      let mask = try Self.personalDataMask(ofCustomer: id, cases: marks, arguments: arguments, db)
      try db.execute(
        sql: """
          UPDATE customers SET name = ?, email = NULL, phone = NULL, address = NULL, forgotten_at = ? WHERE id = ?
          """, arguments: [Self.forgottenName, Timestamp.utcText(now), id])
      try db.execute(
        sql: "UPDATE cases SET reason = ? WHERE id IN (\(marks))", arguments: [Self.forgottenName] + arguments
      )
      try db.execute(
        sql:
          "UPDATE communications SET summary = '', author = '' WHERE case_id IN (\(marks)) AND summary <> ''",
        arguments: arguments)
      let communications = db.changesCount
      try db.execute(
        sql: "UPDATE outbox SET recipient = NULL WHERE case_id IN (\(marks))", arguments: arguments)
      // What was waiting to be sent to them will not be: nobody is left to send it to.
      try db.execute(
        sql:
          "UPDATE outbox SET status = 'failed', failure = ? WHERE status = 'pending' AND case_id IN (\(marks))",
        arguments: ["the customer's data was erased on request"] + arguments)
      try db.execute(
        sql: """
          UPDATE changes SET old_value = NULL, new_value = NULL
          WHERE (record = 'customer' AND record_key = ?)
            OR (record = 'case' AND record_key IN (SELECT external_ref FROM cases WHERE id IN (\(marks))))
            OR (record = 'communication' AND record_key IN
              (SELECT CAST(id AS TEXT) FROM communications WHERE case_id IN (\(marks))))
          """, arguments: [id] + arguments + arguments)
      // The letters' texts (names, amounts in words) leave the journal; everything else stays.
      try db.execute(sql: "DROP TRIGGER events_append_only_update")
      try db.execute(
        sql: """
          UPDATE events SET payload = json_remove(payload, '$.body')
          WHERE case_id IN (\(marks)) AND kind = 'send' AND json_extract(payload, '$.body') IS NOT NULL
          """, arguments: arguments)
      let letters = db.changesCount
      try db.execute(
        sql: """
          CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
            BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END
          """)
      try Self.maskReports(with: mask, customer: id, db)
      for caseId in caseIds {
        try Records.append(
          JournalEvent(
            caseId: caseId, at: now, event: .forgotten,
            reason: "the customer's personal data erased on request",
            provenance: Provenance(source: "user:\(person)", hook: "customer forget", runId: "forget-\(id)")),
          db)
      }
      return ForgetSummary(cases: caseIds.count, communications: communications, letters: letters)
    }
  }

  /// The mask of customer `id`'s personal data and of their cases (`cases`: the SQL list of their
  /// ids' marks, with `arguments`), as stored before `forget` erases it.
  private static func personalDataMask(
    ofCustomer id: String, cases marks: String, arguments: StatementArguments, _ db: Database
  ) throws -> PersonalDataMask {
    let customers = try Row.fetchAll(db, sql: "SELECT * FROM customers WHERE id = ?", arguments: [id])
      .map(Records.customer)
    let reasons = try String.fetchAll(
      db, sql: "SELECT reason FROM cases WHERE id IN (\(marks))", arguments: arguments)
    let communications = try Row.fetchAll(
      db, sql: "SELECT * FROM communications WHERE case_id IN (\(marks))", arguments: arguments
    ).map(Records.communication)
    return PersonalDataMask(customers: customers, reasons: reasons, communications: communications)
  }

  /// Masks what `mask` hides in every night's stored report (`runs.report`, JSON).
  ///
  /// Only the texts plugins wrote are masked (the failures' messages: a plugin that quoted the
  /// customer, kept as written by a `--verbose` night or in a form the mask did not know then), and
  /// the customer's own entry among the most exposed customers takes the forgotten name; Litige's
  /// own fields (currency, time zone, other customers' names) are left as they are (RGPD article
  /// 17: the erasure reaches every copy the workspace keeps). Reports written to files are the user's.
  private static func maskReports(with mask: PersonalDataMask, customer id: String, _ db: Database) throws {
    let reports = try Row.fetchAll(
      db, sql: "SELECT id, report FROM runs WHERE report IS NOT NULL AND report <> ''")
    for row in reports {
      let text: String = row["report"]
      guard let data = text.data(using: .utf8),
        var report = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
      else { continue }
      var changed = false
      if var failures = report["failures"] as? [[String: Any]] {
        for index in failures.indices {
          guard let message = failures[index]["message"] as? String else { continue }
          let masked = mask.masking(message)
          if masked != message {
            failures[index]["message"] = masked
            changed = true
          }
        }
        report["failures"] = failures
      }
      if var figures = report["figures"] as? [String: Any],
        var top = figures["top_customers"] as? [[String: Any]]
      {
        for index in top.indices where top[index]["customer_id"] as? String == id {
          if top[index]["name"] as? String != forgottenName {
            top[index]["name"] = forgottenName
            changed = true
          }
        }
        figures["top_customers"] = top
        report["figures"] = figures
      }
      guard changed else { continue }
      let output = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
      try db.execute(
        sql: "UPDATE runs SET report = ? WHERE id = ?",
        arguments: [String(decoding: output, as: UTF8.self), row["id"] as String])
    }
  }
}

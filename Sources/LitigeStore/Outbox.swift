import Foundation
import GRDB
import LitigeCore

/// Where a letter or message of the outbox stands.
public enum OutboxStatus: String, Vocabulary {
  /// Decided, not sent yet.
  case pending
  /// Sent, with its proof reference.
  case sent
  /// Could not be sent; it may be sent again.
  case failed
  /// The field name in messages.
  public static let fieldName = "status"
}

/// A letter or message waiting to be sent, or sent (issue 12's outbox).
public struct OutboxItem: Sendable, Equatable {
  /// The item's number.
  public var id: Int64
  /// The journal event that decided it (`send`).
  public var eventId: Int64
  /// The case, and its company reference if any.
  public var caseId: Int64, caseReference: String?
  /// The template and the channel.
  public var template: String, channel: Channel
  /// The customer: id, name, language and postal address (name and address are personal data).
  public var customerId: String, customerName: String, language: String, address: String?
  /// The e-mail address it goes to (personal data), when the customer has one.
  public var recipient: String?
  /// Where it stands.
  public var status: OutboxStatus
  /// When it was decided, exported, sent (UTC).
  public var createdAt: Date, exportedAt: Date?, sentAt: Date?
  /// The proof of sending, or why it failed.
  public var reference: String?, failure: String?
  /// The text (personal data), as the journal keeps it.
  public var body: String?
}

extension Store {
  /// The outbox's items with `status` (all when nil), oldest first, at most `limit`.
  public func outbox(status: OutboxStatus? = nil, limit: Int = .max) throws -> [OutboxItem] {
    try database.read { db in
      try Row.fetchAll(
        db,
        sql: Self.outboxQuery + (status == nil ? "" : " WHERE o.status = ?") + " ORDER BY o.id LIMIT ?",
        arguments: status.map { [$0.rawValue, Int64(clamping: limit)] } ?? [Int64(clamping: limit)]
      ).map(Self.outboxItem)
    }
  }

  /// Item `id` of the outbox, or nil.
  public func outboxItem(id: Int64) throws -> OutboxItem? {
    try database.read { db in
      try Row.fetchOne(db, sql: Self.outboxQuery + " WHERE o.id = ?", arguments: [id]).map(Self.outboxItem)
    }
  }

  /// Notes that items `ids` were exported for sending at `now` (a second export leaves them out).
  public func markExported(_ ids: [Int64], at now: Date) throws {
    try database.write { db in
      for id in ids {
        try db.execute(
          sql: "UPDATE outbox SET exported_at = ? WHERE id = ? AND exported_at IS NULL",
          arguments: [Timestamp.utcText(now), id])
      }
    }
  }

  /// Records that item `id` was sent, with its proof `reference`, and journals it on the case.
  ///
  /// Throws `StoreError` when there is no such item, and `DomainError.refused` when it was already
  /// sent (a letter is sent once; its proof is kept).
  public func markSent(_ id: Int64, reference: String, by person: String, at now: Date) throws {
    try Plausible.check(humanText: reference, field: "--reference", maxBytes: 200)
    try database.write { db in
      let item = try Self.item(id, db)
      guard item.status != .sent else {
        throw DomainError.refused(
          "outbox item \(id) was already sent\(item.reference.map { " (proof \($0))" } ?? ""): a letter is sent once"
        )
      }
      try db.execute(
        sql: "UPDATE outbox SET status = 'sent', sent_at = ?, reference = ?, failure = NULL WHERE id = ?",
        arguments: [Timestamp.utcText(now), reference, id])
      try Records.append(
        JournalEvent(
          caseId: item.caseId, at: now,
          event: .dispatched(item: id, template: item.template, reference: reference),
          reason: "sent by \(item.channel.rawValue)",
          provenance: Provenance(source: "user:\(person)", hook: "outbox mark-sent", runId: "outbox-\(id)")),
        db)
    }
  }

  /// Records that item `id` could not be sent, and why; it may be sent later.
  ///
  /// Throws `StoreError` for no such item, `DomainError.refused` when it was sent.
  public func markFailed(_ id: Int64, reason: String, by person: String, at now: Date) throws {
    try Plausible.check(humanText: reason, field: "--reason", maxBytes: 2_000)
    try database.write { db in
      let item = try Self.item(id, db)
      guard item.status != .sent else {
        throw DomainError.refused(
          "outbox item \(id) was sent (proof \(item.reference ?? "-")): it cannot fail now")
      }
      try db.execute(
        sql: "UPDATE outbox SET status = 'failed', failure = ? WHERE id = ?", arguments: [reason, id])
      try Records.append(
        JournalEvent(
          caseId: item.caseId, at: now,
          event: .dispatchFailed(item: id, template: item.template, reason: reason),
          reason: reason,
          provenance: Provenance(source: "user:\(person)", hook: "outbox mark-failed", runId: "outbox-\(id)")),
        db)
    }
  }

  private static func item(_ id: Int64, _ db: Database) throws -> OutboxItem {
    guard let row = try Row.fetchOne(db, sql: outboxQuery + " WHERE o.id = ?", arguments: [id]) else {
      throw StoreError("no outbox item \(id) (litige outbox list)")
    }
    return try outboxItem(row)
  }

  static let outboxQuery = """
    SELECT o.*, c.external_ref, c.customer_id, cu.name AS customer_name, cu.language, cu.address,
      cu.email AS current_email,
      json_extract(e.payload, '$.body') AS body
    FROM outbox o JOIN cases c ON c.id = o.case_id JOIN customers cu ON cu.id = c.customer_id
    JOIN events e ON e.id = o.event_id
    """

  static func outboxItem(_ row: Row) throws -> OutboxItem {
    OutboxItem(
      id: row["id"], eventId: row["event_id"], caseId: row["case_id"], caseReference: row["external_ref"],
      template: row["template"], channel: try Channel.parse(row["channel"]), customerId: row["customer_id"],
      customerName: row["customer_name"], language: row["language"], address: row["address"],
      // The customer's address as it is now (an import may have changed it since the letter was decided).
      recipient: row["current_email"],
      status: try OutboxStatus.parse(row["status"]), createdAt: try Timestamp.parse(row["created_at"]),
      exportedAt: try (row["exported_at"] as String?).map { try Timestamp.parse($0) },
      sentAt: try (row["sent_at"] as String?).map { try Timestamp.parse($0) }, reference: row["reference"],
      failure: row["failure"], body: row["body"])
  }
}

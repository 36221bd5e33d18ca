import Foundation
import GRDB
import LitigeCore

/// A nightly run as the store records it, so that an interrupted one can be resumed.
public struct RunRecord: Sendable, Equatable {
  /// `night-2026-11-22T02:00:00Z-...`.
  public var id: String
  /// When it started (UTC).
  public var startedAt: Date
  /// The instant the run decides as of (its `now`).
  public var asOf: Date
  /// Whether it wrote nothing.
  public var dryRun: Bool
  /// How many case ids each chunk spans.
  public var chunkSize: Int
  /// The highest case id when it started: the run covers ids 1 through this.
  public var lastCaseId: Int64
  /// `running`, `completed`, `failed` (some cases failed), `aborted` (error budget or Ctrl-C).
  public var status: String
  /// When it ended.
  public var finishedAt: Date?
  /// The JSON report, once finished.
  public var report: String?
}

extension Store {
  /// Records the start of a run covering case ids 1 through the current highest.
  public func startRun(id: String, asOf: Date, dryRun: Bool, chunkSize: Int) throws -> RunRecord {
    let record = RunRecord(
      id: id, startedAt: Date(), asOf: asOf, dryRun: dryRun, chunkSize: chunkSize,
      lastCaseId: try nextCaseId() - 1, status: "running")
    try database.write { db in
      try db.executeCached(
        sql: """
          INSERT INTO runs (id, started_at, as_of, dry_run, chunk_size, last_case_id, status)
          VALUES (?, ?, ?, ?, ?, ?, ?)
          """,
        arguments: [
          record.id, Timestamp.utcText(record.startedAt), Timestamp.utcText(asOf), dryRun, chunkSize,
          record.lastCaseId, record.status,
        ])
    }
    return record
  }

  /// What run `runId` did so far: the cases its completed chunks visited and failed on, and its
  /// decisions by kind, by source (the plugin, `name@version`) and by the case's owner as the night
  /// counted them (before its decisions on the case: the chunks keep their counts, schema v18; the
  /// invoice pass's letters and the chunks of an earlier release by the owner now).
  ///
  /// A resumed night reads it before it goes on, so that its report covers the whole night.
  public func runTotals(runId: String) throws -> RunTotals {
    try database.read { db in
      var totals = RunTotals()
      if let row = try Row.fetchOne(
        db,
        sql:
          "SELECT COALESCE(SUM(cases), 0) AS cases, COALESCE(SUM(failures), 0) AS failures FROM run_chunks WHERE run_id = ?",
        arguments: [runId])
      {
        totals.cases = row["cases"]
        totals.failedCases = row["failures"]
      }
      // The counts by owner the chunks kept. Used only when they account for every decision of the
      // run's chunks: a chunk done by a release that kept none (or whose row cannot be read), or a night
      // that started again (its first pass's chunks forgotten, their decisions kept), counts every
      // decision by the case's owner now, as before.
      var keptByOwner: [String: Int]? = [:]
      for text in try String?.fetchAll(
        db, sql: "SELECT by_owner FROM run_chunks WHERE run_id = ?", arguments: [runId])
      {
        guard let text, let counts = try? JSONDecoder().decode([String: Int].self, from: Data(text.utf8))
        else {
          keptByOwner = nil
          break
        }
        keptByOwner?.merge(counts, uniquingKeysWith: +)
      }
      let rows = try Row.fetchAll(
        db,
        sql: """
          SELECT e.kind, e.source, e.hook = 'before_due' AS invoice_pass,
            COALESCE(c.owner, 'unassigned') AS owner, COUNT(*) AS n
          FROM events e LEFT JOIN cases c ON c.id = e.case_id WHERE e.run_id = ? GROUP BY 1, 2, 3, 4
          """, arguments: [runId])
      let inChunks = rows.reduce(0) { $0 + ($1["invoice_pass"] == true ? 0 : $1["n"] as Int) }
      if keptByOwner?.values.reduce(0, +) != inChunks { keptByOwner = nil }
      for row in rows {
        let count: Int = row["n"]
        totals.byKind[row["kind"], default: 0] += count
        totals.byPlugin[row["source"], default: 0] += count
        if keptByOwner == nil || row["invoice_pass"] == true {
          totals.byOwner[row["owner"], default: 0] += count
        }
      }
      for (owner, count) in keptByOwner ?? [:] { totals.byOwner[owner, default: 0] += count }
      return totals
    }
  }

  /// The chunks of run `runId` already done.
  public func completedChunks(runId: String) throws -> Set<Int> {
    try database.read { db in
      Set(try Int.fetchAll(db, sql: "SELECT chunk FROM run_chunks WHERE run_id = ?", arguments: [runId]))
    }
  }

  /// Forgets the chunks of run `runId` done so far, so that it runs them again.
  ///
  /// For a resumed night whose policies changed meanwhile (`BatchRunner`). What they wrote stays.
  public func forgetCompletedChunks(runId: String) throws {
    try database.write { db in
      try db.execute(sql: "DELETE FROM run_chunks WHERE run_id = ?", arguments: [runId])
    }
  }

  /// The ranges of case ids of run `runId`'s chunks already done (a chunk is named by its first case;
  /// chunks of runs from before the wake-up index are named by their number).
  public func completedChunkRanges(runId: String) throws -> [ClosedRange<Int64>] {
    try database.read { db in
      let size =
        try Int64.fetchOne(db, sql: "SELECT chunk_size FROM runs WHERE id = ?", arguments: [runId]) ?? 1
      return try Row.fetchAll(
        db, sql: "SELECT chunk, last_case_id FROM run_chunks WHERE run_id = ?", arguments: [runId]
      ).map { row in
        let chunk: Int64 = row["chunk"]
        if let last: Int64 = row["last_case_id"] { return chunk...max(chunk, last) }
        let first = chunk * size + 1
        return first...(first + size - 1)
      }
    }
  }

  /// Records how a run ended, with its report.
  public func finishRun(id: String, status: String, report: String) throws {
    try database.write { db in
      try db.executeCached(
        sql: "UPDATE runs SET status = ?, finished_at = ?, report = ? WHERE id = ?",
        arguments: [status, Timestamp.utcText(Date()), report, id])
    }
  }

  /// The night the next `litige batch` resumes: the last run that is not dry, when it did not finish.
  ///
  /// A run does not finish when it is killed, the power goes or Ctrl-C stops it. An older unfinished
  /// run was given up for a later one (`--restart`): nights run forward, and resuming it would run an
  /// earlier night again after a later one.
  public func unfinishedRun() throws -> RunRecord? {
    guard let last = try lastRealRun(), last.status == "running" || last.status == "aborted" else {
      return nil
    }
    return last
  }

  /// The most recent night that is not dry, if any (an import's triage run is not a night: an import
  /// after a killed night leaves that night to be resumed).
  public func lastRealRun() throws -> RunRecord? {
    try database.read { db in
      try Row.fetchOne(
        db, sql: "SELECT * FROM runs WHERE dry_run = 0 AND id GLOB 'night-*' ORDER BY rowid DESC LIMIT 1"
      ).map(Self.runRecord)
    }
  }

  /// Whether run `run` is a night (`litige batch`), not an import's triage run.
  public static func isNight(_ run: RunRecord) -> Bool { run.id.hasPrefix("night-") }

  /// Marks run `id` as given up (`abandoned`) when it did not finish: a night started anew with
  /// `litige batch --restart` replaces it, and it is never resumed.
  public func abandonRun(id: String) throws {
    try database.write { db in
      try db.execute(
        sql: """
          UPDATE runs SET status = 'abandoned', finished_at = ?
          WHERE id = ? AND status IN ('running', 'aborted')
          """, arguments: [Timestamp.utcText(Date()), id])
    }
  }

  /// The most recent runs, newest first: in the order they were started, whatever the clock said.
  public func runs(limit: Int = 20) throws -> [RunRecord] {
    try database.read { db in
      try Row.fetchAll(
        db, sql: "SELECT * FROM runs ORDER BY rowid DESC LIMIT ?", arguments: [limit]
      ).map(Self.runRecord)
    }
  }

  /// A row of `runs`.
  private static func runRecord(_ row: Row) throws -> RunRecord {
    RunRecord(
      id: row["id"], startedAt: try Timestamp.parse(row["started_at"]),
      asOf: try Timestamp.parse(row["as_of"]),
      dryRun: row["dry_run"], chunkSize: row["chunk_size"], lastCaseId: row["last_case_id"],
      status: row["status"],
      finishedAt: try (row["finished_at"] as String?).map { try Timestamp.parse($0) }, report: row["report"])
  }

  /// The ids of the cases a nightly run visits in `range`, in order: every case not closed (resolved
  /// cases still get follow-ups and promise checks).
  public func nightlyCaseIds(in range: ClosedRange<Int64>) throws -> [Int64] {
    try database.read { db in
      try Int64.fetchAll(
        db,
        sql: "SELECT id FROM cases WHERE id BETWEEN ? AND ? AND status <> 'closed' ORDER BY id",
        arguments: [range.lowerBound, range.upperBound])
    }
  }
}

/// What a run did so far (see `Store.runTotals`).
public struct RunTotals: Sendable, Equatable {
  /// Cases visited by its completed chunks.
  public var cases = 0
  /// Cases that failed in them.
  public var failedCases = 0
  /// Its decisions by kind (`tag`, `send`...).
  public var byKind: [String: Int] = [:]
  /// Its decisions by source (`escalation@1.3.0`).
  public var byPlugin: [String: Int] = [:]
  /// Its decisions by the case's owner as the night counted them (`unassigned` for none).
  public var byOwner: [String: Int] = [:]

  /// No work yet.
  public init() {}
}

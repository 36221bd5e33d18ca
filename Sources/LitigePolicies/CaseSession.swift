import Foundation
import LitigeCore
import LitigeStore

/// Decisions a script has made, staged per case until they are committed or dropped.
///
/// Each decision is judged by the core the moment the script makes it, against a working copy of the
/// case that already includes the decisions staged before it; so the script gets the refusal at the line
/// that made it, and reads its own decisions back (`c.priority` after `c:prioritize(1)`).
public final class CaseSession {
  /// The workspace decisions are read from and committed to.
  public let store: any Workspace
  /// The instant the session treats as now (UTC).
  public let now: Date
  /// Who decides, as the journal records it.
  public var provenance: Provenance

  private(set) var working: [Int64: (disputeCase: DisputeCase, facts: CaseFacts)] = [:]
  /// Staged decisions by case, in the order they were made.
  public private(set) var staged: [Int64: [ProposedDecision]] = [:]
  /// Staged decisions, in the order they were made across all cases.
  public private(set) var stagedInOrder: [ProposedDecision] = []
  /// The events the staged decisions produce, in order.
  private var stagedEvents: [JournalEvent] = []

  /// Where cases are read: the store, or in batch mode the chunk (see `load(_:)`).
  public private(set) var reader: any CaseReading
  /// The chunk being worked in batch mode (see `load(_:)`); nil otherwise.
  public private(set) var snapshot: NightSnapshot? {
    didSet { inBatchMode = snapshot != nil }
  }
  /// Whether a chunk is loaded (`snapshot != nil`), read without copying the snapshot out: the hot
  /// path asks at every hook call, and a copy retains each of its tables.
  public private(set) var inBatchMode = false
  /// Cases as settled calls left them, in batch mode: what the next call starts from.
  private var settledCases: [Int64: (disputeCase: DisputeCase, facts: CaseFacts)] = [:]
  /// Calls settled in this chunk, in order.
  public private(set) var settledCalls: [SettledCall] = []
  /// Their events by case, for `history(ofCase:)`.
  private var settledEvents: [Int64: [JournalEvent]] = [:]
  /// `historyWithFields(ofCase:)` by case in batch mode, with the count of settled events it saw.
  private var historyFieldsCache:
    [Int64: (settledCount: Int, entries: [(event: JournalEvent, fields: [String: String])])] = [:]
  private var brokenPromiseCounts: [String: Int] = [:]
  /// Bumped whenever what a script reads of any case may have changed (a decision, a rollback of staged
  /// decisions, a settled or committed call, a new chunk): case views built before are stale then.
  public private(set) var revision = 0
  /// Bumped when batch mode starts or ends a chunk: views of the previous chunk are let go.
  public private(set) var chunkGeneration = 0

  /// A session over `store` deciding at `now` as `provenance`.
  public init(store: any Workspace, now: Date, provenance: Provenance) {
    self.store = store
    self.reader = store
    self.now = now
    self.provenance = provenance
  }

  /// The case as the script sees it: stored state plus staged decisions.
  ///
  /// Nil if it does not exist.
  public func disputeCase(id: Int64) throws -> DisputeCase? {
    if let entry = working[id] { return entry.disputeCase }
    if let entry = settledCases[id] {
      working[id] = entry
      return entry.disputeCase
    }
    guard let stored = try reader.disputeCase(id: id) else { return nil }
    working[id] = (stored, try reader.facts(for: stored))
    return stored
  }

  /// What the core knows about case `id` beyond its fields (promise, templates sent), as the script sees it.
  public func facts(id: Int64) throws -> CaseFacts? {
    guard try disputeCase(id: id) != nil else { return nil }
    return working[id]?.facts
  }

  // MARK: Reads, from the chunk when one is loaded

  /// Customer `id`, or nil.
  public func customer(id: String) throws -> Customer? { try reader.customer(id: id) }

  /// The invoices of case `caseId`, by number.
  public func invoices(ofCase caseId: Int64) throws -> [Invoice] { try reader.invoices(ofCase: caseId) }

  /// The communications of case `caseId`, oldest first.
  public func communications(ofCase caseId: Int64) throws -> [Communication] {
    try reader.communications(ofCase: caseId)
  }

  /// The ledger of invoice `number`: from the cases read in this session, else from the workspace.
  public func ledger(ofInvoice number: String) throws -> InvoiceLedger? {
    for entry in working.values {
      if let ledger = entry.facts.ledgers.first(where: { $0.invoice.number == number }) { return ledger }
    }
    return try reader.ledger(ofInvoice: number)
  }

  /// The journal of case `caseId`, including calls settled in this chunk.
  public func history(ofCase caseId: Int64) throws -> [JournalEvent] {
    try reader.events(ofCase: caseId) + (settledEvents[caseId] ?? [])
  }

  /// `history(ofCase:)` with each event's payload as text fields (`CaseEvent.fields`), as scripts read
  /// `case.history`.
  ///
  /// In batch mode it is computed once per case and chunk, and extended with the events calls settle
  /// on the case since: the five standard plugins that read a case's history each used to turn every
  /// event's payload into fields (a sixth of a steady night's time went to building histories).
  public func historyWithFields(ofCase caseId: Int64) throws -> [(
    event: JournalEvent, fields: [String: String]
  )] {
    let withFields = { (event: JournalEvent) in (event: event, fields: event.event.fields) }
    // The current call's own decisions on the case come last: a case reflects the decisions the
    // current hook has already made (docs/policies.md), its history too.
    let staged = stagedEvents.isEmpty ? [] : stagedEvents.filter { $0.caseId == caseId }.map(withFields)
    guard inBatchMode else { return try history(ofCase: caseId).map(withFields) + staged }
    let entries = try settledHistoryWithFields(ofCase: caseId, withFields)
    return staged.isEmpty ? entries : entries + staged
  }

  /// `historyWithFields` without the current call's decisions, cached for the chunk (batch mode).
  private func settledHistoryWithFields(
    ofCase caseId: Int64, _ withFields: (JournalEvent) -> (event: JournalEvent, fields: [String: String])
  ) throws -> [(event: JournalEvent, fields: [String: String])] {
    let settled = settledEvents[caseId] ?? []
    if let cached = historyFieldsCache[caseId], cached.settledCount == settled.count { return cached.entries }
    var extended: (settledCount: Int, entries: [(event: JournalEvent, fields: [String: String])])?
    // Taken out of the cache, so that the array is extended in place rather than copied.
    if let cached = historyFieldsCache.removeValue(forKey: caseId), cached.settledCount < settled.count {
      extended = cached  // calls settled more events on the case since: only theirs are added
    }
    var entries =
      try extended?.entries ?? reader.events(ofCase: caseId).map(withFields)
    let known = extended?.settledCount ?? 0
    extended = nil
    entries += settled[known...].map(withFields)
    historyFieldsCache[caseId] = (settled.count, entries)
    return entries
  }

  /// How many payment promises of customer `customerId` were judged broken (cached for the chunk).
  public func brokenPromises(customerId: String) throws -> Int {
    let stored: Int
    if let count = brokenPromiseCounts[customerId] {
      stored = count
    } else {
      stored = try reader.brokenPromises(customerId: customerId)
      if inBatchMode { brokenPromiseCounts[customerId] = stored }
    }
    // In batch mode, promises judged broken earlier in this chunk are not in the store yet: counted
    // here, so that what a case sees does not depend on which chunk another case of the customer
    // fell into (the wake-up index changes the chunks).
    var settled = 0
    for (caseId, events) in settledEvents
    where settledCases[caseId]?.disputeCase.customerId == customerId {
      for event in events {
        if case .promiseJudged(.broken, _, _, _) = event.event { settled += 1 }
      }
    }
    return stored + settled
  }

  /// The most decisions one call (a hook call, a script) may stage on one case.
  public static let maxStagedDecisions = 500

  /// Validates `decision` on the working copy of case `caseId` and stages it.
  ///
  /// Throws `DomainError.refused` (nothing staged) when the core refuses it.
  public func decide(_ decision: Decision, on caseId: Int64, reason: String) throws {
    // What one call may stage is bounded: staged decisions live outside the Lua state's ceiling, and
    // every event becomes history that the next plugins read.
    guard (staged[caseId]?.count ?? 0) < Self.maxStagedDecisions else {
      throw DomainError.refused(
        "more than \(Self.maxStagedDecisions) decisions on case \(caseId) in one call (a runaway loop?)")
    }
    guard let current = try disputeCase(id: caseId), var facts = working[caseId]?.facts else {
      throw DomainError.notFound("case \(caseId) does not exist")
    }
    if case .send(_, _, _, let number?, _) = decision {
      // A letter about another invoice is about one of this customer's (domain.md §5).
      guard let ledger = try ledger(ofInvoice: number), ledger.invoice.customerId == current.customerId else {
        throw DomainError.refused(
          "invoice \(RefusedValue.word(number)) is not an invoice of this case's customer")
      }
    }
    let proposed = ProposedDecision(caseId: caseId, decision: decision, reason: reason)
    let (updated, events) = try CaseRules.apply(
      [proposed], to: current, facts: &facts, settings: store.settings, provenance: provenance, at: now)
    working[caseId] = (updated, facts)
    guard !events.isEmpty else { return }  // changes nothing: nothing to stage
    revision += 1
    staged[caseId, default: []].append(proposed)
    stagedInOrder.append(proposed)
    stagedEvents += events
  }

  /// Applies the decisions the lifecycle itself makes on case `caseId` now (closing a resolved case once
  /// its follow-up window is over: `CaseRules.lifecycleDecisions`), as `litige@core`.
  ///
  /// In batch mode they are settled like a hook call's; otherwise committed. Returns their events.
  public func applyLifecycle(to caseId: Int64, runId: String) throws -> [JournalEvent] {
    guard let current = try disputeCase(id: caseId), let facts = working[caseId]?.facts else { return [] }
    let today = LocalDate(now, in: store.settings.timeZone)
    let decisions = CaseRules.lifecycleDecisions(
      for: current, facts: facts, settings: store.settings, today: today)
    guard !decisions.isEmpty else { return [] }
    let saved = provenance
    provenance = Provenance(source: "litige@core", hook: "lifecycle", runId: runId)
    defer { provenance = saved }
    for decision in decisions { try decide(decision.decision, on: caseId, reason: decision.reason) }
    return inBatchMode ? settle() : try commit()
  }

  /// Writes every staged decision in one transaction and clears the stage; returns the events written.
  ///
  /// Throws (writing nothing) if the core refuses any decision against the state now stored.
  @discardableResult
  public func commit() throws -> [JournalEvent] {
    let events = try store.applyAll(staged, provenance: provenance, at: now)
    rollback()
    revision += 1
    return events
  }

  /// What `commit` would write, without writing; then drops the stage like `rollback`.
  public func preview() throws -> [JournalEvent] {
    defer { rollback() }
    var events: [JournalEvent] = []
    for caseId in staged.keys.sorted() {
      guard let decisions = staged[caseId] else { continue }
      events += try store.preview(decisions, caseId: caseId, provenance: provenance, at: now)
    }
    return events
  }

  /// Drops the staged decisions like `rollback` and returns what they would have recorded.
  ///
  /// For a call made only to learn whether it decides anything (the night's probe of a case it
  /// decided on): the events are computed on the working copies, and nothing reaches the store or the
  /// chunk's settled state.
  public func discard() -> [JournalEvent] {
    defer { rollback() }
    return stagedEvents
  }

  /// Drops every staged decision and forgets the working copies.
  ///
  /// In batch mode the cases fall back to where the last settled call left them.
  public func rollback() {
    // Each hook call rolls back at least twice: an empty session is left as it is.
    if !staged.isEmpty {
      revision += 1
      staged = [:]
    }
    if !stagedInOrder.isEmpty { stagedInOrder = [] }
    if !stagedEvents.isEmpty { stagedEvents = [] }
    if !working.isEmpty { working = [:] }
  }

  // MARK: Batch mode

  /// Starts batch mode on a chunk: cases are read from `snapshot`, and calls are settled in memory
  /// (`settle`) to be written together by `Store.writeNight`.
  public func load(_ snapshot: NightSnapshot) {
    rollback()
    revision += 1
    chunkGeneration += 1
    self.snapshot = snapshot
    reader = ChunkReader(snapshot: snapshot, store: store)
    settledCases = [:]
    settledCalls = []
    settledEvents = [:]
    brokenPromiseCounts = [:]
    historyFieldsCache = [:]
  }

  /// Keeps the staged decisions in memory as the outcome of one successful hook call.
  ///
  /// Returns their events. The next call on the case starts from the state they left.
  ///
  /// Only in batch mode: the decisions reach the store when the chunk is written.
  public func settle() -> [JournalEvent] {
    precondition(inBatchMode, "settle() needs a chunk loaded with load(_:)")
    if staged.isEmpty, stagedEvents.isEmpty {
      rollback()
      return []
    }
    let events = stagedEvents
    if !events.isEmpty { revision += 1 }
    for (caseId, decisions) in staged {
      guard let entry = working[caseId] else { continue }
      settledCases[caseId] = entry
      let caseEvents = events.filter { $0.caseId == caseId }
      settledCalls.append(
        SettledCall(caseId: caseId, provenance: provenance, decisions: decisions, events: caseEvents))
      settledEvents[caseId, default: []] += caseEvents
    }
    rollback()
    return events
  }

  /// Ends batch mode; returns what the chunk's calls settled, for `Store.writeNight`.
  public func finishChunk() -> (
    calls: [SettledCall], finalCases: [Int64: DisputeCase], lastEventIds: [Int64: Int64]
  ) {
    let result = (settledCalls, settledCases.mapValues(\.disputeCase), snapshot?.lastEventIds ?? [:])
    rollback()
    revision += 1
    chunkGeneration += 1
    snapshot = nil
    reader = store
    settledCases = [:]
    settledCalls = []
    settledEvents = [:]
    brokenPromiseCounts = [:]
    historyFieldsCache = [:]
    return result
  }
}

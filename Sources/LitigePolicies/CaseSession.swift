import Foundation
import LitigeCore
import LitigeStore

/// Decisions a script has made, staged per case until they are committed or dropped.
///
/// Each decision is judged by the core the moment the script makes it, against a working copy of the
/// case that already includes the decisions staged before it; so the script gets the refusal at the line
/// that made it, and reads its own decisions back (`c.priority` after `c:prioritize(1)`).
public final class CaseSession {
  /// The store decisions are read from and committed to.
  public let store: Store
  /// The instant the session treats as now (UTC).
  public let now: Date
  /// Who decides, as the journal records it.
  public var provenance: Provenance

  private(set) var working: [Int64: (disputeCase: DisputeCase, facts: CaseFacts)] = [:]
  /// Staged decisions by case, in the order they were made.
  public private(set) var staged: [Int64: [ProposedDecision]] = [:]
  /// Staged decisions, in the order they were made across all cases.
  public private(set) var stagedInOrder: [ProposedDecision] = []

  /// A session over `store` deciding at `now` as `provenance`.
  public init(store: Store, now: Date, provenance: Provenance) {
    self.store = store
    self.now = now
    self.provenance = provenance
  }

  /// The case as the script sees it: stored state plus staged decisions.
  ///
  /// Nil if it does not exist.
  public func disputeCase(id: Int64) throws -> DisputeCase? {
    if let entry = working[id] { return entry.disputeCase }
    guard let stored = try store.disputeCase(id: id) else { return nil }
    working[id] = (stored, try store.facts(for: stored))
    return stored
  }

  /// What the core knows about case `id` beyond its fields (promise, templates sent), as the script sees it.
  public func facts(id: Int64) throws -> CaseFacts? {
    guard try disputeCase(id: id) != nil else { return nil }
    return working[id]?.facts
  }

  /// Validates `decision` on the working copy of case `caseId` and stages it.
  ///
  /// Throws `DomainError.refused` (nothing staged) when the core refuses it.
  public func decide(_ decision: Decision, on caseId: Int64, reason: String) throws {
    guard let current = try disputeCase(id: caseId), var facts = working[caseId]?.facts else {
      throw DomainError.notFound("case \(caseId) does not exist")
    }
    let proposed = ProposedDecision(caseId: caseId, decision: decision, reason: reason)
    let (updated, events) = try CaseRules.apply(
      [proposed], to: current, facts: &facts, settings: store.settings, provenance: provenance, at: now)
    working[caseId] = (updated, facts)
    guard !events.isEmpty else { return }  // changes nothing: nothing to stage
    staged[caseId, default: []].append(proposed)
    stagedInOrder.append(proposed)
  }

  /// Writes every staged decision in one transaction and clears the stage; returns the events written.
  ///
  /// Throws (writing nothing) if the core refuses any decision against the state now stored.
  @discardableResult
  public func commit() throws -> [JournalEvent] {
    let events = try store.applyAll(staged, provenance: provenance, at: now)
    rollback()
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

  /// Drops every staged decision and forgets the working copies.
  public func rollback() {
    staged = [:]
    stagedInOrder = []
    working = [:]
  }
}

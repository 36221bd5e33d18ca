import Foundation
import LitigeCore

/// What policies read about cases, whatever holds them.
///
/// The workspace (`Store`) or a night's chunk (`ChunkReader`); a second database backend implements it too.
public protocol CaseReading: Sendable {
  /// The company's settings.
  var settings: CompanySettings { get }
  /// The case `id`, or nil.
  func disputeCase(id: Int64) throws -> DisputeCase?
  /// What the core knows about `disputeCase` beyond its fields (derived by `CaseFacts.derive`).
  func facts(for disputeCase: DisputeCase) throws -> CaseFacts
  /// The customer `id`, or nil.
  func customer(id: String) throws -> Customer?
  /// The invoices of case `caseId`, by number.
  func invoices(ofCase caseId: Int64) throws -> [Invoice]
  /// The communications of case `caseId`, oldest first.
  func communications(ofCase caseId: Int64) throws -> [Communication]
  /// The journal of case `caseId`, in order.
  func events(ofCase caseId: Int64) throws -> [JournalEvent]
  /// How many payment promises of customer `customerId` were judged broken.
  func brokenPromises(customerId: String) throws -> Int
  /// The ledger of invoice `number`, or nil.
  func ledger(ofInvoice number: String) throws -> InvoiceLedger?
}

/// Reads a night's chunk from its snapshot, and anything outside it from the workspace.
public struct ChunkReader: CaseReading {
  /// The chunk.
  public let snapshot: NightSnapshot
  /// The workspace, for cases and customers outside the chunk.
  public let store: any CaseReading

  /// A reader over `snapshot`, falling back to `store`.
  public init(snapshot: NightSnapshot, store: any CaseReading) {
    self.snapshot = snapshot
    self.store = store
  }

  /// The workspace's settings.
  public var settings: CompanySettings { store.settings }

  /// The case from the chunk, else from the workspace.
  public func disputeCase(id: Int64) throws -> DisputeCase? {
    try snapshot.cases[id] ?? store.disputeCase(id: id)
  }

  /// The facts the snapshot derived, else the workspace's.
  public func facts(for disputeCase: DisputeCase) throws -> CaseFacts {
    try snapshot.facts[disputeCase.id] ?? store.facts(for: disputeCase)
  }

  /// The customer from the chunk, else from the workspace.
  public func customer(id: String) throws -> Customer? {
    try snapshot.customers[id] ?? store.customer(id: id)
  }

  /// The case's invoices from the chunk, else from the workspace.
  public func invoices(ofCase caseId: Int64) throws -> [Invoice] {
    snapshot.cases[caseId] != nil ? snapshot.invoices[caseId] ?? [] : try store.invoices(ofCase: caseId)
  }

  /// The case's communications from the chunk, else from the workspace.
  public func communications(ofCase caseId: Int64) throws -> [Communication] {
    snapshot.cases[caseId] != nil
      ? snapshot.communications[caseId] ?? [] : try store.communications(ofCase: caseId)
  }

  /// The case's journal from the chunk, else from the workspace.
  public func events(ofCase caseId: Int64) throws -> [JournalEvent] {
    snapshot.cases[caseId] != nil ? snapshot.events[caseId] ?? [] : try store.events(ofCase: caseId)
  }

  /// From the workspace.
  public func brokenPromises(customerId: String) throws -> Int {
    try store.brokenPromises(customerId: customerId)
  }

  /// From the chunk's facts when one of its cases disputes it, else from the workspace.
  public func ledger(ofInvoice number: String) throws -> InvoiceLedger? {
    for facts in snapshot.facts.values {
      if let ledger = facts.ledgers.first(where: { $0.invoice.number == number }) { return ledger }
    }
    return try store.ledger(ofInvoice: number)
  }
}

/// Everything a policy session needs of a workspace.
///
/// Reading cases, and judging and writing decisions through the core. `Store` (SQLite) implements it;
/// a second backend implements it too.
public protocol Workspace: CaseReading {
  /// The ids of the cases matching `filter`, in order.
  func caseIds(matching filter: CaseFilter) throws -> [Int64]
  /// The invoice numbered `number`, or nil.
  func invoice(number: String) throws -> Invoice?
  /// The case whose company reference is `reference` (else whose number it is), or nil.
  func caseId(forReference reference: String) throws -> Int64?
  /// Judges and writes staged decisions on several cases in one transaction: all or none.
  @discardableResult
  func applyAll(_ decisionsByCase: [Int64: [ProposedDecision]], provenance: Provenance, at now: Date) throws
    -> [JournalEvent]
  /// The events `decisions` would write on case `caseId`, without writing.
  func preview(_ decisions: [ProposedDecision], caseId: Int64, provenance: Provenance, at now: Date) throws
    -> [JournalEvent]
}

extension Store: Workspace {}

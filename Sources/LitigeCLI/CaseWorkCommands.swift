import ArgumentParser
import Foundation
import LitigeCore
import LitigePolicies
import LitigeStore

/// The commands of the people who work cases: each applies one decision through the core, journaled
/// with who made it, and prints what changed (or JSON with `--json`).
enum CaseWork {
  /// Applies `decision` to case `id` for `author`, through the same rules as the policies'.
  ///
  /// Prints the events written, one line each, or as JSON. Throws `Failure` with the core's refusal
  /// (nothing is written then) or when the case does not exist.
  static func apply(
    _ decision: Decision, to id: Int64, reason: String, command: String, workspace: WorkspaceOptions,
    author: AuthorOptions, json: Bool
  ) throws {
    let store = try workspace.openStore()
    guard try store.disputeCase(id: id) != nil else { throw Failure("case \(id) does not exist") }
    let now = Date()
    let name = author.author
    let events: [JournalEvent]
    do {
      try Plausible.check(text: name, field: "--by", maxBytes: 200)
      events = try store.apply(
        [ProposedDecision(caseId: id, decision: decision, reason: reason)], caseId: id,
        provenance: Provenance(
          source: "user:\(name)", hook: command,
          runId: "\(command.replacingOccurrences(of: " ", with: "-"))-\(Timestamp.utcText(now))"),
        at: now)
    } catch let error as DomainError {
      throw Failure("\(error)")
    } catch let error as StoreError {
      throw Failure("\(error)")
    }
    if json {
      let objects = events.map { event -> [String: Any] in
        var object = CaseJSON.event(event)
        object["text"] = Story.describe(event)
        return object
      }
      let data = try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys])
      print(String(decoding: data, as: UTF8.self))
      return
    }
    if events.isEmpty { print("Case \(id): nothing changed (it was already so).") }
    for event in events { print("Case \(id): \(Story.describe(event)) (by \(name)).") }
  }
}

extension CaseCommand {
  struct Resolve: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract:
        "Resolve a case: collection of its invoices resumes on a new due date, with a payment promise.")
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var author: AuthorOptions
    @Argument(help: "The case number.") var id: Int64
    @Option(help: "accepted, partially_accepted, rejected, withdrawn or judgment.") var outcome: String
    @Option(help: "When the rest falls due (YYYY-MM-DD); needed when the case has invoices.")
    var newDueDate: String?
    @Option(help: "The amount the customer promised to pay by then (major units).") var promise: String?
    @Option(help: "Why, for the journal.") var reason: String
    @Flag(help: "Print the events written as JSON.") var json = false

    func run() throws {
      let store = try workspace.openStore()
      let decision: Decision
      do {
        decision = .resolve(
          outcome: try ResolutionOutcome.parse(outcome, field: "--outcome"),
          newDueDate: try newDueDate.map { try LocalDate(parsing: $0, field: "--new-due-date") },
          promise: try promise.map {
            try Money(
              parsing: $0.replacingOccurrences(of: ",", with: "."), currency: store.settings.currency,
              field: "--promise")
          })
      } catch let error as DomainError {
        throw ValidationError("\(error)")
      }
      try CaseWork.apply(
        decision, to: id, reason: reason, command: "case resolve", workspace: workspace, author: author,
        json: json)
    }
  }

  struct Close: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Close a resolved case: the nightly run no longer visits it.")
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var author: AuthorOptions
    @Argument(help: "The case number.") var id: Int64
    @Option(help: "Why, for the journal.") var reason = "closed by hand"
    @Flag(help: "Print the events written as JSON.") var json = false

    func run() throws {
      try CaseWork.apply(
        .close, to: id, reason: reason, command: "case close", workspace: workspace, author: author,
        json: json)
    }
  }

  struct Reopen: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Reopen a resolved or closed case: it is investigated again and its invoices frozen again.")
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var author: AuthorOptions
    @Argument(help: "The case number.") var id: Int64
    @Option(help: "Why, for the journal.") var reason: String
    @Flag(help: "Print the events written as JSON.") var json = false

    func run() throws {
      try CaseWork.apply(
        .reopen, to: id, reason: reason, command: "case reopen", workspace: workspace, author: author,
        json: json)
    }
  }

  struct Assign: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Give a case to a department.")
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var author: AuthorOptions
    @Argument(help: "The case number.") var id: Int64
    @Argument(help: "sales, accounting, quality, logistics, operations, administration or legal.")
    var owner: String
    @Option(help: "Why, for the journal.") var reason = "assigned by hand"
    @Flag(help: "Print the events written as JSON.") var json = false

    func run() throws {
      let department: Department
      do {
        department = try Department.parse(owner, field: "owner")
      } catch let error as DomainError {
        throw ValidationError("\(error)")
      }
      try CaseWork.apply(
        .assign(department), to: id, reason: reason, command: "case assign", workspace: workspace,
        author: author,
        json: json)
    }
  }
}

/// The work queues of a person's day, as `case list --queue` filters them.
enum WorkQueue: String, ExpressibleByArgument, CaseIterable {
  case approval, proposed, deadline
  case formalNotice = "formal_notice"
  case court

  /// Whether `item` waits in this queue at `now`.
  func holds(_ item: DisputeCase, at now: Date) -> Bool {
    switch self {
    case .approval: return item.status.isActive && item.tags.contains("gesture_needs_approval")
    case .proposed: return item.status == .proposed || item.status == .awaitingCustomer
    case .deadline: return item.status.isActive && (item.deadline.map { $0 < now } ?? false)
    case .formalNotice: return item.status.isActive && item.escalation == .formalNotice
    case .court: return item.status.isActive && item.escalation == .court
    }
  }
}

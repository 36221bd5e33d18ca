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
    let now = try CommandClock.now()
    let name = author.author
    let events: [JournalEvent]
    do {
      try Plausible.check(text: name, field: "--by", maxBytes: 200)
      try Plausible.check(humanText: reason, field: "--reason", maxBytes: 4_000)
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
      print(jsonText(objects))
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
    @Argument(help: CaseArgument.help) var caseArgument: CaseArgument
    @Option(help: "accepted, partially_accepted, rejected, withdrawn or judgment.") var outcome: String
    @Option(help: "When the rest falls due (YYYY-MM-DD); needed when the case has invoices.")
    var newDueDate: String?
    @Option(help: "The amount the customer promised to pay by then (major units).") var promise: String?
    @Option(help: "Why, for the journal.") var reason: String
    @Flag(help: "Print the events written as JSON.") var json = false

    func run() throws {
      let id = try caseArgument.resolve(in: workspace)
      let store = try workspace.openStore()
      let decision: Decision
      do {
        decision = .resolve(
          outcome: try ResolutionOutcome.parse(outcome, field: "--outcome"),
          newDueDate: try newDueDate.map { try LocalDate(parsing: $0, field: "--new-due-date") },
          promise: try promise.map {
            try Money.typed($0, currency: store.settings.currency, field: "--promise")
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
    @Argument(help: CaseArgument.help) var caseArgument: CaseArgument
    @Option(help: "Why, for the journal.") var reason = "closed by hand"
    @Flag(help: "Print the events written as JSON.") var json = false

    func run() throws {
      let id = try caseArgument.resolve(in: workspace)
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
    @Argument(help: CaseArgument.help) var caseArgument: CaseArgument
    @Option(help: "Why, for the journal.") var reason: String
    @Flag(help: "Print the events written as JSON.") var json = false

    func run() throws {
      let id = try caseArgument.resolve(in: workspace)
      try CaseWork.apply(
        .reopen, to: id, reason: reason, command: "case reopen", workspace: workspace, author: author,
        json: json)
    }
  }

  struct Assign: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Give a case to a department.")
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var author: AuthorOptions
    @Argument(help: CaseArgument.help) var caseArgument: CaseArgument
    @Argument(help: "sales, accounting, quality, logistics, operations, administration or legal.")
    var owner: String
    @Option(help: "Why, for the journal.") var reason = "assigned by hand"
    @Flag(help: "Print the events written as JSON.") var json = false

    func run() throws {
      let id = try caseArgument.resolve(in: workspace)
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
  case approval, decision, answers, proposed, deadline
  case formalNotice = "formal_notice"
  case court

  /// Whether `item` waits in this queue at `now`; `missedCommitment` (whether a promised answer or
  /// news due today or before has met no letter or message, `Store.casesWithMissedCommitments`) is
  /// read by the `answers` queue only.
  func holds(_ item: DisputeCase, at now: Date, missedCommitment: Bool = false) -> Bool {
    switch self {
    case .answers:
      return item.status.isActive && missedCommitment
    case .approval:
      return item.status != .closed
        && (item.gestures.contains(where: \.awaitsApproval)
          || (item.status.isActive && item.tags.contains("gesture_needs_approval")))
    case .decision:
      // A policy proposed a formal notice or court and waits for a person (litige case escalate), or
      // asks a person to rule on a stalled dispute (litige case resolve); a resolved case's remainder
      // after a broken promise too.
      return item.status != .closed
        && ((item.tags.contains("formal_notice_proposed") && item.escalation < .formalNotice)
          || (item.tags.contains("court_proposed") && item.escalation < .court)
          || (item.tags.contains("ruling_proposed") && item.status.isActive))
    case .proposed: return item.status == .proposed || item.status == .awaitingCustomer
    case .deadline: return item.status.isActive && (item.deadline.map { $0 < now } ?? false)
    case .formalNotice: return item.status.isActive && item.escalation == .formalNotice
    case .court: return item.status.isActive && item.escalation == .court
    }
  }

  /// The cases of `cases` waiting in this queue at `now`, in their order (the `answers` queue reads
  /// the commitments of all of them in one pass).
  func cases(of cases: [DisputeCase], at now: Date, in store: Store) throws -> [DisputeCase] {
    let missed =
      self == .answers
      ? try store.casesWithMissedCommitments(
        among: cases.filter(\.status.isActive).map(\.id), on: LocalDate(now, in: store.settings.timeZone))
      : []
    return cases.filter { holds($0, at: now, missedCommitment: missed.contains($0.id)) }
  }
}

extension CaseCommand {
  struct Escalate: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Move a case up the ladder: mediation, formal_notice or court (a person's decision).",
      discussion: """
        The standard escalation policy proposes a formal notice or court and waits for this decision \
        (work queue 'decision'); it sends the formal notice letter the next working day. For court, \
        --procedure request, summons or order_for_payment (default: what the amount claimed dictates).
        """)
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var author: AuthorOptions
    @Argument(help: CaseArgument.help) var caseArgument: CaseArgument
    @Argument(help: "mediation, formal_notice or court.") var level: String
    @Option(help: "For court: request, summons or order_for_payment.") var procedure: String?
    @Option(help: "Why, for the journal.") var reason: String
    @Flag(help: "Print the events written as JSON.") var json = false

    func run() throws {
      let id = try caseArgument.resolve(in: workspace)
      let parsed: EscalationLevel
      let route: CourtRoute.Procedure?
      do {
        parsed = try EscalationLevel.parse(level)
        route = try procedure.map { name in
          guard let value = CourtRoute.Procedure(rawValue: name) else {
            throw DomainError.invalid(
              field: "--procedure", "expected request, summons or order_for_payment, got '\(name)'")
          }
          return value
        }
      } catch let error as DomainError {
        throw ValidationError("\(error)")
      }
      try CaseWork.apply(
        .escalate(parsed, procedure: route), to: id, reason: reason, command: "case escalate",
        workspace: workspace,
        author: author, json: json)
    }
  }

  struct Attempt: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract:
        "Record an amicable attempt: what court asks for first (a proposal, a mediation, a conciliation).",
      discussion: """
        proposal: a solution offered to the customer; mediation, conciliation, participative_procedure: the \
        attempts CPC 750-1 accepts before the tribunal judiciaire up to 5,000 EUR. An acknowledgement or a \
        reminder is not an attempt.
        """)
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var author: AuthorOptions
    @Argument(help: CaseArgument.help) var caseArgument: CaseArgument
    @Argument(help: "proposal, mediation, conciliation or participative_procedure.") var attempt: String
    @Option(help: "Why, for the journal.") var reason: String
    @Flag(help: "Print the events written as JSON.") var json = false

    func run() throws {
      let id = try caseArgument.resolve(in: workspace)
      let kind: AmicableAttempt
      do {
        kind = try AmicableAttempt.parse(attempt)
      } catch let error as DomainError {
        throw ValidationError("\(error)")
      }
      try CaseWork.apply(
        .recordAttempt(kind), to: id, reason: reason, command: "case attempt", workspace: workspace,
        author: author, json: json)
    }
  }
}

/// `litige gesture`: the customer's answer to a proposed gesture, and a person's approval.
struct GestureCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gesture",
    abstract: "Propose, accept, refuse and approve commercial gestures; list those awaiting someone.",
    discussion: """
      A gesture is proposed to the customer, then accepted or refused by them; it is granted once accepted \
      and, above its kind's cap ([gestures.caps]) or beyond what the case disputes, approved by an approver \
      of [approvers] in litige.toml whose limit covers it. A granted credit note, discount or refund lowers \
      what the invoices owe.
      """,
    subcommands: [Propose.self, Accept.self, Refuse.self, Approve.self, Withdraw.self, List.self])

  struct Withdraw: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Withdraw a gesture not yet granted: the company takes its offer back.")
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var author: AuthorOptions
    @Argument(help: CaseArgument.help) var caseArgument: CaseArgument
    @Argument(help: "The gesture's number on the case (litige case show).") var gesture: Int
    @Option(help: "Why, for the journal.") var reason: String
    @Flag(help: "Print the events written as JSON.") var json = false

    func run() throws {
      let id = try caseArgument.resolve(in: workspace)
      try CaseWork.apply(
        .withdrawGesture(id: gesture), to: id, reason: reason, command: "gesture withdraw",
        workspace: workspace,
        author: author, json: json)
    }
  }

  struct Propose: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Propose a gesture to the customer.")
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var author: AuthorOptions
    @Argument(help: CaseArgument.help) var caseArgument: CaseArgument
    @Argument(help: "discount, credit_note, refund, replacement or voucher.") var kind: String
    @Argument(help: "The amount, in major units (150 or 150.50).") var amount: String
    @Option(help: "Why, for the journal.") var reason: String
    @Flag(help: "Print the events written as JSON.") var json = false

    func run() throws {
      let id = try caseArgument.resolve(in: workspace)
      let store = try workspace.openStore()
      let decision: Decision
      do {
        decision = .proposeGesture(
          kind: try GestureKind.parse(kind),
          amount: try Money.typed(
            amount, currency: store.settings.currency,
            field: "amount"),
          approvedBy: nil)
      } catch let error as DomainError {
        throw ValidationError("\(error)")
      }
      try CaseWork.apply(
        decision, to: id, reason: reason, command: "gesture propose", workspace: workspace, author: author,
        json: json)
    }
  }

  struct Accept: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Record that the customer accepted a gesture; it is granted if no approval is missing.")
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var author: AuthorOptions
    @Argument(help: CaseArgument.help) var caseArgument: CaseArgument
    @Argument(help: "The gesture's number on the case (litige case show).") var gesture: Int
    @Option(help: "Why, for the journal.") var reason = "the customer accepted"
    @Flag(help: "Print the events written as JSON.") var json = false

    func run() throws {
      let id = try caseArgument.resolve(in: workspace)
      try CaseWork.apply(
        .answerGesture(id: gesture, accepted: true), to: id, reason: reason, command: "gesture accept",
        workspace: workspace, author: author, json: json)
    }
  }

  struct Refuse: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Record that the customer refused a gesture.")
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var author: AuthorOptions
    @Argument(help: CaseArgument.help) var caseArgument: CaseArgument
    @Argument(help: "The gesture's number on the case (litige case show).") var gesture: Int
    @Option(help: "Why, for the journal.") var reason = "the customer refused"
    @Flag(help: "Print the events written as JSON.") var json = false

    func run() throws {
      let id = try caseArgument.resolve(in: workspace)
      try CaseWork.apply(
        .answerGesture(id: gesture, accepted: false), to: id, reason: reason, command: "gesture refuse",
        workspace: workspace, author: author, json: json)
    }
  }

  struct Approve: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract:
        "Approve a gesture as yourself (--by, $LITIGE_USER or your login), an approver of litige.toml.")
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var author: AuthorOptions
    @Argument(help: CaseArgument.help) var caseArgument: CaseArgument
    @Argument(help: "The gesture's number on the case (litige case show).") var gesture: Int
    @Option(help: "Why, for the journal.") var reason = "approved"
    @Flag(help: "Print the events written as JSON.") var json = false

    func run() throws {
      let id = try caseArgument.resolve(in: workspace)
      try CaseWork.apply(
        .approveGesture(id: gesture), to: id, reason: reason, command: "gesture approve",
        workspace: workspace,
        author: author, json: json)
    }
  }

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List gestures: by default those awaiting the customer or an approval.")
    @OptionGroup var workspace: WorkspaceOptions
    @Option(help: "Only gestures in this state: proposed, accepted, granted or refused.") var state: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
      let store = try workspace.openStore()
      let wanted: GestureState?
      do {
        wanted = try state.map { try GestureState.parse($0) }
      } catch let error as DomainError {
        throw ValidationError("\(error)")
      }
      var rows: [(DisputeCase, Gesture)] = []
      for item in try store.cases(matching: CaseFilter()) {
        for gesture in item.gestures {
          let keep =
            wanted.map { gesture.state == $0 } ?? (gesture.state == .proposed || gesture.state == .accepted)
          if keep { rows.append((item, gesture)) }
        }
      }
      if json {
        let objects = rows.map { item, gesture -> [String: Any] in
          [
            "case": item.id, "gesture": gesture.id, "kind": gesture.kind.rawValue,
            "amount": gesture.amount.decimalText, "currency": gesture.amount.currency.code,
            "state": gesture.state.rawValue, "needs_approval": gesture.needsApproval,
            "approved_by": gesture.approvedBy ?? NSNull(),
          ]
        }
        print(jsonText(objects))
        return
      }
      guard !rows.isEmpty else {
        print("No gesture \(wanted.map { "is \($0.rawValue)" } ?? "awaits the customer or an approval").")
        return
      }
      var table = TextTable(
        headers: ["CASE", "#", "KIND", "AMOUNT", "STATE", "APPROVAL"], rightAligned: [0, 1, 3])
      for (item, gesture) in rows {
        let approval =
          gesture.approvedBy.map { "approved by \($0)" } ?? (gesture.needsApproval ? "needed" : "not needed")
        table.rows.append([
          String(item.id), String(gesture.id), gesture.kind.rawValue, gesture.amount.description,
          gesture.state.rawValue, approval,
        ])
      }
      print(table.render())
    }
  }
}

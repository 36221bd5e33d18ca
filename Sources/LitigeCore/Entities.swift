import Foundation

/// A customer of the company: a company or a person.
///
/// `name`, `email` and `phone` are personal data.
public struct Customer: Hashable, Sendable, Codable {
  /// The company's identifier for the customer (`C0042`).
  public var id: String
  /// Full name or company name (personal data).
  public var name: String
  /// Company or person.
  public var kind: CustomerKind
  /// Free segment label (`retail`, `industry`, `public`).
  public var segment: String
  /// Email address (personal data), if known.
  public var email: String?
  /// Phone number (personal data), if known.
  public var phone: String?
  /// Preferred language, ISO 639-1 (`fr`, `en`).
  public var language: String
  /// Whether the customer is marked as a VIP.
  public var vip: Bool
  /// Customer since this date.
  public var since: LocalDate?
  /// The postal address letters go to, lines separated by newlines (personal data).
  public var address: String?

  /// Creates a customer record.
  public init(
    id: String, name: String, kind: CustomerKind, segment: String = "", email: String? = nil,
    phone: String? = nil, language: String = "fr", vip: Bool = false, since: LocalDate? = nil,
    address: String? = nil
  ) {
    self.id = id
    self.name = name
    self.kind = kind
    self.segment = segment
    self.email = email
    self.phone = phone
    self.language = language
    self.vip = vip
    self.since = since
    self.address = address
  }
}

/// An invoice, the receivable a dispute may freeze.
public struct Invoice: Hashable, Sendable, Codable {
  /// The invoice number (`F-2026-00042`).
  public var number: String
  /// The customer billed.
  public var customerId: String
  /// Date of issue.
  public var issuedOn: LocalDate
  /// Payment due date; moved to a new date when a dispute is resolved.
  public var dueOn: LocalDate
  /// Total including tax.
  public var total: Money
  /// Amount paid so far.
  public var paid: Money
  /// Whether collection and dunning are suspended (the invoice is linked to an open case).
  public var collectionSuspended: Bool

  /// Creates an invoice record; `paid` must be in the invoice's currency.
  public init(
    number: String, customerId: String, issuedOn: LocalDate, dueOn: LocalDate, total: Money, paid: Money,
    collectionSuspended: Bool = false
  ) {
    self.number = number
    self.customerId = customerId
    self.issuedOn = issuedOn
    self.dueOn = dueOn
    self.total = total
    self.paid = paid
    self.collectionSuspended = collectionSuspended
  }

  /// What remains to be paid.
  public var outstanding: Money { total - paid }
}

/// One exchange with the customer or about the case.
///
/// `summary` and `author` are personal data.
public struct Communication: Hashable, Sendable, Codable {
  /// The case it belongs to.
  public var caseId: Int64
  /// When it happened (UTC).
  public var at: Date
  /// From the customer (`in`) or to the customer (`out`).
  public var direction: Direction
  /// How it travelled.
  public var channel: Channel
  /// Who wrote or took it (personal data).
  public var author: String
  /// What it said, in short (personal data).
  public var summary: String

  /// Creates a communication record.
  public init(
    caseId: Int64, at: Date, direction: Direction, channel: Channel, author: String, summary: String
  ) {
    self.caseId = caseId
    self.at = at
    self.direction = direction
    self.channel = channel
    self.author = author
    self.summary = summary
  }
}

/// Where a gesture stands: proposed to the customer, accepted or refused by them, granted.
///
/// A gesture is granted only once the customer accepted it and, when it needs one, a named approver
/// whose limit covers it approved it (domain.md §4: "approved within limits").
public enum GestureState: String, Vocabulary {
  /// Offered to the customer, awaiting their answer.
  case proposed
  /// Accepted by the customer, awaiting an approval.
  case accepted
  /// Accepted (and approved when needed): it changes what the customer owes.
  case granted
  /// Refused by the customer.
  case refused
  /// Withdrawn by the company before it was granted (or when the case closed with it pending).
  case withdrawn
  /// The field name in messages.
  public static let fieldName = "state"
}

/// A commercial gesture proposed on a case, and where it stands.
public struct Gesture: Hashable, Sendable, Codable {
  /// Its number within the case, from 1, as commands and scripts name it.
  public var id: Int
  /// Discount, credit note, refund, replacement or voucher.
  public var kind: GestureKind
  /// Its value.
  public var amount: Money
  /// Proposed, accepted, granted or refused.
  public var state: GestureState
  /// The approver who approved it, if anyone did.
  public var approvedBy: String?
  /// Whether it needs an approval: above its kind's cap, or taking the case's gestures beyond what
  /// the case disputes (DESIGN.md, Core rules).
  public var needsApproval: Bool

  /// Creates a gesture record; by default a granted one (journals written before gestures had states).
  public init(
    id: Int = 0, kind: GestureKind, amount: Money, state: GestureState = .granted, approvedBy: String? = nil,
    needsApproval: Bool = false
  ) {
    self.id = id
    self.kind = kind
    self.amount = amount
    self.state = state
    self.approvedBy = approvedBy
    self.needsApproval = needsApproval
  }

  /// Whether it still counts: proposed, accepted or granted (not refused or withdrawn).
  public var isLive: Bool { state != .refused && state != .withdrawn }
  /// Whether it is still open: proposed, or accepted and not yet granted.
  public var isPending: Bool { state == .proposed || state == .accepted }
  /// Whether it awaits an approval before it can be granted.
  public var awaitsApproval: Bool { needsApproval && approvedBy == nil && isPending }
}

/// A dispute case and its current state, as derived from its journal.
public struct DisputeCase: Hashable, Sendable, Codable {
  /// The case number.
  public var id: Int64
  /// The customer in dispute.
  public var customerId: String
  /// When the case was opened (UTC).
  public var openedAt: Date
  /// Where it came from.
  public var channel: Channel
  /// What it is about, once known.
  public var category: DisputeCategory?
  /// The customer's words when opening (personal data).
  public var reason: String
  /// Where it stands.
  public var status: CaseStatus
  /// 1 (most urgent) to 5 (least); 3 until triaged.
  public var priority: Int
  /// The department working it, once assigned.
  public var owner: Department?
  /// The step reached on the escalation ladder.
  public var escalation: EscalationLevel
  /// The amount the customer disputes.
  public var disputed: Money
  /// The invoices it disputes, by number.
  public var invoiceNumbers: [String]
  /// How much of each invoice it disputes, by invoice number.
  ///
  /// domain.md §4: only the disputed part of an invoice is frozen. Their sum is `disputed`.
  public var portions: [String: Money]
  /// Free labels (`vip`, `public_complaint`), sorted, each once.
  public var tags: [String]
  /// When it must be resolved by, if set.
  public var deadline: Date?
  /// Gestures proposed so far, in the order proposed, whatever their state.
  public var gestures: [Gesture]
  /// When it was last resolved (UTC), while it is resolved or closed.
  public var resolvedAt: Date?
  /// How it ended, once resolved.
  public var outcome: ResolutionOutcome?
  /// The company's own identifier of the case (`L000123`), when it came from an import.
  public var reference: String?

  /// Creates a case as opened: status `open`, priority 3, amicable.
  public init(
    id: Int64, customerId: String, openedAt: Date, channel: Channel, category: DisputeCategory? = nil,
    reason: String, disputed: Money, invoiceNumbers: [String] = [], status: CaseStatus = .open
  ) {
    self.id = id
    self.customerId = customerId
    self.openedAt = openedAt
    self.channel = channel
    self.category = category
    self.reason = reason
    self.status = status
    self.priority = 3
    self.owner = category?.defaultOwner
    self.escalation = .amicable
    self.disputed = disputed
    self.invoiceNumbers = invoiceNumbers
    self.portions = [:]
    self.resolvedAt = nil
    self.tags = []
    self.deadline = nil
    self.gestures = []
    self.outcome = nil
  }

  /// The total of the gestures granted so far.
  public var gesturesTotal: Money {
    gestures.filter { $0.state == .granted }.reduce(.zero(disputed.currency)) { $0 + $1.amount }
  }

  /// The gesture numbered `id`, if any.
  public func gesture(id: Int) -> Gesture? { gestures.first { $0.id == id } }
}

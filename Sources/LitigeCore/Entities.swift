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

  /// Creates a customer record.
  public init(
    id: String, name: String, kind: CustomerKind, segment: String = "", email: String? = nil,
    phone: String? = nil, language: String = "fr", vip: Bool = false, since: LocalDate? = nil
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

/// A commercial gesture granted or proposed on a case.
public struct Gesture: Hashable, Sendable, Codable {
  /// Discount, credit note, refund, replacement or voucher.
  public var kind: GestureKind
  /// Its value.
  public var amount: Money
  /// Who approved it beyond the limits, if anyone did.
  public var approvedBy: String?

  /// Creates a gesture record.
  public init(kind: GestureKind, amount: Money, approvedBy: String? = nil) {
    self.kind = kind
    self.amount = amount
    self.approvedBy = approvedBy
  }
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
  /// The invoices it freezes.
  public var invoiceNumbers: [String]
  /// Free labels (`vip`, `public_complaint`), sorted, each once.
  public var tags: [String]
  /// When it must be resolved by, if set.
  public var deadline: Date?
  /// Gestures granted so far.
  public var gestures: [Gesture]
  /// How it ended, once resolved.
  public var outcome: ResolutionOutcome?

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
    self.tags = []
    self.deadline = nil
    self.gestures = []
    self.outcome = nil
  }

  /// The total of gestures granted so far.
  public var gesturesTotal: Money { gestures.reduce(.zero(disputed.currency)) { $0 + $1.amount } }
}

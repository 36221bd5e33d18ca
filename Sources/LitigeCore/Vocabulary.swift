/// A closed set of identifiers that scripts and files use (categories, owners, statuses...).
public protocol Vocabulary: RawRepresentable, CaseIterable, Hashable, Sendable, Codable
where RawValue == String {
  /// What the field holding such a value is called in messages.
  static var fieldName: String { get }
}

extension Vocabulary {
  /// Parses an identifier; throws `DomainError.invalid` listing the allowed ones.
  public static func parse(_ text: String, field: String? = nil) throws -> Self {
    if let value = Self(rawValue: text) { return value }
    let allowed = allCases.map(\.rawValue).joined(separator: ", ")
    throw DomainError.invalid(
      field: field ?? fieldName, "unknown value \(RefusedValue.word(text)) (expected one of: \(allowed))")
  }
}

/// What a dispute is about (domain.md §2).
public enum DisputeCategory: String, Vocabulary {
  case price, doubleBilling = "double_billing", quality, missingOrDefective = "missing_or_defective"
  case delivery, dates, administrative
  /// The field name in messages.
  public static let fieldName = "category"

  /// The department that owns such cases by default.
  public var defaultOwner: Department {
    switch self {
    // domain.md §2; the triage plugin's routing table starts from the same one, so that a category
    // given on the command line or found in the customer's words gets the same owner.
    case .price: return .sales
    case .doubleBilling: return .accounting
    case .quality: return .quality
    case .missingOrDefective, .delivery: return .logistics
    case .dates: return .operations
    case .administrative: return .administration
    }
  }
}

/// The departments that own cases.
public enum Department: String, Vocabulary {
  case sales, accounting, quality, logistics, operations, administration, legal
  /// The field name in messages.
  public static let fieldName = "owner"
}

/// Where a case stands in its life (domain.md §3).
public enum CaseStatus: String, Vocabulary {
  case open, acknowledged, investigating, awaitingCustomer = "awaiting_customer", proposed, resolved, closed
  /// The field name in messages.
  public static let fieldName = "status"
  /// Whether the case is still being worked (not resolved or closed).
  public var isActive: Bool { self != .resolved && self != .closed }
}

/// The escalation ladder, in order.
public enum EscalationLevel: String, Vocabulary, Comparable {
  case amicable, mediation, formalNotice = "formal_notice", court
  /// The field name in messages.
  public static let fieldName = "escalation"
  /// Orders levels along the ladder.
  public static func < (left: Self, right: Self) -> Bool { left.rank < right.rank }
  /// The position on the ladder, from 0 (amicable) to 3 (court).
  public var rank: Int {
    switch self {
    case .amicable: return 0
    case .mediation: return 1
    case .formalNotice: return 2
    case .court: return 3
    }
  }
}

/// Commercial gestures (geste commercial).
public enum GestureKind: String, Vocabulary {
  case discount, creditNote = "credit_note", refund, replacement, voucher
  /// The field name in messages.
  public static let fieldName = "kind"
}

/// How a communication travelled.
public enum Channel: String, Vocabulary {
  case email, phone, letter, registeredLetter = "registered_letter", web, meeting, social
  /// The field name in messages.
  public static let fieldName = "channel"
}

/// Whether a communication came from the customer or went to them.
public enum Direction: String, Vocabulary {
  case incoming = "in", outgoing = "out"
  /// The field name in messages.
  public static let fieldName = "direction"
}

/// Whether a customer is a company or a person (it decides the court and the penalties).
public enum CustomerKind: String, Vocabulary {
  case company, person
  /// The field name in messages.
  public static let fieldName = "kind"
}

/// How a case ended.
public enum ResolutionOutcome: String, Vocabulary {
  case accepted, partiallyAccepted = "partially_accepted", rejected, withdrawn, judgment
  /// The field name in messages.
  public static let fieldName = "outcome"
}

/// A rule of the domain was broken or a value was malformed; the message says which and why.
///
/// Messages name fields and identifiers (case 12, invoice F-2024-001) but never customer names,
/// emails or message bodies.
public enum DomainError: Error, Sendable, Equatable, CustomStringConvertible {
  /// A value is malformed: `field` names it, the text says what was expected.
  case invalid(field: String, String)
  /// A decision breaks a rule of the core.
  case refused(String)
  /// Something named does not exist.
  case notFound(String)

  /// The message shown to users.
  public var description: String {
    switch self {
    case .invalid(let field, let message): return "\(field): \(message)"
    case .refused(let message): return message
    case .notFound(let message): return message
    }
  }
}

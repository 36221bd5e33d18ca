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

/// How a message shows a value it refuses (DomainError: no customer names, e-mails or message bodies).
///
/// A value is quoted when it has the shape of what was expected, mistyped (a date `2026-13-45`, a
/// code `formal_notise`): the one who typed it finds it. Any other text is only counted: a script
/// passing `case.customer.name` or a message's summary where a date was expected must not put it in
/// the night's report, its logs or a terminal.
public enum RefusedValue {
  /// The most characters quoted: past them, the start and the length (a 100,000-character string
  /// would fill every report it is kept in).
  public static let quotedLength = 40

  /// `text` quoted (`'2026-13-45'`) when `hasExpectedShape` accepts it, else counted.
  public static func shown(_ text: String, hasExpectedShape: (String) -> Bool) -> String {
    guard hasExpectedShape(text) else {
      return "a text of \(text.count) characters (not shown: it may be personal data)"
    }
    return text.count <= quotedLength
      ? "'\(text)'" : "'\(text.prefix(quotedLength))…' (\(text.count) characters)"
  }

  /// `text` quoted when it is written like a date or a time, else counted.
  public static func date(_ text: String) -> String { shown(text, hasExpectedShape: looksLikeDate) }

  /// `text` quoted when it is one word, as codes, tags, templates, invoice numbers and the company's
  /// people are written (`formal_notise`, `qualité`, `F-2026-00042`, `Léa`), else counted (`Manon
  /// Michel`, an e-mail, a phone number).
  public static func word(_ text: String) -> String { shown(text, hasExpectedShape: looksLikeWord) }

  /// Whether `text` is written like a date, possibly mistyped.
  ///
  /// A day as three groups of digits (`2026-13-45`, `31/12/2026`, `2026.02.30`), then, after `T` or
  /// a space, only digits and the signs of a time and its offset. A phone number (`+33 6 12 34 56
  /// 78`, `06.12.34.56.78`) has no such shape.
  public static func looksLikeDate(_ text: String) -> Bool {
    let scalars = Array(text.unicodeScalars)
    let cut = scalars.firstIndex { $0 == "T" || $0 == " " } ?? scalars.endIndex
    let day = scalars[..<cut].split(omittingEmptySubsequences: false) { "-/.".unicodeScalars.contains($0) }
    // Year first (2026-02-30) or last (30/02/2026): not a phone number's groups (555-123-4567).
    let widths = day.map(\.count)
    guard day.count == 3, day.allSatisfy({ $0.allSatisfy { ("0"..."9").contains($0) } }),
      (widths[0] == 4 && (1...2).contains(widths[1]) && (1...2).contains(widths[2]))
        || ((1...2).contains(widths[0]) && (1...2).contains(widths[1]) && widths[2] == 4)
    else { return false }
    return scalars[cut...].dropFirst().allSatisfy { "0123456789:.+-Z".unicodeScalars.contains($0) }
  }

  /// Letters of any alphabet, digits, `_`, `-`, `.`, `:` and `/` only, with a letter: one word, not a
  /// name with a space, an e-mail (`@`) or a phone number (no letter).
  public static func looksLikeWord(_ text: String) -> Bool {
    text.unicodeScalars.contains { $0.properties.isAlphabetic }
      && text.unicodeScalars.allSatisfy {
        $0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-.:/".unicodeScalars.contains($0)
      }
  }
}

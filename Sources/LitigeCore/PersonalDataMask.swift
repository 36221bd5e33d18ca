import Foundation

/// Hides a case's known personal data in a text a plugin wrote, before it is printed, logged or
/// stored in a night's report.
///
/// Litige never quotes personal data in its own messages (`RefusedValue`), but a plugin's error or
/// log line is free text: `error("no e-mail for " .. case.customer.name)` would put a customer's name
/// in the night's summary, its report file and `runs.report`. Every occurrence of one of the case's
/// personal values is replaced by a label in angle quotes (`‹customer name›`); the rest of the text,
/// which an integrator needs to find the bug (file, line, what failed), is kept.
///
/// What counts as personal is the list of `ImportRows.personalColumns` and the README's promise:
/// the customer's name, e-mail, phone and address, the case's reason (the customer's own words), and
/// each message's author and text. A value is matched as written and, from four characters on, in
/// capitals or small letters (`string.upper(name)`); shorter values are matched only as written, and
/// a single character not at all (it would mask half the message). A value a script transformed
/// otherwise (cut, reversed, spaced) cannot be recognised: users who need the text exactly as raised
/// ask for it with `--verbose`.
public struct PersonalDataMask: Sendable {
  /// The values to hide, longest first (so that a name inside an e-mail address is not cut apart),
  /// each with its label.
  private var values: [(text: String, label: String)] = []

  /// A mask hiding nothing.
  public init() {}

  /// A mask for the personal data of one case: its `customer` (if known), its `reason` and its
  /// `communications`.
  public init(customer: Customer?, reason: String?, communications: [Communication]) {
    var found: [(String, String)] = []
    if let customer {
      found.append((customer.name, "customer name"))
      if let email = customer.email { found.append((email, "customer e-mail")) }
      if let phone = customer.phone { found.append((phone, "customer phone")) }
      if let address = customer.address { found.append((address, "customer address")) }
    }
    if let reason { found.append((reason, "case reason")) }
    for message in communications {
      found.append((message.author, "message author"))
      found.append((message.summary, "message text"))
    }
    var seen: Set<String> = []
    for (value, label) in found {
      let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
      guard trimmed.count >= 2 else { continue }
      var forms = [trimmed]
      if trimmed.count >= 4 { forms += [trimmed.uppercased(), trimmed.lowercased()] }
      for form in forms where seen.insert(form).inserted {
        values.append((form, "‹\(label)›"))
      }
    }
    values.sort { $0.text.utf8.count > $1.text.utf8.count }
  }

  /// Whether the mask hides anything.
  public var isEmpty: Bool { values.isEmpty }

  /// `text` with every occurrence of a personal value replaced by its label.
  ///
  /// Each part of `text` is replaced at most once: a label is never searched again, so a customer
  /// called "name" does not turn `‹customer name›` into nested labels.
  public func masking(_ text: String) -> String {
    guard !values.isEmpty, !text.isEmpty else { return text }
    // Pieces of the text still to search, and labels already put in place (never searched again).
    var pieces: [(text: String, isLabel: Bool)] = [(text, false)]
    for (value, label) in values {
      var next: [(text: String, isLabel: Bool)] = []
      for piece in pieces {
        guard !piece.isLabel, piece.text.contains(value) else {
          next.append(piece)
          continue
        }
        let parts = piece.text.components(separatedBy: value)
        for (offset, part) in parts.enumerated() {
          if offset > 0 { next.append((label, true)) }
          if !part.isEmpty { next.append((part, false)) }
        }
      }
      pieces = next
    }
    return pieces.map(\.text).joined()
  }
}

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
/// each message's author and text. Texts and values are compared in Unicode's composed form (an
/// accent typed as a combining mark is the same letter). A value of four characters or more is
/// matched whatever the case of each letter (Lua's `string.upper` changes only ASCII letters:
/// `LYCéE` is still `Lycée`) and wherever it is, glued to other letters too (`"x" .. name`); a shorter
/// one only as written and as a word of its own where it begins or ends with a letter or digit (`Li`
/// is not masked in `List`); a single character not at all (it would mask half the message). A value
/// a script transformed otherwise (cut, reversed, spaced) cannot be recognised: users who need the
/// text exactly as raised ask for it with `--verbose`.
public struct PersonalDataMask: Sendable {
  /// One value to hide: its scalars as matched (small letters when `folded`), and its label.
  private struct Value: Sendable {
    var scalars: [UInt32]
    var folded: Bool
    var label: String
  }
  /// The values by their first two matched scalars, longest first within each.
  private var values: [UInt64: [Value]] = [:]
  /// Every value held, as `folded` flag and scalars (not to hold one twice).
  private var held: Set<[UInt32]> = []

  /// A mask hiding nothing.
  public init() {}

  /// A mask for the personal data of one or more cases: their `customers`, `reasons` and
  /// `communications`.
  public init(customers: [Customer], reasons: [String], communications: [Communication]) {
    add(customers: customers, reasons: reasons, communications: communications)
  }

  /// A mask for the personal data of one case: its `customer` (if known), its `reason` and its
  /// `communications`.
  public init(customer: Customer?, reason: String?, communications: [Communication]) {
    self.init(
      customers: customer.map { [$0] } ?? [], reasons: reason.map { [$0] } ?? [],
      communications: communications)
  }

  /// Adds the personal data of more `customers`, `reasons` and `communications` to hide.
  public mutating func add(customers: [Customer], reasons: [String], communications: [Communication]) {
    var found: [(String, String)] = []
    for customer in customers {
      found.append((customer.name, "customer name"))
      if let email = customer.email { found.append((email, "customer e-mail")) }
      if let phone = customer.phone { found.append((phone, "customer phone")) }
      if let address = customer.address { found.append((address, "customer address")) }
    }
    for reason in reasons { found.append((reason, "case reason")) }
    for message in communications {
      found.append((message.author, "message author"))
      found.append((message.summary, "message text"))
    }
    var touched: Set<UInt64> = []
    for (text, label) in found {
      let scalars = Self.composed(text.trimmingCharacters(in: .whitespacesAndNewlines)).unicodeScalars.map(
        \.value)
      guard scalars.count >= 2 else { continue }
      let folded = scalars.count >= 4
      let matched = folded ? scalars.map(Self.fold) : scalars
      guard held.insert([folded ? 1 : 0] + matched).inserted else { continue }
      let key = Self.key(matched[0], matched[1])
      values[key, default: []].append(Value(scalars: matched, folded: folded, label: "‹\(label)›"))
      touched.insert(key)
    }
    // Longest first: the first that matches at a place is the longest there.
    for key in touched { values[key]?.sort { $0.scalars.count > $1.scalars.count } }
  }

  /// Whether the mask hides anything.
  public var isEmpty: Bool { values.isEmpty }

  /// `text` with every occurrence of a personal value replaced by its label.
  ///
  /// The text is read once from its start; at each place the longest value found there wins, and
  /// what it covered is not searched again (a customer called "name" does not turn
  /// `‹customer name›` into nested labels). With `limit`, reading stops once the result holds that
  /// many scalars: a caller that keeps only the start of a long text masks what it keeps (a value
  /// that begins there is masked whole) without paying for the rest, which is left out.
  public func masking(_ text: String, limit: Int? = nil) -> String {
    guard !values.isEmpty, !text.isEmpty else { return text }
    let scalars = Array(Self.composed(text).unicodeScalars)
    var result = String.UnicodeScalarView()
    var index = 0
    var written = 0
    var changed = false
    while index < scalars.count {
      if let limit, written >= limit {
        changed = true
        break
      }
      if index + 1 < scalars.count, let match = longestMatch(in: scalars, at: index) {
        result.append(contentsOf: match.label.unicodeScalars)
        written += match.label.unicodeScalars.count
        index += match.scalars.count
        changed = true
        continue
      }
      result.append(scalars[index])
      written += 1
      index += 1
    }
    return changed ? String(result) : text
  }

  /// The longest value found at `index` of `scalars`, if any.
  private func longestMatch(in scalars: [Unicode.Scalar], at index: Int) -> Value? {
    let (first, second) = (scalars[index].value, scalars[index + 1].value)
    let (foldedFirst, foldedSecond) = (Self.fold(first), Self.fold(second))
    var best: Value?
    for key in Set([Self.key(foldedFirst, foldedSecond), Self.key(first, second)]) {
      guard let bucket = values[key] else { continue }
      for value in bucket where value.scalars.count > best?.scalars.count ?? 0 {
        if matches(value, in: scalars, at: index) {
          best = value
          break  // the bucket is longest first
        }
      }
    }
    return best
  }

  /// Whether `value` is in `scalars` at `index` (a short value as a word of its own where it begins
  /// or ends with a letter or a digit).
  private func matches(_ value: Value, in scalars: [Unicode.Scalar], at index: Int) -> Bool {
    let end = index + value.scalars.count
    guard end <= scalars.count else { return false }
    for offset in value.scalars.indices {
      let scalar = scalars[index + offset].value
      guard (value.folded ? Self.fold(scalar) : scalar) == value.scalars[offset] else { return false }
    }
    guard !value.folded else { return true }  // four characters or more: anywhere
    if Self.isWordScalar(scalars[index]), index > 0, Self.isWordScalar(scalars[index - 1]) { return false }
    if Self.isWordScalar(scalars[end - 1]), end < scalars.count, Self.isWordScalar(scalars[end]) {
      return false
    }
    return true
  }

  private static func key(_ first: UInt32, _ second: UInt32) -> UInt64 {
    UInt64(first) << 32 | UInt64(second)
  }

  /// The small letter of `scalar` when it has a one-scalar small letter (ASCII at once).
  private static func fold(_ scalar: UInt32) -> UInt32 {
    if scalar < 0x80 { return (0x41...0x5A).contains(scalar) ? scalar + 0x20 : scalar }
    guard let unicode = Unicode.Scalar(scalar) else { return scalar }
    let lower = unicode.properties.lowercaseMapping.unicodeScalars
    return lower.count == 1 ? lower.first?.value ?? scalar : scalar
  }

  private static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
    scalar.properties.isAlphabetic || scalar.properties.numericType != nil
  }

  /// `text` in Unicode's composed form (NFC); ASCII text as it is.
  private static func composed(_ text: String) -> String {
    text.utf8.allSatisfy { $0 < 0x80 } ? text : text.precomposedStringWithCanonicalMapping
  }
}

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
/// each message's author and text. A value of four characters or more is matched whatever the case
/// of its letters (Lua's `string.upper` changes only ASCII letters: `LYCéE` is still `Lycée`); a
/// shorter one only as written, and a single character not at all (it would mask half the message).
/// A short value (two or three characters) must stand as a word of its own where it begins or ends
/// with a letter or digit (`Li` is not masked in `List`); a longer one is masked wherever it is, glued
/// to other letters too (`"x" .. name` must not get it through). A value a script transformed otherwise (cut, reversed, spaced)
/// cannot be recognised: users who need the text exactly as raised ask for it with `--verbose`.
public struct PersonalDataMask: Sendable {
  /// One value to hide: its characters as matched (small letters when `folded`), and its label.
  private struct Value: Sendable {
    var characters: [String]
    var folded: Bool
    var label: String
  }
  /// The values by their first two matched characters, longest first within each.
  private var values: [String: [Value]] = [:]

  /// A mask hiding nothing.
  public init() {}

  /// A mask for the personal data of one or more cases: their `customers`, `reasons` and
  /// `communications`.
  public init(customers: [Customer], reasons: [String], communications: [Communication]) {
    add(customers: customers, reasons: reasons, communications: communications)
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
    for (text, label) in found {
      let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
      guard trimmed.count >= 2 else { continue }
      let folded = trimmed.count >= 4
      let characters = trimmed.map { folded ? Self.fold($0) : String($0) }
      let key = characters[0] + characters[1]
      guard !(values[key] ?? []).contains(where: { $0.folded == folded && $0.characters == characters })
      else {
        continue
      }
      // Kept longest first: the first that matches at a place is the longest there.
      var bucket = values[key] ?? []
      let position = bucket.firstIndex { $0.characters.count < characters.count } ?? bucket.count
      bucket.insert(Value(characters: characters, folded: folded, label: "‹\(label)›"), at: position)
      values[key] = bucket
    }
  }

  /// A mask for the personal data of one case: its `customer` (if known), its `reason` and its
  /// `communications`.
  public init(customer: Customer?, reason: String?, communications: [Communication]) {
    self.init(
      customers: customer.map { [$0] } ?? [], reasons: reason.map { [$0] } ?? [],
      communications: communications)
  }

  /// Whether the mask hides anything.
  ///
  /// (Values are kept by their first two characters; `masking` tries the longest first.)
  public var isEmpty: Bool { values.isEmpty }

  /// `text` with every occurrence of a personal value replaced by its label.
  ///
  /// The text is read once from its start; at each place the longest value found there wins, and
  /// what it covered is not searched again (a customer called "name" does not turn
  /// `‹customer name›` into nested labels). Cost: one dictionary lookup per character, plus a
  /// comparison per value sharing the place's first two characters.
  public func masking(_ text: String) -> String {
    guard !values.isEmpty, !text.isEmpty else { return text }
    let original = Array(text)
    let folded = original.map(Self.fold)
    var result = ""
    var index = 0
    var kept = 0  // the first character not yet copied to `result`
    while index + 1 < original.count {
      let foldedKey = folded[index] + folded[index + 1]
      let originalKey = String(original[index]) + String(original[index + 1])
      let byFolded = values[foldedKey]
      let byOriginal = originalKey == foldedKey ? nil : values[originalKey]
      let found = [byFolded, byOriginal].compactMap { bucket in
        bucket?.first { matches($0, at: index, original: original, folded: folded) }
      }
      guard let match = found.max(by: { $0.characters.count < $1.characters.count }) else {
        index += 1
        continue
      }
      result += String(original[kept..<index]) + match.label
      index += match.characters.count
      kept = index
    }
    return kept == 0 ? text : result + String(original[kept...])
  }

  /// Whether `value` is in the text at `index` (a short value as a word of its own where it begins or
  /// ends with a letter or a digit).
  private func matches(_ value: Value, at index: Int, original: [Character], folded: [String]) -> Bool {
    let end = index + value.characters.count
    guard end <= original.count else { return false }
    for offset in value.characters.indices {
      let character = value.folded ? folded[index + offset] : String(original[index + offset])
      guard character == value.characters[offset] else { return false }
    }
    guard !value.folded else { return true }  // four characters or more: anywhere
    if Self.isWordCharacter(original[index]), index > 0, Self.isWordCharacter(original[index - 1]) {
      return false
    }
    if Self.isWordCharacter(original[end - 1]), end < original.count, Self.isWordCharacter(original[end]) {
      return false
    }
    return true
  }

  private static func fold(_ character: Character) -> String { character.lowercased() }

  private static func isWordCharacter(_ character: Character) -> Bool {
    character.isLetter || character.isNumber
  }
}

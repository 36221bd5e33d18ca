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
/// a script transformed otherwise (cut, reversed, spaced) cannot be recognised, except the usual
/// other forms of a value: a person's first name or surname alone, a phone number's digits or French
/// national form, no-break spaces for spaces. Users who need the text exactly as raised ask for it
/// with `--verbose`.
public struct PersonalDataMask: Sendable {
  /// One value to hide: where its scalars are in `scalars` (small letters when `folded`), its label.
  ///
  /// Plain values: looking through thousands of them costs no reference counting.
  private struct Entry: Sendable {
    var start: Int
    var count: Int
    var folded: Bool
    var label: Int
  }
  /// The scalars of every value, back to back.
  private var scalars: [UInt32] = []
  private var entries: [Entry] = []
  private var labels: [String] = []
  /// Values of four characters or more by their first two small letters, each list sorted as text
  /// (the longest value that begins a text is then found by binary search: `longestFolded`).
  private var foldedValues: [UInt64: [Int]] = [:]
  /// Values of two or three characters by their first two, as written; longest first.
  private var shortValues: [UInt64: [Int]] = [:]
  /// Words of a person's name by their first two small letters, longest first: matched as a word of
  /// their own beginning with a capital (`Léa`, `LÉA`, not `léa` nor `Léandre`; see `matchesWord`).
  private var nameWords: [UInt64: [Int]] = [:]
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
    var words: [(String, String)] = []
    for customer in customers {
      found.append((customer.name, "customer name"))
      // A person is named by their surname or first name alone too ("Dear Martin"); a company's
      // words ("Transports", "Services") are no one's name and would hide half a message.
      if customer.kind == .person {
        words += Self.nameWords(of: customer.name).map { ($0, "customer name") }
      }
      if let email = customer.email { found.append((email, "customer e-mail")) }
      if let phone = customer.phone {
        found.append((phone, "customer phone"))
        for variant in Self.phoneVariants(phone) { found.append((variant, "customer phone")) }
      }
      if let address = customer.address { found.append((address, "customer address")) }
    }
    for reason in reasons { found.append((reason, "case reason")) }
    for message in communications {
      found.append((message.author, "message author"))
      words += Self.nameWords(of: message.author).map { ($0, "message author") }
      found.append((message.summary, "message text"))
    }
    var wordKeys: Set<UInt64> = []
    for (word, label) in words {
      let value = Self.composed(word).unicodeScalars.map { Self.fold($0.value) }
      guard value.count >= 2, held.insert([2] + value).inserted else { continue }
      let key = Self.key(value[0], value[1])
      entries.append(Entry(start: scalars.count, count: value.count, folded: true, label: labelIndex(label)))
      scalars += value
      nameWords[key, default: []].append(entries.count - 1)
      wordKeys.insert(key)
    }
    // Sorted once (5,000 message authors sorted at each word took seconds).
    for key in wordKeys { nameWords[key]?.sort { entries[$0].count > entries[$1].count } }
    var touched: Set<UInt64> = []
    var shortKeys: Set<UInt64> = []
    for (text, label) in found {
      let value = Self.composed(text.trimmingCharacters(in: .whitespacesAndNewlines)).unicodeScalars.map(
        \.value)
      guard value.count >= 2 else { continue }
      let folded = value.count >= 4
      let matched = folded ? value.map(Self.fold) : value
      guard held.insert([folded ? 1 : 0] + matched).inserted else { continue }
      entries.append(
        Entry(start: scalars.count, count: matched.count, folded: folded, label: labelIndex(label)))
      scalars += matched
      let key = Self.key(matched[0], matched[1])
      if folded {
        foldedValues[key, default: []].append(entries.count - 1)
        touched.insert(key)
      } else {
        shortValues[key, default: []].append(entries.count - 1)
        shortKeys.insert(key)
      }
    }
    for key in touched {
      foldedValues[key]?.sort { Self.order(entries[$0], before: entries[$1], in: scalars) }
    }
    for key in shortKeys { shortValues[key]?.sort { entries[$0].count > entries[$1].count } }
  }

  /// The index of `label` in `labels`, added if new.
  private mutating func labelIndex(_ label: String) -> Int {
    if let index = labels.firstIndex(of: "‹\(label)›") { return index }
    labels.append("‹\(label)›")
    return labels.count - 1
  }

  /// The words a person's `name` may be quoted by alone.
  ///
  /// The name is split at spaces, hyphens and apostrophes (`Dupré-Ñúñez` gives `Dupré`, `Ñúñez` and
  /// itself; `O'Brien` gives `Brien`); words of two letters or more are kept, titles (`Mme`) are not.
  /// A one-letter word (`O`, an initial, a CJK given name) would hide too much.
  static func nameWords(of name: String) -> [String] {
    let separators: Set<Character> = ["-", "'", "\u{2019}", "\u{2010}", "\u{2011}"]
    var words: [String] = []
    for spaced in name.split(whereSeparator: \.isWhitespace) {
      words.append(String(spaced))
      let parts = spaced.split(whereSeparator: separators.contains)
      if parts.count > 1 { words += parts.map(String.init) }
    }
    // Titles are no one's name ("Mme Lefèvre" is quoted as "Lefèvre", but "Mme" is in every letter).
    let titles: Set<String> = ["mme", "mlle", "mr", "mrs", "ms", "dr", "me", "pr", "sir"]
    return words.filter {
      $0.unicodeScalars.count >= 2 && $0.unicodeScalars.count < name.unicodeScalars.count
        && !titles.contains($0.lowercased().trimmingCharacters(in: .punctuationCharacters))
    }
  }

  /// Whether the mask hides anything.
  public var isEmpty: Bool { entries.isEmpty }

  /// `text` with every occurrence of a personal value replaced by its label.
  ///
  /// The text is read once from its start; at each place the longest value found there wins, and
  /// what it covered is not searched again (a customer called "name" does not turn
  /// `‹customer name›` into nested labels). With `limit`, reading stops once the result holds that
  /// many scalars: a caller that keeps only the start of a long text masks what it keeps (a value
  /// that begins there is masked whole) without paying for the rest, which is left out.
  public func masking(_ text: String, limit: Int? = nil) -> String {
    guard !entries.isEmpty, !text.isEmpty else { return text }
    let original = Array(Self.composed(text).unicodeScalars)
    let folded = original.map { Self.fold($0.value) }
    var result = String.UnicodeScalarView()
    var index = 0
    var written = 0
    var changed = false
    while index < original.count {
      if let limit, written >= limit {
        changed = true
        break
      }
      if index + 1 < original.count, let match = longestMatch(original: original, folded: folded, at: index) {
        result.append(contentsOf: labels[match.label].unicodeScalars)
        written += labels[match.label].unicodeScalars.count
        index += match.count
        changed = true
        continue
      }
      result.append(original[index])
      written += 1
      index += 1
    }
    return changed ? String(result) : text
  }

  /// The longest value found at `index` of the text, if any.
  private func longestMatch(original: [Unicode.Scalar], folded: [UInt32], at index: Int) -> Entry? {
    var best: Entry?
    if let bucket = foldedValues[Self.key(folded[index], folded[index + 1])] {
      best = longestFolded(in: bucket, text: folded, at: index)
    }
    if let bucket = nameWords[Self.key(folded[index], folded[index + 1])] {
      for entryIndex in bucket where entries[entryIndex].count > best?.count ?? 0 {
        if matchesWord(entries[entryIndex], original: original, folded: folded, at: index) {
          best = entries[entryIndex]
          break  // longest first
        }
      }
    }
    if let bucket = shortValues[Self.key(original[index].value, original[index + 1].value)] {
      for entryIndex in bucket where entries[entryIndex].count > best?.count ?? 0 {
        if matchesShort(entries[entryIndex], in: original, at: index) {
          best = entries[entryIndex]
          break  // longest first
        }
      }
    }
    return best
  }

  /// The longest value of `bucket` (sorted as text) that begins `text` at `index`.
  ///
  /// The largest value not after the text is found by binary search; if it is not a prefix of the
  /// text, any value that is must be a prefix of their common start, so the search is made again on
  /// that shorter start, which shrinks each time.
  private func longestFolded(in bucket: [Int], text: [UInt32], at index: Int) -> Entry? {
    var length = text.count - index
    while length >= 2 {
      var (low, high) = (0, bucket.count)
      while low < high {
        let middle = (low + high) / 2
        if compare(entries[bucket[middle]], text, index, length) <= 0 {
          low = middle + 1
        } else {
          high = middle
        }
      }
      guard low > 0 else { return nil }
      let candidate = entries[bucket[low - 1]]
      let common = commonPrefix(candidate, text, index, length)
      if common == candidate.count { return candidate }
      length = common
    }
    return nil
  }

  /// How `entry` compares with `text[index..<index + length]` as text: negative before, zero equal,
  /// positive after (a prefix comes before what it begins).
  private func compare(_ entry: Entry, _ text: [UInt32], _ index: Int, _ length: Int) -> Int {
    let shared = min(entry.count, length)
    for offset in 0..<shared {
      let (mine, theirs) = (scalars[entry.start + offset], text[index + offset])
      if mine != theirs { return mine < theirs ? -1 : 1 }
    }
    return entry.count - length
  }

  private func commonPrefix(_ entry: Entry, _ text: [UInt32], _ index: Int, _ length: Int) -> Int {
    var offset = 0
    while offset < min(entry.count, length), scalars[entry.start + offset] == text[index + offset] {
      offset += 1
    }
    return offset
  }

  private static func order(_ first: Entry, before second: Entry, in scalars: [UInt32]) -> Bool {
    let shared = min(first.count, second.count)
    for offset in 0..<shared where scalars[first.start + offset] != scalars[second.start + offset] {
      return scalars[first.start + offset] < scalars[second.start + offset]
    }
    return first.count < second.count
  }

  /// Whether short value `entry` is in the text at `index`, as written and as a word of its own where
  /// it begins or ends with a letter or a digit.
  private func matchesShort(_ entry: Entry, in text: [Unicode.Scalar], at index: Int) -> Bool {
    let end = index + entry.count
    guard end <= text.count else { return false }
    for offset in 0..<entry.count where text[index + offset].value != scalars[entry.start + offset] {
      return false
    }
    if Self.isWordScalar(text[index]), index > 0, Self.isWordScalar(text[index - 1]) { return false }
    if Self.isWordScalar(text[end - 1]), end < text.count, Self.isWordScalar(text[end]) { return false }
    return true
  }

  /// Whether name word `entry` is in the text at `index`: whatever the case of its letters but
  /// beginning with a capital (a name is written so; `Price` and `PRICE`, not the word `price`), and
  /// as a word of its own (`Jean`, not `Jeanne` nor `Petitjean`).
  private func matchesWord(_ entry: Entry, original: [Unicode.Scalar], folded: [UInt32], at index: Int)
    -> Bool
  {
    let end = index + entry.count
    guard end <= folded.count, original[index].properties.isUppercase else { return false }
    for offset in 0..<entry.count where folded[index + offset] != scalars[entry.start + offset] {
      return false
    }
    if index > 0, Self.isWordScalar(original[index - 1]) { return false }
    if end < original.count, Self.isWordScalar(original[end]) { return false }
    return true
  }

  private static func key(_ first: UInt32, _ second: UInt32) -> UInt64 {
    UInt64(first) << 32 | UInt64(second)
  }

  /// The ways a script may write `phone` other than as stored.
  ///
  /// Its digits alone (`33612345678`) and with a `+`; for a French number, stored in national
  /// (`06 12 34 56 78`) or international form (`+33 6 12 34 56 78`, `0033...`), every usual form of
  /// it: national bare and in pairs separated by spaces, dots or hyphens, international with `+33`,
  /// `0033` or `33`, bare, spaced or with `(0)`. Numbers of fewer than six digits give none (they
  /// would match amounts and ids).
  static func phoneVariants(_ phone: String) -> [String] {
    let digits = String(phone.unicodeScalars.filter { ("0"..."9").contains($0) })
    guard digits.count >= 6 else { return [] }
    var variants = [digits, "+" + digits]
    let international = phone.trimmingCharacters(in: .whitespaces).hasPrefix("+")
    // The national significant number: nine digits after the trunk 0, or after +33, 0033 or 33 and
    // an optional (0) (`+33 (0)6 12 34 56 78`).
    var significant = Substring(digits)
    if digits.hasPrefix("0033") {
      significant = significant.dropFirst(4)
    } else if digits.hasPrefix("33"), international || digits.count >= 11 {
      significant = significant.dropFirst(2)
    } else if !international, digits.hasPrefix("0") {
      significant = significant.dropFirst(1)
    } else {
      return variants
    }
    if significant.count == 10, significant.first == "0" { significant = significant.dropFirst() }
    guard significant.count == 9, significant.first != "0" else { return variants }
    let national = "0" + significant
    /// `6 12 34 56 78` with `separator` between the groups.
    func grouped(_ separator: String) -> String {
      var groups = [String(significant.prefix(1))]
      var rest = significant.dropFirst()
      while !rest.isEmpty {
        groups.append(String(rest.prefix(2)))
        rest = rest.dropFirst(2)
      }
      return groups.joined(separator: separator)
    }
    variants += [
      national, "+33" + significant, "0033" + significant, "33" + significant, "+33(0)" + significant,
      "+330" + significant,
    ]
    for separator in [" ", ".", "-"] {
      variants += [
        "0" + grouped(separator),
        "+33" + separator + grouped(separator), "0033" + separator + grouped(separator),
        "+33 " + grouped(separator), "+33 (0)" + grouped(separator), "+33(0)" + grouped(separator),
        "+33 (0) " + grouped(separator),
      ]
    }
    return variants
  }

  /// The small letter of `scalar` when it has a one-scalar small letter (ASCII at once); a no-break,
  /// narrow or figure space or a tab as a plain space (`Camille\u{A0}Martin` is the name).
  private static func fold(_ scalar: UInt32) -> UInt32 {
    switch scalar {
    case 0x09, 0xA0, 0x2007, 0x2009, 0x200A, 0x202F, 0x3000: return 0x20
    default: break
    }
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

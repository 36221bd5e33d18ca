import Foundation

/// The range checks every value a script or a file hands to the core passes first.
///
/// They run before any arithmetic, conversion or storage: dates in a plausible window, texts of
/// bounded length without NUL bytes or invalid UTF-8. A value outside them would trap a conversion or reach the store in a form it cannot
/// read back (a deadline in the year 292277026596), so it is refused with the field named.
public enum Plausible {
  /// The first day a date may be (1970-01-01, the Unix epoch: no dispute predates it).
  public static let firstDate = LocalDate.unchecked(year: 1970, month: 1, day: 1)
  /// The last day a date may be (2199-12-31: far beyond any limitation period or payment plan).
  public static let lastDate = LocalDate.unchecked(year: 2199, month: 12, day: 31)
  /// The first instant allowed, 1970-01-01T00:00:00Z.
  public static let firstInstant = Date(timeIntervalSince1970: 0)
  /// The first instant past the window, 2200-01-01T00:00:00Z.
  public static let endInstant = Date(timeIntervalSince1970: 7_258_118_400)
  /// The most days a script may add to or take from a date.
  public static let maxDayOffset = 80_000

  /// Checks that `date` lies in 1970-01-01...2199-12-31.
  ///
  /// Throws `DomainError.invalid` naming `field`.
  public static func check(_ date: LocalDate, field: String) throws {
    guard date >= firstDate, date <= lastDate else {
      throw DomainError.invalid(field: field, "\(date) is outside 1970-01-01...2199-12-31")
    }
  }

  /// Checks that `instant` lies in 1970...2199 (UTC).
  ///
  /// Throws `DomainError.invalid` naming `field`.
  public static func check(_ instant: Date, field: String) throws {
    guard instant >= firstInstant, instant < endInstant else {
      let seconds = instant.timeIntervalSince1970
      // Whole seconds as given; a number past Int64's range as it is (1e+300), not clamped.
      let shown = abs(seconds) < 9e18 ? String(Int64(seconds)) : "\(seconds)"
      throw DomainError.invalid(field: field, "the time \(shown) s is outside 1970...2199")
    }
  }

  /// Checks a number of days added to a date.
  ///
  /// Throws `DomainError.invalid` naming `field`.
  public static func check(dayOffset days: Int64, field: String) throws {
    guard (-Int64(maxDayOffset)...Int64(maxDayOffset)).contains(days) else {
      throw DomainError.invalid(field: field, "\(days) days is out of range (at most ±\(maxDayOffset))")
    }
  }

  /// Checks a text a person types and others read (a reason, a summary): not empty, and no control
  /// character but newlines and tabs (an escape sequence would repaint the terminal of whoever reads
  /// it); then `check(text:field:maxBytes:)`.
  public static func check(humanText text: String, field: String, maxBytes: Int) throws {
    guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
      throw DomainError.invalid(field: field, "is empty: say it in words")
    }
    if let control = text.unicodeScalars.first(where: {
      $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\t"
    }) {
      throw DomainError.invalid(
        field: field,
        "holds the control character U+\(String(format: "%04X", control.value)); only newlines and tabs are allowed"
      )
    }
    try check(text: text, field: field, maxBytes: maxBytes)
  }

  /// Checks a text: at most `maxBytes` bytes of UTF-8, no NUL byte, no U+FFFD.
  ///
  /// The bridge puts U+FFFD in place of bytes that are not UTF-8. Throws `DomainError.invalid`
  /// naming `field`.
  public static func check(text: String, field: String, maxBytes: Int) throws {
    let count = text.utf8.count
    guard count <= maxBytes else {
      throw DomainError.invalid(field: field, "is \(count) bytes long; at most \(maxBytes) are allowed")
    }
    guard !text.utf8.contains(0) else {
      throw DomainError.invalid(field: field, "contains a NUL byte")
    }
    guard !text.unicodeScalars.contains("\u{FFFD}") else {
      throw DomainError.invalid(field: field, "is not valid UTF-8 text")
    }
  }
}

/// Integer conversions that never trap.
extension Int64 {
  /// `value` rounded toward zero and clamped to Int64's range (NaN gives 0).
  public init(clamping value: Double) {
    if value.isNaN {
      self = 0
    } else if value >= 9.2e18 {
      self = .max
    } else if value <= -9.2e18 {
      self = .min
    } else {
      self = Int64(value)
    }
  }
}

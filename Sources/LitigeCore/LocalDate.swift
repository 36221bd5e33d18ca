import Foundation

/// A calendar date with no time and no zone (`2026-11-22`), as invoices and due dates are written.
public struct LocalDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
  /// The year, month (1-12) and day (1-31).
  public let year: Int, month: Int, day: Int

  private static let utc: Calendar = {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
    return calendar
  }()

  /// How many days month `month` (1-12) of `year` has, in the proleptic Gregorian calendar.
  public static func days(inMonth month: Int, of year: Int) -> Int {
    let isLeap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    return [31, isLeap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
  }

  /// A date from its parts; throws `DomainError.invalid` when it does not exist (`2026-02-30`).
  public init(year: Int, month: Int, day: Int, field: String = "date") throws {
    // The proleptic Gregorian calendar, checked by arithmetic (a Calendar lookup showed in profiles).
    guard (1...9_999).contains(year), (1...12).contains(month),
      (1...Self.days(inMonth: month, of: year)).contains(day)
    else {
      throw DomainError.invalid(field: field, "\(year)-\(month)-\(day) is not a date")
    }
    self.year = year
    self.month = month
    self.day = day
  }

  /// A date known to exist (a constant of the code), without the check.
  static func unchecked(year: Int, month: Int, day: Int) -> LocalDate {
    LocalDate(validYear: year, month: month, day: day)
  }

  private init(validYear year: Int, month: Int, day: Int) {
    self.year = year
    self.month = month
    self.day = day
  }

  /// Parses `YYYY-MM-DD`; throws `DomainError.invalid` naming `field`.
  public init(parsing text: String, field: String = "date") throws {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
      let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
    else {
      throw DomainError.invalid(field: field, "expected a date as YYYY-MM-DD, got \(RefusedValue.date(text))")
    }
    do {
      try self.init(year: year, month: month, day: day, field: field)
    } catch {
      // The text as written ('2026-02-30'), not its numbers (2026-2-30).
      throw DomainError.invalid(field: field, "'\(text)' is not a date")
    }
  }

  /// The date of `instant` in `timeZone`.
  public init(_ instant: Date, in timeZone: TimeZone) {
    // The zone's offset at that instant, then whole days: a Calendar lookup per date showed in
    // profiles of the night (penalties count day by day).
    let offset = Self.isUTC(timeZone) ? 0 : timeZone.secondsFromGMT(for: instant)
    let seconds = instant.timeIntervalSince1970.rounded(.down) + Double(offset)
    let days = Int((seconds / 86_400).rounded(.down))
    self = Self(daysSinceEpoch: days)
  }

  /// Midnight at the start of this date in `timeZone`.
  ///
  /// Where the zone skips midnight (a clock change at 00:00), the first instant of the day that exists.
  public func start(in timeZone: TimeZone) -> Date {
    let midnightUTC = Date(timeIntervalSince1970: Double(daysSinceEpoch) * 86_400)
    if Self.isUTC(timeZone) { return midnightUTC }
    var calendar = Self.utc
    calendar.timeZone = timeZone
    return calendar.date(from: DateComponents(year: year, month: month, day: day))
      ?? Date(timeIntervalSince1970: 0)
  }

  /// The date `days` later (earlier when negative).
  public func adding(days: Int) -> LocalDate {
    Self(daysSinceEpoch: daysSinceEpoch + days)
  }

  /// Whole days from this date to `other` (negative when `other` is earlier).
  public func days(until other: LocalDate) -> Int {
    other.daysSinceEpoch - daysSinceEpoch
  }

  /// Days since 1970-01-01 in the proleptic Gregorian calendar (negative before).
  ///
  /// Howard Hinnant's `days_from_civil` (chrono-Compatible Low-Level Date Algorithms), exact for every
  /// year an `Int` holds.
  public var daysSinceEpoch: Int {
    let shiftedYear = month <= 2 ? year - 1 : year
    let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
    let yearOfEra = shiftedYear - era * 400
    let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }

  /// The date `days` after 1970-01-01 (before when negative): Hinnant's `civil_from_days`.
  public init(daysSinceEpoch days: Int) {
    let shifted = days + 719_468
    let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
    let dayOfEra = shifted - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let shiftedMonth = (5 * dayOfYear + 2) / 153
    let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
    self.init(
      validYear: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month: month,
      day: dayOfYear - (153 * shiftedMonth + 2) / 5 + 1)
  }

  /// Whether `timeZone` is UTC (or GMT), whose dates need no offset.
  private static func isUTC(_ timeZone: TimeZone) -> Bool {
    let identifier = timeZone.identifier
    return identifier == "UTC" || identifier == "GMT"
  }

  /// `YYYY-MM-DD`.
  public var description: String {
    "\(zeroPadded(year, 4))-\(zeroPadded(month, 2))-\(zeroPadded(day, 2))"
  }

  /// Orders dates.
  public static func < (left: LocalDate, right: LocalDate) -> Bool {
    (left.year, left.month, left.day) < (right.year, right.month, right.day)
  }
}

/// ISO 8601 text for instants: stored and exchanged in UTC, shown with an explicit zone.
public enum Timestamp {
  /// `2026-11-22T07:36:24Z` (whole seconds, UTC): the form the store keeps.
  public static func utcText(_ instant: Date) -> String {
    var seconds = time_t(Int64(clamping: instant.timeIntervalSince1970.rounded(.down)))
    var parts = tm()
    gmtime_r(&seconds, &parts)
    return "\(zeroPadded(Int(parts.tm_year) + 1900, 4))-\(zeroPadded(Int(parts.tm_mon) + 1, 2))-"
      + "\(zeroPadded(Int(parts.tm_mday), 2))T\(zeroPadded(Int(parts.tm_hour), 2)):"
      + "\(zeroPadded(Int(parts.tm_min), 2)):\(zeroPadded(Int(parts.tm_sec), 2))Z"
  }

  /// Reads the store's own form, `YYYY-MM-DDTHH:MM:SSZ`, without a formatter; nil for any other text.
  static func parseCanonicalUTC(_ text: String) -> Date? {
    let bytes = Array(text.utf8)
    guard bytes.count == 20, bytes[4] == 45, bytes[7] == 45, bytes[10] == 84, bytes[13] == 58,
      bytes[16] == 58,
      bytes[19] == 90
    else { return nil }
    func number(_ range: Range<Int>) -> Int32? {
      var value: Int32 = 0
      for byte in bytes[range] {
        guard byte >= 48, byte <= 57 else { return nil }
        value = value * 10 + Int32(byte - 48)
      }
      return value
    }
    guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
      let hour = number(11..<13),
      let minute = number(14..<16), let second = number(17..<19), (1...12).contains(month),
      (1...31).contains(day),
      hour < 24, minute < 60, second < 61
    else { return nil }
    // 2026-02-30 is no day (`parse` says so): `timegm` would carry it into March.
    guard day <= LocalDate.days(inMonth: Int(month), of: Int(year)) else { return nil }
    var parts = tm()
    parts.tm_year = year - 1900
    parts.tm_mon = month - 1
    parts.tm_mday = day
    parts.tm_hour = hour
    parts.tm_min = minute
    parts.tm_sec = second
    return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
  }

  /// `2026-11-22 08:36 +01:00` in `timeZone`, for people.
  public static func display(_ instant: Date, in timeZone: TimeZone) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = timeZone
    formatter.dateFormat = "yyyy-MM-dd HH:mm xxx"
    return formatter.string(from: instant)
  }

  /// Parses ISO 8601 with an explicit offset (`2026-11-22T08:36:24+01:00` or `...Z`).
  ///
  /// A time without an offset is refused: its zone would be a guess. Throws `DomainError.invalid`.
  public static func parse(_ text: String, field: String = "at") throws -> Date {
    if let instant = parseCanonicalUTC(text) { return instant }
    // A day the calendar does not have (2026-02-30) is refused, not carried into the next month, as
    // `timegm` and Foundation's formatter would.
    if text.utf8.count >= 10, case let day = String(text.prefix(10)),
      day.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || (48...57).contains($0) }),
      RefusedValue.looksLikeDate(day), (try? LocalDate(parsing: day)) == nil
    {
      throw DomainError.invalid(
        field: field, "\(day) is not a day of the calendar, in \(RefusedValue.date(text))")
    }
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    if let instant = formatter.date(from: text) { return instant }
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    if let instant = formatter.date(from: text) { return instant }
    throw DomainError.invalid(
      field: field,
      "expected a time in ISO 8601 with an offset, such as 2026-11-22T08:30:00+01:00, got \(RefusedValue.date(text))"
    )
  }
}

/// `number` in decimal with leading zeros up to `width` digits (`String(format: "%04d")` without the
/// cost of a format string, which showed in profiles of the nightly run).
func zeroPadded(_ number: Int, _ width: Int) -> String {
  let digits = String(number)
  return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}

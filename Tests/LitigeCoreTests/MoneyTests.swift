import Foundation
import PropertyBased
import Testing

@testable import LitigeCore

@Suite("Money")
struct MoneyTests {
  @Test func parsesDecimalStringsExactly() throws {
    let amount = try Money(parsing: "1234.56", currency: .euro)
    #expect(amount.minorUnits == 123_456)
    #expect(amount.decimalText == "1234.56")
    #expect(amount.formatted == "1,234.56 EUR")
    #expect(try Money(parsing: "-0.5", currency: .euro).decimalText == "-0.50")
    #expect(try Money(parsing: "7", currency: .euro).minorUnits == 700)
  }

  @Test func refusesMalformedAndOverPreciseAmounts() {
    #expect(throws: DomainError.self) { try Money(parsing: "12,50", currency: .euro) }
    #expect(throws: DomainError.self) { try Money(parsing: "1.234", currency: .euro) }
    #expect(throws: DomainError.self) { try Money(parsing: "", currency: .euro) }
  }

  @Test func scriptAmountsRoundHalfAwayFromZeroOnTheirDecimalValue() throws {
    #expect(try Money(major: 1.005, currency: .euro).minorUnits == 101)
    #expect(try Money(major: 0.125, currency: .euro).minorUnits == 13)
    #expect(try Money(major: -0.125, currency: .euro).minorUnits == -13)
    #expect(try Money(major: 1234.56 * 0.10, currency: .euro).minorUnits == 12_346)
    #expect(try Money(major: 2.5, currency: Currency(code: "jpy")).minorUnits == 3)
    #expect(throws: DomainError.self) { try Money(major: .nan, currency: .euro) }
  }

  @Test func majorUnitsRoundTrip() throws {
    for cents in [0, 1, 99, 100, 123_456, 999_999_999] as [Int64] {
      let money = Money(minorUnits: cents, currency: .euro)
      #expect(try Money(major: money.major, currency: .euro) == money)
    }
  }

  @Test func datesParseStrictly() throws {
    #expect(try LocalDate(parsing: "2026-02-28").adding(days: 1).description == "2026-03-01")
    #expect(throws: DomainError.self) { try LocalDate(parsing: "2026-02-30") }
    #expect(throws: DomainError.self) { try LocalDate(parsing: "28/02/2026") }
    #expect(throws: DomainError.self) { try Timestamp.parse("2026-11-22T08:00:00") }
    let instant = try Timestamp.parse("2026-11-22T08:30:00+01:00")
    #expect(Timestamp.utcText(instant) == "2026-11-22T07:30:00Z")
    #expect(try Timestamp.parse("2026-11-22T07:30:00Z") == instant)
    #expect(try Timestamp.parse("2024-02-29T23:59:59Z").timeIntervalSince1970 == 1_709_251_199)
    #expect(throws: DomainError.self) { try Timestamp.parse("2026-13-01T00:00:00Z") }
    // A day the month does not have is refused, not carried into the next month.
    #expect(
      throws: DomainError.invalid(
        field: "at", "2026-02-30 is not a day of the calendar, in '2026-02-30T10:00:00Z'")
    ) {
      try Timestamp.parse("2026-02-30T10:00:00Z")
    }
    #expect(throws: DomainError.self) { try Timestamp.parse("2026-02-29T10:00:00+01:00") }
    #expect(throws: DomainError.self) { try Timestamp.parse("2026-04-31T10:00:00.5Z") }
    #expect(try Timestamp.parse("2028-02-29T10:00:00+01:00").timeIntervalSince1970 == 1_835_427_600)
    for seconds in stride(from: 0.0, to: 4e9, by: 97_531_357.0) {
      let date = Date(timeIntervalSince1970: seconds)
      #expect(try Timestamp.parse(Timestamp.utcText(date)) == date)
    }
  }
}

@Suite("Reading amounts, against a reference reader")
struct MoneyParsingPropertyTests {
  /// The reference: the pattern the product used to accept, and Foundation's exact decimals.
  static func reference(_ text: String) -> Int64? {
    let trimmed = text.trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
    guard trimmed.wholeMatch(of: #/-?[0-9]{1,15}(\.[0-9]{1,2})?/#) != nil,
      let decimal = Decimal(string: trimmed)
    else { return nil }
    return Int64(NSDecimalNumber(decimal: decimal * 100).stringValue)
  }

  @Test("every amount written reads back exactly")
  func roundTrip() async {
    await propertyCheck(input: Gen.int64(in: -999_999_999_999_999_99...999_999_999_999_999_99)) { units in
      let money = Money(minorUnits: units, currency: .euro)
      #expect((try? Money(parsing: money.decimalText, currency: .euro)) == money)
    }
  }

  @Test("long runs of digits are refused, not overflowed")
  func longDigits() {
    for text in [
      String(repeating: "9", count: 16), String(repeating: "9", count: 40),
      "-" + String(repeating: "1", count: 25) + ".5",
    ] {
      #expect(throws: DomainError.self) { try Money(parsing: text, currency: .euro) }
    }
  }

  @Test("any text is read as the reference reads it, or refused as it refuses it")
  func sameAsTheReference() async {
    let alphabet = Gen.element(of: Array("0123456789.-, \tx1"))
    let text = alphabet.map { String($0 ?? "0") }.array(of: 0...40).map { $0.joined() }
    await propertyCheck(count: 2_000, input: text) { text in
      let read = try? Money(parsing: text, currency: .euro)
      #expect(read?.minorUnits == Self.reference(text), "'\(text)'")
    }
  }
}

@Suite("Date arithmetic, against Foundation's calendar")
struct LocalDateArithmeticPropertyTests {
  static let utc: Calendar = {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
    return calendar
  }()

  /// The reference: what the product computed before, through Foundation (Gregorian from 1583 on).
  static func referenceDate(daysAfterEpoch days: Int) -> (year: Int, month: Int, day: Int) {
    let parts = utc.dateComponents(
      [.year, .month, .day], from: Date(timeIntervalSince1970: Double(days) * 86_400))
    return (parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
  }

  @Test("days since 1970 and back agree with Foundation from 1600 to 9999")
  func daysAgree() async {
    // 1600-01-01 is day -135,140; 9999-12-31 is day 2,932,896.
    await propertyCheck(count: 3_000, input: Gen.int(in: -135_140...2_932_896)) { days in
      let date = LocalDate(daysSinceEpoch: days)
      let reference = Self.referenceDate(daysAfterEpoch: days)
      #expect(date.year == reference.year && date.month == reference.month && date.day == reference.day)
      #expect(date.daysSinceEpoch == days)
      #expect(date.adding(days: 45).description == LocalDate(daysSinceEpoch: days + 45).description)
      #expect(date.days(until: date.adding(days: -400)) == -400)
    }
  }

  @Test("the date of an instant in a zone with summer time is its local day")
  func datesInParis() throws {
    let paris = try #require(TimeZone(identifier: "Europe/Paris"))
    // 22:30 UTC on 31 March 2026 is 00:30 on 1 April in Paris (UTC+2); in winter, 23:30 local.
    #expect(LocalDate(try Timestamp.parse("2026-03-31T22:30:00Z"), in: paris).description == "2026-04-01")
    #expect(LocalDate(try Timestamp.parse("2026-01-31T22:30:00Z"), in: paris).description == "2026-01-31")
    #expect(LocalDate(try Timestamp.parse("1969-12-31T23:59:59Z"), in: .gmt).description == "1969-12-31")
    let day = try LocalDate(parsing: "2026-03-29")  // the spring change in Paris
    #expect(Timestamp.utcText(day.start(in: paris)) == "2026-03-28T23:00:00Z")
    #expect(try LocalDate(parsing: "2028-02-28").adding(days: 1).description == "2028-02-29")
    #expect(try LocalDate(parsing: "2100-02-28").adding(days: 1).description == "2100-03-01")
    #expect(try LocalDate(parsing: "2026-11-30").weekday == 1)
  }
}

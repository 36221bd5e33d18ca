import Foundation

/// A currency by its ISO 4217 code, with the number of digits of its minor unit.
public struct Currency: Hashable, Sendable, Codable, CustomStringConvertible {
  /// The ISO 4217 code (`EUR`).
  public let code: String
  /// Digits of the minor unit: 2 for EUR (cents), 0 for JPY.
  public let minorDigits: Int

  /// The euro.
  public static let euro = Currency(code: "EUR", minorDigits: 2)

  private static let zeroDigitCodes: Set<String> = ["JPY", "KRW", "XOF", "XAF", "XPF", "CLP", "ISK"]

  /// The ISO 4217 codes a company may keep its books in (the currencies of Europe, of the CFA and
  /// CFP francs, of the Maghreb and of the main trading partners); data files may carry others.
  public static let companyCodes: Set<String> = [
    "EUR", "USD", "GBP", "CHF", "JPY", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "ISK", "PLN", "CZK", "HUF",
    "RON", "BGN", "TRY", "ILS", "XOF", "XAF", "XPF", "MAD", "TND", "DZD", "CNY", "HKD", "SGD", "INR", "KRW",
    "BRL", "MXN", "CLP", "ZAR", "AED", "SAR",
  ]

  /// The currency for `code`; codes are three ASCII letters, case-insensitive.
  ///
  /// Throws `DomainError.invalid` for anything else.
  public init(code: String) throws {
    let upper = code.uppercased()
    guard upper.count == 3, upper.allSatisfy({ $0.isASCII && $0.isLetter }) else {
      throw DomainError.invalid(
        field: "currency", "expected a three-letter ISO 4217 code such as EUR, got '\(code)'")
    }
    self.init(code: upper, minorDigits: Self.zeroDigitCodes.contains(upper) ? 0 : 2)
  }

  init(code: String, minorDigits: Int) {
    self.code = code
    self.minorDigits = minorDigits
  }

  /// 10 to the power of `minorDigits`: minor units in one major unit.
  public var minorPerMajor: Int64 { minorDigits == 0 ? 1 : Int64(pow(10, Double(minorDigits))) }
  /// The code.
  public var description: String { code }
}

/// An exact amount of money: integer minor units (cents) in one currency.
///
/// Arithmetic traps on overflow and refuses to mix currencies. Scripts see amounts as numbers in major
/// units; `Money(major:currency:)` brings them back by the one rounding rule of the product.
public struct Money: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
  /// The amount in minor units (cents for EUR); negative for credits.
  public var minorUnits: Int64
  /// The currency.
  public var currency: Currency

  /// An amount of `minorUnits` minor units of `currency`.
  public init(minorUnits: Int64, currency: Currency) {
    self.minorUnits = minorUnits
    self.currency = currency
  }

  /// The largest amount, in minor units either way, the store holds.
  ///
  /// It is what a script or a file can give (below 10^15 major units, `init(major:)`) in the currency
  /// with the most decimals this product knows (3). A stored amount beyond it is damaged data (a hand
  /// edit): reading it is refused, and the night's sums leave it out.
  public static let maxStoredMinorUnits: Int64 = 1_000_000_000_000_000_000

  /// Zero in `currency`.
  public static func zero(_ currency: Currency) -> Money { Money(minorUnits: 0, currency: currency) }

  /// The amount a script computed, in major units, rounded to the minor unit.
  ///
  /// The rule: the number is first read as the shortest decimal that round-trips (so `1.005` is
  /// 1.005, not 1.00499999...), then rounded half away from zero to the currency's minor unit
  /// (`1.005 EUR` -> `1.01 EUR`, `-2.5 JPY` -> `-3 JPY`). Throws `DomainError.invalid` for NaN,
  /// infinities and amounts beyond ±10^15 major units.
  public init(major: Double, currency: Currency, field: String = "amount") throws {
    guard major.isFinite, abs(major) < 1e15 else {
      throw DomainError.invalid(field: field, "expected a finite amount, got \(major)")
    }
    let decimal = Decimal(string: "\(major)") ?? Decimal(major)
    try self.init(decimal: decimal, currency: currency, field: field)
  }

  /// Parses a decimal string in major units (`1234.56`, `-3`, `0.5`), as data files write amounts.
  ///
  /// More decimals than the currency has are refused rather than rounded: a file is data, not a
  /// computation. Throws `DomainError.invalid` naming `field`.
  public init(parsing text: String, currency: Currency, field: String = "amount") throws {
    // Read by hand, digit by digit, into minor units: journals hold one amount per event and the night
    // reads them all (a regular expression here was half of a night's time).
    let bytes = Array(text.utf8)
    var start = 0, end = bytes.count
    while start < end, bytes[start] == UInt8(ascii: " ") || bytes[start] == UInt8(ascii: "\t") { start += 1 }
    while end > start, bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: "\t") {
      end -= 1
    }
    let malformed = DomainError.invalid(
      field: field, "expected a decimal amount such as 1234.56, got '\(text)'")
    var index = start
    let negative = index < end && bytes[index] == UInt8(ascii: "-")
    if negative { index += 1 }
    var units: Int64 = 0
    var integerDigits = 0
    while index < end, let digit = Self.digit(bytes[index]) {
      // Past 15 digits the text is refused below; stop accumulating before Int64 could overflow.
      if integerDigits < 15 { units = units * 10 + digit }
      integerDigits += 1
      index += 1
    }
    guard integerDigits <= 15 else {
      throw DomainError.invalid(
        field: field, "'\(text.prefix(40))' is out of range: at most 15 digits before the decimal point")
    }
    guard integerDigits >= 1 else { throw malformed }
    var decimals = 0
    var fraction: Int64 = 0
    if index < end {
      guard bytes[index] == UInt8(ascii: "."), index + 1 < end else { throw malformed }
      index += 1
      while index < end {
        guard let digit = Self.digit(bytes[index]) else { throw malformed }
        decimals += 1
        if decimals <= currency.minorDigits { fraction = fraction * 10 + digit }
        index += 1
      }
    }
    guard decimals <= currency.minorDigits else {
      throw DomainError.invalid(
        field: field, "'\(text)' has \(decimals) decimals; \(currency.code) has \(currency.minorDigits)")
    }
    for _ in decimals..<currency.minorDigits { fraction *= 10 }
    // 15 integer digits and at most 2 decimals stay far below Int64's 9.2e18.
    let total = units * currency.minorPerMajor + fraction
    self.init(minorUnits: negative ? -total : total, currency: currency)
  }

  private static func digit(_ byte: UInt8) -> Int64? {
    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? Int64(byte - UInt8(ascii: "0")) : nil
  }

  private init(decimal: Decimal, currency: Currency, field: String) throws {
    var scaled = decimal * Decimal(currency.minorPerMajor)
    var rounded = Decimal()
    NSDecimalRound(&rounded, &scaled, 0, .plain)  // .plain: half away from zero
    // Exactly, through the decimal text: a Double holds only 15 to 16 digits, and 999999999999999.99
    // EUR is 17 digits of cents.
    guard let units = Int64(NSDecimalNumber(decimal: rounded).stringValue) else {
      throw DomainError.invalid(field: field, "amount out of range")
    }
    self.init(minorUnits: units, currency: currency)
  }

  /// The amount in major units, as scripts see it (`12.5` for 12.50 EUR).
  public var major: Double { Double(minorUnits) / Double(currency.minorPerMajor) }

  /// The plain decimal text, as data files write it (`1234.56`, `-0.50`).
  public var decimalText: String {
    let digits = currency.minorDigits
    let magnitude = minorUnits.magnitude
    let sign = minorUnits < 0 ? "-" : ""
    guard digits > 0 else { return sign + String(magnitude) }
    let per = UInt64(currency.minorPerMajor)
    let fraction = String(magnitude % per)
    return sign + String(magnitude / per) + "." + String(repeating: "0", count: digits - fraction.count)
      + fraction
  }

  /// For people: thousands grouped, the code after (`12,345.60 EUR`).
  public var formatted: String {
    let text = decimalText
    let negative = text.hasPrefix("-")
    let body = negative ? String(text.dropFirst()) : text
    let parts = body.split(separator: ".", maxSplits: 1)
    var integer = String(parts[0])
    var grouped = ""
    while integer.count > 3 {
      grouped = "," + integer.suffix(3) + grouped
      integer = String(integer.dropLast(3))
    }
    grouped = integer + grouped
    let fraction = parts.count > 1 ? "." + parts[1] : ""
    return (negative ? "-" : "") + grouped + fraction + " " + currency.code
  }

  /// The formatted amount.
  public var description: String { formatted }

  private static func checkSameCurrency(_ left: Money, _ right: Money) {
    precondition(left.currency == right.currency, "cannot combine \(left.currency) and \(right.currency)")
  }

  /// The sum, or nil when it does not fit in 64 bits of minor units.
  ///
  /// The checked form for amounts a script or a file chose (a sum of many near-10^15 amounts
  /// overflows). Same currency required.
  public func adding(_ other: Money) -> Money? {
    Self.checkSameCurrency(self, other)
    let (sum, overflow) = minorUnits.addingReportingOverflow(other.minorUnits)
    return overflow ? nil : Money(minorUnits: sum, currency: currency)
  }

  /// The sum; both amounts must share a currency (a programming error otherwise).
  public static func + (left: Money, right: Money) -> Money {
    checkSameCurrency(left, right)
    return Money(minorUnits: left.minorUnits + right.minorUnits, currency: left.currency)
  }

  /// The difference; both amounts must share a currency.
  public static func - (left: Money, right: Money) -> Money {
    checkSameCurrency(left, right)
    return Money(minorUnits: left.minorUnits - right.minorUnits, currency: left.currency)
  }

  /// Orders amounts of one currency.
  public static func < (left: Money, right: Money) -> Bool {
    checkSameCurrency(left, right)
    return left.minorUnits < right.minorUnits
  }
}

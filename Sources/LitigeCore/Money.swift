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
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    let pattern = #/^-?[0-9]{1,15}(\.[0-9]+)?$/#
    guard trimmed.wholeMatch(of: pattern) != nil else {
      throw DomainError.invalid(field: field, "expected a decimal amount such as 1234.56, got '\(text)'")
    }
    let decimals = trimmed.split(separator: ".").dropFirst().first?.count ?? 0
    guard decimals <= currency.minorDigits else {
      throw DomainError.invalid(
        field: field, "'\(text)' has \(decimals) decimals; \(currency.code) has \(currency.minorDigits)")
    }
    try self.init(decimal: Decimal(string: trimmed) ?? 0, currency: currency, field: field)
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

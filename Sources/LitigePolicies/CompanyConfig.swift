import Foundation
import LitigeCore

/// Reads the company's settings from litige.toml: `[company]`, `[company.ecb_rates]`,
/// `[company.legal_rates]`, `[approvers]` and `[gestures.caps]`.
///
/// ```toml
/// [company]
/// name = "Exemple SAS"
/// legal_form = "SAS"
/// siren = "552100554"
/// address = "1 rue de la Paix, 75002 Paris"
/// currency = "EUR"
/// time_zone = "Europe/Paris"
/// language = "fr"
/// holidays = "fr"               # fr, fr-alsace-moselle or none
/// closed_days = ["2026-12-24"]
/// penalty_rate = 12.0           # % a year, the contract's; absent: ECB + 10 points
/// penalties_on_disputed = "waive"   # or "accrue"
/// follow_up_days = 30
/// require_amicable_attempt = true
///
/// [company.ecb_rates]           # adds to or corrects the published table, % a year
/// "2026-H2" = 2.15
///
/// [approvers]                   # login name = the largest gesture they may approve
/// claire = 5000
///
/// [gestures.caps]               # the largest gesture of each kind without an approval
/// voucher = 150
/// ```
/// Every value is checked; an error names the file, the line and the key, and what was expected.
public enum CompanyConfiguration {
  /// The tables this reader owns.
  public static let tables: Set<String> = [
    "company", "company.ecb_rates", "company.legal_rates", "company.consumer_legal_rates", "approvers",
    "gestures.caps",
  ]

  /// The settings the tables of `file` give, starting from the defaults.
  public static func settings(
    from tables: [String: [String: ConfigValue]], headerLines: [String: Int], file: String
  ) throws -> CompanySettings {
    let company = tables["company"] ?? [:]
    func fail(_ value: ConfigValue, _ table: String, _ key: String, _ expected: String) -> ConfigError {
      ConfigError("\(file):\(value.line): [\(table)] \(key): expected \(expected), got \(describe(value))")
    }
    func string(_ key: String) throws -> String? {
      guard let value = company[key] else { return nil }
      guard case .string(let text) = value.kind else { throw fail(value, "company", key, "a string") }
      guard text.utf8.count <= 500, !text.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" })
      else {
        throw fail(value, "company", key, "at most 500 bytes of text without control characters")
      }
      return text
    }
    func percent(_ value: ConfigValue, _ table: String, _ key: String) throws -> BasisPoints {
      guard let number = value.number else {
        throw fail(value, table, key, "a rate in percent such as 12.15")
      }
      guard number.isFinite, (0...100).contains(number) else {
        throw fail(value, table, key, "a rate between 0 and 100 percent")
      }
      let basisPoints = (number * 100).rounded()
      guard abs(basisPoints - number * 100) < 1e-6 else {
        throw fail(value, table, key, "at most two decimals (basis points)")
      }
      return Int(basisPoints)
    }

    let known: Set<String> = [
      "name", "legal_form", "siren", "address", "currency", "time_zone", "language", "holidays",
      "closed_days",
      "penalty_rate", "penalties_on_disputed", "follow_up_days", "require_amicable_attempt",
    ]
    for (key, value) in company where !known.contains(key) {
      throw ConfigError(
        "\(file):\(value.line): [company] unknown key '\(key)' (expected one of: \(known.sorted().joined(separator: ", ")))"
      )
    }
    var currency = Currency.euro
    if let code = try string("currency"), let value = company["currency"] {
      guard let parsed = try? Currency(code: code), Currency.companyCodes.contains(parsed.code) else {
        throw fail(value, "company", "currency", "an ISO 4217 code such as EUR")
      }
      currency = parsed
    }
    var zone = TimeZone(identifier: "Europe/Paris") ?? .current
    if let identifier = try string("time_zone"), let value = company["time_zone"] {
      guard let parsed = TimeZone(identifier: identifier) else {
        throw fail(value, "company", "time_zone", "a time zone such as Europe/Paris")
      }
      zone = parsed
    }
    var settings = CompanySettings(currency: currency, timeZone: zone)
    settings.profile.name = try string("name") ?? ""
    if let value = company["name"], settings.profile.name.trimmingCharacters(in: .whitespaces).isEmpty {
      throw fail(value, "company", "name", "the company's name (it heads every letter)")
    }
    settings.profile.legalForm = try string("legal_form") ?? ""
    settings.profile.address = try string("address") ?? ""
    if let siren = try string("siren"), let value = company["siren"] {
      let digits = siren.filter { $0 != " " }
      guard CompanyProfile.isValidSIREN(digits), digits != "000000000" else {
        throw fail(value, "company", "siren", "nine digits with a valid check digit (Luhn)")
      }
      settings.profile.siren = digits
    }
    if let language = try string("language"), let value = company["language"] {
      guard ["fr", "en"].contains(language) else { throw fail(value, "company", "language", "fr or en") }
      settings.profile.language = language
    }
    if let name = try string("holidays"), let value = company["holidays"] {
      guard let holidays = BusinessCalendar.Holidays(rawValue: name) else {
        throw fail(value, "company", "holidays", "fr, fr-alsace-moselle or none")
      }
      settings.calendar.holidays = holidays
    }
    if let value = company["closed_days"] {
      guard case .array(let entries) = value.kind else {
        throw fail(value, "company", "closed_days", "a list of dates such as [\"2026-12-24\"]")
      }
      for entry in entries {
        guard case .string(let text) = entry.kind, let day = try? LocalDate(parsing: text) else {
          throw fail(entry, "company", "closed_days", "dates YYYY-MM-DD")
        }
        settings.calendar.extraClosedDays.insert(day)
      }
    }
    if let value = company["penalty_rate"] {
      settings.penaltyRates.contractRate = try percent(value, "company", "penalty_rate")
    }
    if let name = try string("penalties_on_disputed"), let value = company["penalties_on_disputed"] {
      guard let choice = DisputedPenalties(rawValue: name) else {
        throw fail(value, "company", "penalties_on_disputed", "waive or accrue")
      }
      settings.penaltiesOnDisputed = choice
    }
    if let value = company["follow_up_days"] {
      guard case .integer(let days) = value.kind, (1...365).contains(days) else {
        throw fail(value, "company", "follow_up_days", "a whole number of days from 1 to 365")
      }
      settings.followUpDays = Int(days)
    }
    if let value = company["require_amicable_attempt"] {
      guard case .boolean(let flag) = value.kind else {
        throw fail(value, "company", "require_amicable_attempt", "true or false")
      }
      settings.requireAmicableAttempt = flag
    }
    for (table, keyPath) in [
      ("company.ecb_rates", \PenaltyRates.ecbRates), ("company.legal_rates", \PenaltyRates.legalRates),
      ("company.consumer_legal_rates", \PenaltyRates.consumerLegalRates),
    ] {
      for (key, value) in tables[table] ?? [:] {
        guard let period = try? HalfYear(parsing: key) else {
          throw ConfigError(
            "\(file):\(value.line): [\(table)] '\(key)': expected a half-year such as \"2026-H2\"")
        }
        settings.penaltyRates[keyPath: keyPath][period] = try percent(value, table, key)
      }
    }
    func amount(_ value: ConfigValue, _ table: String, _ key: String) throws -> Money {
      guard let major = value.number else { throw fail(value, table, key, "an amount in \(currency.code)") }
      guard major.isFinite, major >= 0, major < 1e13, let money = try? Money(major: major, currency: currency)
      else {
        throw fail(value, table, key, "an amount from 0 to 10^13 \(currency.code)")
      }
      // An amount has the currency's decimals at most: 150.123 EUR is a typo, not an amount.
      guard abs(Double(money.minorUnits) - major * Double(currency.minorPerMajor)) < 1e-6 * max(1, major)
      else {
        throw fail(value, table, key, "at most \(currency.minorDigits) decimals")
      }
      return money
    }
    for (key, value) in tables["approvers"] ?? [:] {
      guard key.first?.isLetter == true, key.count <= 64 else {
        throw ConfigError("\(file):\(value.line): [approvers] '\(key)': expected a login name")
      }
      settings.approvers[key] = try amount(value, "approvers", key)
    }
    for (key, value) in tables["gestures.caps"] ?? [:] {
      guard let kind = GestureKind(rawValue: key) else {
        throw ConfigError(
          "\(file):\(value.line): [gestures.caps] unknown gesture kind '\(key)' (expected one of: "
            + GestureKind.allCases.map(\.rawValue).joined(separator: ", ") + ")")
      }
      settings.gestureCaps[kind] = try amount(value, "gestures.caps", key)
    }
    return settings
  }

  private static func describe(_ value: ConfigValue) -> String {
    switch value.kind {
    case .string(let text): return "\"\(text.prefix(40))\""
    case .integer(let integer): return String(integer)
    case .float(let float): return String(float)
    case .boolean(let flag): return String(flag)
    case .array: return "an array"
    }
  }
}

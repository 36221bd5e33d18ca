import Foundation

/// Who the company is, as its letters and formal notices name it (Code de commerce R123-237:
/// name, legal form, SIREN and address on every commercial document).
public struct CompanyProfile: Sendable, Equatable {
  /// The company's name (`Exemple SAS`).
  public var name: String
  /// Its legal form (`SAS`, `SARL`).
  public var legalForm: String
  /// Its SIREN, nine digits, checked with the Luhn key.
  public var siren: String
  /// Its postal address, on one or several lines.
  public var address: String
  /// The language of its letters by default (ISO 639-1).
  public var language: String

  /// A profile; empty fields until `litige.toml` says otherwise.
  public init(
    name: String = "", legalForm: String = "", siren: String = "", address: String = "",
    language: String = "fr"
  ) {
    self.name = name
    self.legalForm = legalForm
    self.siren = siren
    self.address = address
    self.language = language
  }

  /// Whether `siren` is nine digits whose Luhn checksum holds (INSEE's rule for SIREN numbers).
  public static func isValidSIREN(_ siren: String) -> Bool {
    let digits = siren.compactMap(\.wholeNumberValue)
    guard siren.count == 9, digits.count == 9 else { return false }
    var sum = 0
    for (offset, digit) in digits.reversed().enumerated() {
      let doubled = offset % 2 == 1 ? digit * 2 : digit
      sum += doubled > 9 ? doubled - 9 : doubled
    }
    return sum % 10 == 0
  }
}

/// A half-year, the period French penalty and legal rates are fixed for (Code de commerce L441-10,
/// Code monétaire et financier L313-2).
public struct HalfYear: Hashable, Sendable, Comparable, CustomStringConvertible {
  /// The year.
  public var year: Int
  /// 1 (January to June) or 2 (July to December).
  public var half: Int

  /// The half-year `half` (1 or 2) of `year`.
  public init(year: Int, half: Int) {
    self.year = year
    self.half = half
  }

  /// The half-year that contains `day`.
  public init(containing day: LocalDate) {
    self.init(year: day.year, half: day.month <= 6 ? 1 : 2)
  }

  /// Reads `2026-H1`; throws `DomainError.invalid` otherwise.
  public init(parsing text: String, field: String = "half-year") throws {
    let parts = text.split(separator: "-")
    guard parts.count == 2, let year = Int(parts[0]), (1970...2199).contains(year),
      parts[1] == "H1" || parts[1] == "H2"
    else { throw DomainError.invalid(field: field, "expected a half-year such as 2026-H1, got '\(text)'") }
    self.init(year: year, half: parts[1] == "H1" ? 1 : 2)
  }

  /// Its first day: 1 January or 1 July.
  public var firstDay: LocalDate { LocalDate.unchecked(year: year, month: half == 1 ? 1 : 7, day: 1) }
  /// `2026-H1`.
  public var description: String { "\(year)-H\(half)" }
  /// Orders half-years in time.
  public static func < (left: HalfYear, right: HalfYear) -> Bool {
    (left.year, left.half) < (right.year, right.half)
  }
}

/// An annual interest rate in basis points (hundredths of a percent).
///
/// 1215 is 12.15 %: exact, unlike a floating-point percentage.
public typealias BasisPoints = Int

/// The company's late-penalty rule between businesses (domain.md §4; Code de commerce L441-10).
public struct PenaltyRates: Sendable, Equatable {
  /// The rate the contract (the general terms of sale) sets, if any.
  public var contractRate: BasisPoints?
  /// The ECB main refinancing rate in force on 1 January or 1 July, by half-year.
  public var ecbRates: [HalfYear: BasisPoints]
  /// The legal interest rate "for all other cases" (a business creditor), by half-year.
  public var legalRates: [HalfYear: BasisPoints]
  /// The legal interest rate for a consumer creditor, by half-year (a consumer owed a refund).
  public var consumerLegalRates: [HalfYear: BasisPoints]

  /// The rule; by default the published tables below and no contract rate.
  public init(
    contractRate: BasisPoints? = nil, ecbRates: [HalfYear: BasisPoints] = Self.publishedECBRates,
    legalRates: [HalfYear: BasisPoints] = Self.publishedLegalRates,
    consumerLegalRates: [HalfYear: BasisPoints] = Self.publishedConsumerLegalRates
  ) {
    self.contractRate = contractRate
    self.ecbRates = ecbRates
    self.legalRates = legalRates
    self.consumerLegalRates = consumerLegalRates
  }

  /// The late-penalty rate of `period`: the contract's, else the ECB rate + 10 points; never below
  /// three times the legal rate "for all other cases" of the same half-year (L441-10 II).
  ///
  /// Throws `DomainError.invalid` naming the half-year when a rate it needs is not in the tables:
  /// add it to `[company.ecb_rates]` or `[company.legal_rates]` in litige.toml.
  public func penaltyRate(for period: HalfYear) throws -> BasisPoints {
    guard let legal = legalRates[period] else {
      throw DomainError.invalid(
        field: "company.legal_rates",
        "no legal interest rate for \(period): add \"\(period)\" = RATE to [company.legal_rates]")
    }
    let floor = 3 * legal
    if let contractRate { return max(contractRate, floor) }
    guard let ecb = ecbRates[period] else {
      throw DomainError.invalid(
        field: "company.ecb_rates",
        "no ECB rate for \(period): add \"\(period)\" = RATE to [company.ecb_rates]")
    }
    return max(ecb + 1_000, floor)
  }

  /// The ECB main refinancing rate on the first day of each half-year.
  ///
  /// Source: ECB, key interest rates; changes took effect 10 Sep 2014 0.05, 16 Mar 2016 0.00, 27 Jul 2022 0.50, 20 Sep 2023 4.50,
  /// 19 Jun 2024 4.25, 18 Dec 2024 3.15, 11 Jun 2025 2.15). A half-year not listed (2026-H2 on) is
  /// added in `[company.ecb_rates]`.
  public static let publishedECBRates: [HalfYear: BasisPoints] = table([
    (2015, 5, 5), (2016, 5, 0), (2017, 0, 0), (2018, 0, 0), (2019, 0, 0), (2020, 0, 0), (2021, 0, 0),
    (2022, 0, 0), (2023, 250, 400), (2024, 450, 425), (2025, 315, 215), (2026, 215, nil),
  ])

  /// The legal interest rate "for all other cases", by half-year (arrêtés published each half-year in
  /// the Journal officiel under Code monétaire et financier L313-2).
  public static let publishedLegalRates: [HalfYear: BasisPoints] = table([
    (2015, 93, 99), (2016, 101, 93), (2017, 90, 90), (2018, 89, 88), (2019, 86, 87), (2020, 87, 84),
    (2021, 79, 76), (2022, 76, 77), (2023, 206, 422), (2024, 507, 492), (2025, 371, 276), (2026, 262, nil),
  ])

  /// The legal interest rate for consumer creditors, by half-year (same arrêtés).
  public static let publishedConsumerLegalRates: [HalfYear: BasisPoints] = table([
    (2015, 406, 429), (2016, 454, 435), (2017, 416, 394), (2018, 373, 360), (2019, 340, 326),
    (2020, 315, 311), (2021, 314, 312), (2022, 313, 315), (2023, 447, 682), (2024, 801, 816),
    (2025, 721, 665), (2026, 667, nil),
  ])

  private static func table(_ rows: [(Int, BasisPoints, BasisPoints?)]) -> [HalfYear: BasisPoints] {
    var table: [HalfYear: BasisPoints] = [:]
    for (year, first, second) in rows {
      table[HalfYear(year: year, half: 1)] = first
      if let second { table[HalfYear(year: year, half: 2)] = second }
    }
    return table
  }
}

/// What happens to late penalties while an invoice is disputed (domain.md §4): the practice guides
/// waive them; the law lets them run from the original due date, claimed if the dispute is lost.
public enum DisputedPenalties: String, Vocabulary {
  /// No penalty for the time the invoice was disputed (the guides' practice, the default).
  case waive
  /// Penalties accrue quietly from the original due date and are claimed only if the dispute is lost.
  case accrue
  /// The field name in messages.
  public static let fieldName = "penalties_on_disputed"
}

/// The company's working days: weekends and public holidays are not (letters wait for the next one).
public struct BusinessCalendar: Sendable, Equatable {
  /// Which public holidays apply.
  public enum Holidays: String, Sendable, CaseIterable {
    /// The eleven French public holidays (Code du travail L3133-1).
    case france = "fr"
    /// France with Alsace-Moselle's Good Friday and 26 December (Code du travail L3134-13).
    case franceAlsaceMoselle = "fr-alsace-moselle"
    /// None: only weekends are closed.
    case none
  }

  /// The public holidays' calendar.
  public var holidays: Holidays
  /// The company's own closed days (a bridge day, a closure).
  public var extraClosedDays: Set<LocalDate>

  /// A calendar; French holidays by default.
  public init(holidays: Holidays = .france, extraClosedDays: Set<LocalDate> = []) {
    self.holidays = holidays
    self.extraClosedDays = extraClosedDays
  }

  /// Easter Sunday of `year` (the anonymous Gregorian algorithm, Meeus/Jones/Butcher).
  public static func easter(_ year: Int) -> LocalDate {
    let a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4
    let f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30
    let i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7
    let m = (a + 11 * h + 22 * l) / 451
    let month = (h + l - 7 * m + 114) / 31
    let day = (h + l - 7 * m + 114) % 31 + 1
    return LocalDate.unchecked(year: year, month: month, day: day)
  }

  /// The public holidays of `year`.
  public func publicHolidays(in year: Int) -> Set<LocalDate> {
    guard holidays != .none else { return [] }
    let fixed = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)]
    var days = Set(fixed.map { LocalDate.unchecked(year: year, month: $0.0, day: $0.1) })
    let easter = Self.easter(year)
    // Easter Monday, Ascension Thursday (Easter + 39), Whit Monday (Easter + 50).
    days.formUnion([easter.adding(days: 1), easter.adding(days: 39), easter.adding(days: 50)])
    if holidays == .franceAlsaceMoselle {
      days.insert(easter.adding(days: -2))
      days.insert(LocalDate.unchecked(year: year, month: 12, day: 26))
    }
    return days
  }

  /// Whether `day` is a working day: not a Saturday, a Sunday, a public holiday or a closed day.
  public func isBusinessDay(_ day: LocalDate) -> Bool {
    let weekday = day.weekday
    if weekday == 6 || weekday == 7 { return false }
    if extraClosedDays.contains(day) { return false }
    return !isPublicHoliday(day)
  }

  /// Whether `day` is one of `publicHolidays(in: day.year)`, without building the year's set: it is
  /// asked for every day a deadline is counted over, many times per case in a night.
  public func isPublicHoliday(_ day: LocalDate) -> Bool {
    guard holidays != .none else { return false }
    switch (day.month, day.day) {
    case (1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25): return true
    case (12, 26): return holidays == .franceAlsaceMoselle
    default: break
    }
    // Easter falls from 22 March to 25 April: Good Friday (Alsace-Moselle) is from 20 March, Whit
    // Monday at most 14 June.
    guard (3...6).contains(day.month) else { return false }
    let fromEaster = Self.easter(day.year).days(until: day)
    return fromEaster == 1 || fromEaster == 39 || fromEaster == 50
      || (fromEaster == -2 && holidays == .franceAlsaceMoselle)
  }

  /// `day` if it is a working day, else the next one.
  public func businessDay(onOrAfter day: LocalDate) -> LocalDate {
    var candidate = day
    while !isBusinessDay(candidate) { candidate = candidate.adding(days: 1) }
    return candidate
  }
}

extension LocalDate {
  /// The ISO weekday, from 1 (Monday) to 7 (Sunday).
  public var weekday: Int {
    // 1970-01-01 was a Thursday (4).
    let days = LocalDate.unchecked(year: 1970, month: 1, day: 1).days(until: self)
    return ((days % 7) + 7 + 3) % 7 + 1
  }
}

/// The company's settings that the core's rules read (DESIGN.md "Core rules"), from `[company]`,
/// `[approvers]` and `[gestures]` in litige.toml.
public struct CompanySettings: Sendable, Equatable {
  /// Who the company is.
  public var profile: CompanyProfile
  /// The company's currency: thresholds and caps are in it.
  public var currency: Currency
  /// The company's time zone, for dates shown to people and for "today".
  public var timeZone: TimeZone
  /// The largest gesture of each kind granted without an approval.
  public var gestureCaps: [GestureKind: Money]
  /// The people who may approve gestures, by login name, each with the largest amount they may approve.
  public var approvers: [String: Money]
  /// Up to this amount the court route is a simple request form (requête); above, a summons.
  public var requestFormLimit: Money
  /// Above this amount a lawyer is mandatory in court.
  public var lawyerThreshold: Money
  /// Days after resolution when the follow-up window ends and a resolved case is closed (domain.md §3.9).
  public var followUpDays: Int
  /// Whether court needs a real amicable attempt first even where the law does not (domain.md §3.8:
  /// "companies usually require an amicable attempt before any court step anyway: a setting").
  public var requireAmicableAttempt: Bool
  /// Working days and public holidays.
  public var calendar: BusinessCalendar
  /// The late-penalty rates.
  public var penaltyRates: PenaltyRates
  /// Penalties on a disputed invoice: waived or accrued.
  public var penaltiesOnDisputed: DisputedPenalties

  /// The defaults of domain.md: EUR, Europe/Paris, request form up to 5,000 EUR, lawyer above
  /// 10,000 EUR, caps of 500 (discount), 2,000 (credit note), 1,000 (refund), 1,500 (replacement) and
  /// 150 (voucher), no approver, a 30-day follow-up window, French holidays.
  public init(
    currency: Currency = .euro, timeZone: TimeZone = TimeZone(identifier: "Europe/Paris") ?? .current,
    gestureCaps: [GestureKind: Money]? = nil, approvers: [String: Money] = [:]
  ) {
    self.profile = CompanyProfile()
    self.currency = currency
    self.timeZone = timeZone
    let major = { (amount: Int64) in Money(minorUnits: amount * currency.minorPerMajor, currency: currency) }
    self.gestureCaps =
      gestureCaps ?? [
        .discount: major(500), .creditNote: major(2_000), .refund: major(1_000), .replacement: major(1_500),
        .voucher: major(150),
      ]
    self.approvers = approvers
    self.requestFormLimit = major(CourtRoute.requestLimitMajor)
    self.lawyerThreshold = major(CourtRoute.lawyerThresholdMajor)
    self.followUpDays = 30
    self.requireAmicableAttempt = true
    self.calendar = BusinessCalendar()
    self.penaltyRates = PenaltyRates()
    self.penaltiesOnDisputed = .waive
  }
}

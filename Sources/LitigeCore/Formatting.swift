import Foundation

/// Amounts and dates as a letter in French or English writes them (CLDR's conventions).
///
/// French: `1 717,61 €` (a narrow no-break space between thousands, a no-break space before the
/// symbol) and `22 novembre 2026`; English: `€1,717.61` and `22 November 2026`. Other languages are
/// written in English. Exact: amounts are formatted from their minor units, never through a `Double`.
public enum LetterFormat {
  /// The languages letters are written in.
  public static let languages: Set<String> = ["fr", "en"]

  private static let symbols = ["EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF", "JPY": "¥"]
  private static let frenchMonths = [
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
    "novembre",
    "décembre",
  ]
  private static let englishMonths = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
  ]

  /// `amount` as a letter in `language` writes it.
  public static func money(_ amount: Money, language: String) -> String {
    let text = amount.decimalText
    let negative = text.hasPrefix("-")
    let body = negative ? String(text.dropFirst()) : text
    let parts = body.split(separator: ".", maxSplits: 1)
    let french = language == "fr"
    var integer = String(parts[0])
    var grouped = ""
    let separator = french ? "\u{202F}" : ","
    while integer.count > 3 {
      grouped = separator + integer.suffix(3) + grouped
      integer = String(integer.dropLast(3))
    }
    grouped = integer + grouped
    let fraction = parts.count > 1 ? (french ? "," : ".") + parts[1] : ""
    let symbol = symbols[amount.currency.code] ?? amount.currency.code
    let sign = negative ? "-" : ""
    if french { return sign + grouped + fraction + "\u{00A0}" + symbol }
    return symbol.count == 1 ? sign + symbol + grouped + fraction : sign + grouped + fraction + " " + symbol
  }

  /// `day` in the long form of `language`: `22 novembre 2026`, `1er mars 2027`, `22 November 2026`.
  public static func date(_ day: LocalDate, language: String) -> String {
    if language == "fr" {
      return (day.day == 1 ? "1er" : String(day.day)) + " " + frenchMonths[day.month - 1] + " "
        + String(day.year)
    }
    return "\(day.day) \(englishMonths[day.month - 1]) \(day.year)"
  }
}

import Foundation
import LitigeCore

/// Aligned columns for a terminal: a header, a rule, rows; numbers right-aligned.
///
/// Cells hold what files, plugins and people wrote (names, references, reasons): their control
/// characters are shown as escapes (`TerminalText`), so a cell cannot run the terminal or break the
/// table's lines.
struct TextTable {
  var headers: [String]
  var rightAligned: Set<Int> = []
  var rows: [[String]] = []

  func render() -> String {
    let rows = rows.map { $0.map(TerminalText.visible) }
    var widths = headers.map(\.count)
    for row in rows {
      for (index, cell) in row.enumerated() where index < widths.count {
        widths[index] = max(widths[index], cell.count)
      }
    }
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { index, cell in
        let padding = String(repeating: " ", count: max(0, widths[index] - cell.count))
        return rightAligned.contains(index) ? padding + cell : cell + padding
      }.joined(separator: "  ").replacingOccurrences(of: #"\s+$"#, with: "", options: .regularExpression)
    }
    var lines = [line(headers), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
    lines += rows.map(line)
    return lines.joined(separator: "\n")
  }
}

/// Pretty, key-sorted JSON for `--json` output.
func jsonText(_ value: Any) -> String {
  let data =
    (try? JSONSerialization.data(
      withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]))
    ?? Data("null".utf8)
  // Strings from plugins, files and people may hold C1 controls or bidi overrides, which JSON
  // leaves as they are: written as escapes, the JSON is the same and safe on a terminal.
  return TerminalText.visibleJSON(String(decoding: data, as: UTF8.self))
}

extension Money {
  /// An amount as a person types it on the command line: major units with a dot or a comma
  /// (`100,25`, `1717.61`), read exactly by `Money(parsing:)`; throws `DomainError.invalid` naming `field`.
  static func typed(_ text: String, currency: Currency, field: String) throws -> Money {
    try Money(parsing: text.replacingOccurrences(of: ",", with: "."), currency: currency, field: field)
  }
}

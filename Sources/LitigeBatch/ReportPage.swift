import Foundation
import LitigeCore

extension BatchReport {
  /// The report as one self-contained HTML page (inline CSS and SVG, no script, no external file).
  ///
  /// Failure messages are escaped; they name cases, plugins and script lines, not customers.
  public func html() -> String {
    let currency = (try? Currency(code: currency)) ?? .euro
    let money = { (minor: Int64) in Money(minorUnits: minor, currency: currency).formatted }
    let ages = ["0-30 days", "31-60 days", "61-90 days", "over 90 days"].map {
      ($0, Double(portfolio.disputedByAge[$0] ?? 0), money(portfolio.disputedByAge[$0] ?? 0))
    }
    let categories = portfolio.disputedByCategory.sorted { $0.value > $1.value }.map {
      ($0.key, Double($0.value), money($0.value))
    }
    let decisions = decisionsByKind.sorted { $0.value > $1.value }.map {
      ($0.key, Double($0.value), String($0.value))
    }
    let owners = decisionsByOwner.sorted { $0.value > $1.value }.map {
      ($0.key, Double($0.value), String($0.value))
    }
    let failureRows = failures.prefix(200).map {
      "<tr><td>\($0.caseId)</td><td>\(Self.escape($0.plugin))</td><td>\($0.hook)</td><td>\(Self.escape($0.message))</td></tr>"
    }.joined(separator: "\n")
    let title = dryRun ? "Nightly run (dry run)" : "Nightly run"
    return """
      <!DOCTYPE html>
      <html lang="en"><head><meta charset="utf-8"><title>\(title) \(Self.escape(runId))</title>
      <style>
      body { font: 14px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 960px; color: #222; }
      h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 2em; }
      .totals { display: flex; gap: 1em; flex-wrap: wrap; }
      .total { border: 1px solid #ddd; border-radius: 6px; padding: .6em 1em; min-width: 9em; }
      .total b { display: block; font-size: 1.4em; }
      .bad b { color: #b00020; }
      table { border-collapse: collapse; width: 100%; } td, th { text-align: left; padding: .3em .5em; border-bottom: 1px solid #eee; vertical-align: top; }
      svg text { font: 12px system-ui, sans-serif; fill: #222; }
      </style></head><body>
      <h1>\(title)</h1>
      <p>Run <code>\(Self.escape(runId))</code>, as of \(asOf), status <b>\(status)</b>\(abortReason.map { ": " + Self.escape($0) } ?? "").</p>
      <div class="totals">
      <div class="total"><b>\(cases)</b>cases visited</div>
      <div class="total"><b>\(decisionsByKind.values.reduce(0, +))</b>decisions \(dryRun ? "that would be " : "")applied</div>
      <div class="total\(failedCases > 0 ? " bad" : "")"><b>\(failedCases)</b>cases failed</div>
      <div class="total"><b>\(money(portfolio.disputedMinor))</b>disputed on \(portfolio.openCases) open cases</div>
      <div class="total\(portfolio.deadlinesBreached > 0 ? " bad" : "")"><b>\(portfolio.deadlinesBreached)</b>deadlines breached</div>
      <div class="total"><b>\(String(format: "%.0f", casesPerSecond))</b>cases per second</div>
      </div>
      <h2>Decisions by kind</h2>
      \(Self.bars(decisions))
      <h2>Decisions by owner</h2>
      \(Self.bars(owners))
      <h2>Disputed receivables by age</h2>
      \(Self.bars(ages))
      <h2>Disputed receivables by category</h2>
      \(Self.bars(categories))
      <h2>Failures</h2>
      \(failures.isEmpty ? "<p>None.</p>" : "<table><tr><th>Case</th><th>Plugin</th><th>Hook</th><th>Message</th></tr>\n\(failureRows)</table>")
      </body></html>
      """
  }

  /// A horizontal bar chart as inline SVG: one bar per (label, value, shown text).
  static func bars(_ items: [(String, Double, String)]) -> String {
    guard !items.isEmpty, let largest = items.map(\.1).max(), largest > 0 else {
      return "<p>Nothing to show.</p>"
    }
    let rowHeight = 24
    let height = items.count * rowHeight + 4
    let rows = items.enumerated().map { index, item in
      let y = index * rowHeight + 2
      let width = Int(460 * item.1 / largest)
      return """
        <text x="0" y="\(y + 16)">\(escape(item.0))</text>\
        <rect x="180" y="\(y + 3)" width="\(max(width, 1))" height="16" fill="#3b6ea5"/>\
        <text x="\(186 + width)" y="\(y + 16)">\(escape(item.2))</text>
        """
    }.joined(separator: "\n")
    return
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" height=\"\(height)\" role=\"img\">\n\(rows)\n</svg>"
  }

  static func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }
}

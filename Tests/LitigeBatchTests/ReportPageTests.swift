import Foundation
import LitigeCore
import LitigePolicies
import LitigeStore
import Testing

@testable import LitigeBatch

/// The night report as a manager reads it: rendered by headless Chromium (Debian's `chromium`, which
/// `make test` installs), its charts and figures read back from the rendered page and compared with
/// the JSON report of the same night (issue 13).
@Suite("The night report's page")
struct ReportPageTests {
  static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
    FileManager.default.isExecutableFile(atPath: $0)
  }

  /// A demo company after two nights of the standard policies: the report of the second.
  func report(language: String) throws -> BatchReport {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("litige-report-\(UUID())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let plugins = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("plugins")
    let toml = """
      [workspace]
      plugin_paths = ["\(plugins.path)"]
      [company]
      name = "Exemple SAS"
      language = "\(language)"
      [company.ecb_rates]
      "2026-H2" = 2.15
      [company.legal_rates]
      "2026-H2" = 2.5
      [approvers]
      claire = 5000
      [plugins.triage]
      [plugins.acknowledgement]
      [plugins.compensation]
      [plugins.escalation]
      [plugins.receivables]
      [plugins.follow_up]

      """
    try toml.write(to: folder.appendingPathComponent("litige.toml"), atomically: true, encoding: .utf8)
    let configuration = try WorkspaceConfiguration.load(folder: folder, bundled: nil)
    let store = try Store.open(
      path: folder.appendingPathComponent("w.sqlite").path, settings: configuration.company)
    let reference = try Timestamp.parse("2026-11-30T01:00:00Z")
    try store.load(
      DemoData.generate(seed: 5, reference: reference, customerCount: 30, invoiceCount: 200, caseCount: 90),
      provenance: Provenance(source: "test", hook: "setup", runId: "setup"))
    var last: BatchReport?
    for day in ["2026-12-01", "2026-12-02", "2026-12-03"] {
      var options = BatchOptions()
      options.asOf = try Timestamp.parse("\(day)T01:00:00Z")
      options.jobs = 1
      last = try BatchRunner(store: store, configuration: configuration, options: options).run()
    }
    return try #require(last)
  }

  /// The page as Chromium renders it (its DOM after layout).
  func rendered(_ html: String) throws -> String {
    let chromium = try #require(Self.chromium, "Debian's chromium is needed: make test installs it")
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID()).html")
    defer { try? FileManager.default.removeItem(at: file) }
    try html.write(to: file, atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: chromium)
    process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", file.absoluteString]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
  }

  /// The bars of chart `id` in the rendered DOM: (label, raw value, text shown).
  func bars(_ dom: String, chart id: String) throws -> [(label: String, value: Int64, text: String)] {
    guard let start = dom.range(of: "id=\"chart-\(id)\"") else { return [] }
    let rest = dom[start.upperBound...]
    let end = rest.range(of: "class=\"chart\"")?.lowerBound ?? rest.endIndex
    let section = String(rest[..<end])
    let bar = try Regex(
      #"<g class="bar" data-label="([^"]*)" data-value="(-?\d+)"><title>[^<]*</title><text[^>]*>[^<]*</text><rect[^>]*></rect><text[^>]*>([^<]*)</text></g>"#
    )
    var found: [(label: String, value: Int64, text: String)] = []
    for match in section.matches(of: bar) {
      let label = match.output[1].substring.map(String.init) ?? ""
      let value = match.output[2].substring.flatMap { Int64($0) } ?? -1
      let text = match.output[3].substring.map(String.init) ?? ""
      found.append((unescape(label), value, unescape(text)))
    }
    return found
  }

  func unescape(_ text: String) -> String {
    text.replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&#39;", with: "'")
      .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
      .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&nbsp;", with: "\u{A0}")
  }

  /// The raw value of tile `key`.
  func tile(_ dom: String, _ key: String) -> Int64? {
    let pattern = try? Regex("data-key=\"\(key)\" data-value=\"(-?\\d+)\"")
    guard let pattern, let match = dom.firstMatch(of: pattern), let value = match.output[1].substring else {
      return nil
    }
    return Int64(value)
  }

  @Test("a large company's amounts fit the charts: no value text runs past the right edge")
  func largeAmountsFit() throws {
    var night = try report(language: "fr")
    night.portfolio.disputedByAge["0-30 days"] = 41_589_974_851  // 415 899 748,51 €
    night.portfolio.disputedByAge["31-60 days"] = 7_406_288_607
    night.portfolio.disputedMinor = 200_052_803_365  // 2 000 528 033,65 €: set smaller to fit its tile
    let dom = try rendered(night.html())
    #expect(dom.contains(#"data-key="disputed" data-value="200052803365"><b class="long">"#))
    // A short figure keeps the tiles' size.
    #expect(dom.contains(#"data-key="open" data-value="\#(night.portfolio.openCases)"><b>"#))
    let ages = try bars(dom, chart: "age")
    #expect(ages.first?.text == "415\u{202F}899\u{202F}748,51\u{A0}€")
    #expect(try valueTextsEndPastTheChart(dom).isEmpty)
  }

  /// The bars' value texts (about 6.6 units a character) that end past the charts' width (520), as
  /// `text at x`; throws if the page has fewer than four bars.
  func valueTextsEndPastTheChart(_ dom: String) throws -> [String] {
    let valueText = try Regex(
      #"<rect x="\d+" y="\d+" width="\d+" height="18" rx="2"></rect><text x="(\d+)" y="\d+">([^<]*)</text>"#)
    let matches = dom.matches(of: valueText)
    try #require(matches.count >= 4)
    return matches.compactMap { match in
      let x = match.output[1].substring.flatMap { Int($0) } ?? 0
      let text = unescape(match.output[2].substring.map(String.init) ?? "")
      return Double(x) + Double(text.count) * 6.6 <= 522 ? nil : "\(text) at x=\(x)"
    }
  }

  @Test("every chart and figure on the rendered page equals the JSON report's", arguments: ["fr", "en"])
  func pageMatchesTheJSON(language: String) throws {
    let night = try report(language: language)
    // The JSON report, as `batch --report night.json` writes it, read back.
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let json = try JSONDecoder().decode(BatchReport.self, from: try encoder.encode(night))
    let figures = try #require(json.figures)
    let dom = try rendered(night.html())
    #expect(dom.contains("<html lang=\"\(language)\""))

    let money = { (minor: Int64) in
      LetterFormat.money(Money(minorUnits: minor, currency: .euro), language: language)
    }
    let ages = try bars(dom, chart: "age")
    #expect(
      ages.map(\.value)
        == ["0-30 days", "31-60 days", "61-90 days", "over 90 days"].map {
          json.portfolio.disputedByAge[$0] ?? 0
        })
    #expect(ages.map(\.text) == ages.map { money($0.value) })
    #expect(ages.first?.label == (language == "fr" ? "0 à 30 jours" : "0-30 days"))
    let categories = try bars(dom, chart: "category")
    #expect(categories.count == json.portfolio.disputedByCategory.count && !categories.isEmpty)
    #expect(categories.map(\.value).reduce(0, +) == json.portfolio.disputedMinor)
    #expect(categories.map(\.value) == categories.map(\.value).sorted(by: >))
    if language == "fr" {
      #expect(categories.contains { $0.label == "double facturation" || $0.label == "livraison" })
    }
    let customers = try bars(dom, chart: "customers")
    #expect(customers.map(\.value) == figures.topCustomers.map(\.disputedMinor))
    #expect(customers.map(\.label) == figures.topCustomers.map { "\($0.name) (\($0.openCases))" })
    // Labels fit their column: none starts left of the chart (the longest sets the column's width).
    for match in dom.matches(of: try Regex(#"<text x="(\d+)" y="\d+" text-anchor="end">([^<]*)</text>"#)) {
      let x = match.output[1].substring.flatMap { Int($0) } ?? 0
      let label = match.output[2].substring.map(String.init) ?? ""
      #expect(Double(label.count) * 6.6 <= Double(x) + 8, "\(label) is cut at x=\(x)")
    }
    // Value texts fit on the right: none ends past the chart's width.
    #expect(try valueTextsEndPastTheChart(dom).isEmpty)
    let promises = try bars(dom, chart: "promises")
    #expect(
      promises.map(\.value)
        == ["kept", "partly_kept", "broken", "pending"].map { Int64(figures.promises[$0] ?? 0) })
    let trend = try bars(dom, chart: "trend")
    #expect(
      trend.map(\.value) == figures.previousNights.map(\.disputedMinor) + [json.portfolio.disputedMinor])
    #expect(trend.count == 3)
    #expect(trend.first?.label == (language == "fr" ? "1er décembre 2026" : "1 December 2026"))

    #expect(tile(dom, "approvals") == Int64(figures.needsPerson.approvals))
    #expect(tile(dom, "notices") == Int64(figures.needsPerson.formalNoticesToConfirm))
    #expect(tile(dom, "deadlines") == Int64(figures.needsPerson.deadlinesBreached))
    #expect(tile(dom, "proposed") == figures.money.gesturesProposedMinor)
    #expect(tile(dom, "granted") == figures.money.gesturesGrantedMinor)
    #expect(tile(dom, "disputed") == json.portfolio.disputedMinor)
    #expect(tile(dom, "open") == Int64(json.portfolio.openCases))
    #expect(tile(dom, "visited") == Int64(json.cases))
    // The third night leaves asleep the cases with nothing due (the wake-up index).
    let asleep = try #require(json.casesAsleep)
    #expect(asleep > 0 && tile(dom, "asleep") == Int64(asleep))
    #expect(
      unescape(dom).contains(
        language == "fr"
          ? "dossiers ouverts sans rien à faire cette nuit" : "open cases with nothing due tonight"))
    #expect(unescape(dom).contains(money(json.portfolio.disputedMinor)))
    // No internal identifiers: no run id, no plugin version.
    #expect(!dom.contains(json.runId))
    #expect(dom.range(of: #"@\d+\.\d+\.\d+"#, options: .regularExpression) == nil)
    // The night's money is a manager's figure: a proposal tonight shows.
    #expect(figures.money.gesturesProposed + figures.needsPerson.approvals > 0, "the demo night did nothing")
  }
}

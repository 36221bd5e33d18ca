import Foundation
import LitigeCore
import LitigeStore
import Mustache

extension BatchReport {
  /// The report as a manager's page: one self-contained HTML file (inline CSS and SVG, no script).
  ///
  /// Built from a Mustache template (hummingbird-project/swift-mustache, which escapes every value), in
  /// the company's language (French or English), amounts as the letters write them ("1 717,61 €"),
  /// local dates. Every figure is the JSON report's; each chart bar carries its raw value and label
  /// (`data-value`, `data-label`) so that a test can read them back from the rendered page. No run id,
  /// case number or plugin version appears: failures are grouped by plugin and message.
  public func html() -> String {
    let page = ReportPage(report: self)
    do {
      return try MustacheTemplate(string: ReportPage.template).render(page.context())
    } catch {
      return "<!DOCTYPE html><p>\(error)</p>"
    }
  }
}

/// The data of the page, in the company's language.
struct ReportPage {
  let report: BatchReport
  let language: String
  let zone: TimeZone
  let currency: Currency

  init(report: BatchReport) {
    self.report = report
    language = report.language == "en" ? "en" : "fr"
    zone = report.timeZone.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "Europe/Paris") ?? .gmt
    currency = (try? Currency(code: report.currency)) ?? .euro
  }

  /// The page's words, by language.
  static let words: [String: [String: String]] = [
    "fr": [
      "title": "Rapport de la nuit", "dry": "simulation : rien n'a été écrit", "asOf": "décidé au",
      "completed": "terminée", "failed": "terminée avec des échecs", "aborted": "interrompue",
      "tonight": "L'argent de cette nuit", "proposed": "gestes proposés", "granted": "gestes accordés",
      "credit": "avoirs et remises accordés", "penalties": "pénalités de retard réclamées",
      "indemnities": "indemnités forfaitaires réclamées", "person": "À traiter par une personne",
      "approvals": "gestes à approuver", "notices": "mises en demeure à confirmer",
      "court": "saisines à confirmer",
      "rulings": "litiges à trancher", "deadlines": "délais dépassés",
      "broken": "promesses rompues cette nuit",
      "receivables": "Créances en litige", "open": "dossiers ouverts", "disputed": "en litige",
      "byAge": "Par ancienneté", "byCategory": "Par motif", "topCustomers": "Clients les plus exposés",
      "promises": "Promesses de paiement", "trend": "Tendance : montant en litige par nuit",
      "resolve": "Délai de résolution (90 derniers jours)", "median": "médiane",
      "p90": "9 dossiers sur 10 en",
      "days": "jours", "resolvedCases": "dossiers résolus", "p90after": "au plus", "night": "La nuit",
      "visited": "dossiers examinés", "asleep": "dossiers ouverts sans rien à faire cette nuit",
      "decisions": "décisions", "failures": "Échecs, par plugin et message", "plugin": "Plugin",
      "message": "Message",
      "count": "Dossiers", "none": "Aucun.", "empty": "Rien à montrer.", "perSecond": "dossiers par seconde",
      "tonightLabel": "cette nuit",
      "0-30 days": "0 à 30 jours", "31-60 days": "31 à 60 jours", "61-90 days": "61 à 90 jours",
      "over 90 days": "plus de 90 jours", "kept": "tenues", "partly_kept": "tenues en partie",
      "pending": "en cours", "brokenPromises": "rompues",
      "price": "prix", "double_billing": "double facturation", "quality": "qualité",
      "missing_or_defective": "manquant ou défectueux", "delivery": "livraison", "dates": "délais",
      "administrative": "administratif", "uncategorized": "non classé",
    ],
    "en": [
      "title": "Night report", "dry": "dry run: nothing was written", "asOf": "decided as of",
      "completed": "completed", "failed": "completed with failures", "aborted": "aborted",
      "tonight": "Tonight's money", "proposed": "gestures proposed", "granted": "gestures granted",
      "credit": "credit notes and discounts granted", "penalties": "late penalties claimed",
      "indemnities": "recovery indemnities claimed", "person": "Needs a person",
      "approvals": "gestures to approve", "notices": "formal notices to confirm",
      "court": "court steps to confirm",
      "rulings": "disputes to rule on", "deadlines": "deadlines breached",
      "broken": "promises broken tonight",
      "receivables": "Disputed receivables", "open": "open cases", "disputed": "disputed",
      "byAge": "By age", "byCategory": "By reason", "topCustomers": "Most exposed customers",
      "promises": "Payment promises", "trend": "Trend: disputed amount by night",
      "resolve": "Days to resolve (last 90 days)", "median": "median", "p90": "9 cases in 10 within",
      "p90after": "at most",
      "days": "days", "resolvedCases": "cases resolved", "night": "The night", "visited": "cases visited",
      "asleep": "open cases with nothing due tonight",
      "decisions": "decisions", "failures": "Failures, by plugin and message", "plugin": "Plugin",
      "message": "Message",
      "count": "Cases", "none": "None.", "empty": "Nothing to show.", "perSecond": "cases per second",
      "tonightLabel": "tonight",
      "0-30 days": "0-30 days", "31-60 days": "31-60 days", "61-90 days": "61-90 days",
      "over 90 days": "over 90 days", "kept": "kept", "partly_kept": "partly kept", "pending": "pending",
      "brokenPromises": "broken",
      "price": "price", "double_billing": "double billing", "quality": "quality",
      "missing_or_defective": "missing or defective", "delivery": "delivery", "dates": "dates",
      "administrative": "administrative", "uncategorized": "uncategorized",
    ],
  ]

  func word(_ key: String) -> String { Self.words[language]?[key] ?? key }

  func money(_ minor: Int64) -> String {
    LetterFormat.money(Money(minorUnits: minor, currency: currency), language: language)
  }

  func count(_ value: Int) -> String {
    // Thousands grouped as the language does (a narrow no-break space in French).
    let digits = String(value.magnitude)
    var grouped = ""
    for (index, digit) in digits.enumerated() {
      if index > 0, (digits.count - index) % 3 == 0 { grouped += language == "fr" ? "\u{202F}" : "," }
      grouped.append(digit)
    }
    return (value < 0 ? "-" : "") + grouped
  }

  func day(_ text: String) -> String {
    (try? LocalDate(parsing: text)).map { LetterFormat.date($0, language: language) } ?? text
  }

  /// A horizontal bar chart: each bar's label, value text and raw value, laid out for the SVG.
  func chart(id: String, title: String, bars: [(label: String, value: Int64, text: String)]) -> [String: Any]
  {
    let largest = max(1, bars.map(\.value).max() ?? 1)
    let rowHeight = 26
    // The labels' column fits the longest (about 6.6 units a character at 11 px), within 60 to 250;
    // a longer label is shortened on the page (its full text stays in data-label and the tooltip).
    let longest = bars.map { min($0.label.count, 38) }.max() ?? 0
    let labelWidth = min(250, max(60, Int(Double(longest) * 6.6) + 8))
    let barX = labelWidth + 6
    // The value column fits the longest value text too ("415 899 748,51 €" at a large company).
    let valueRoom = max(60, Int(Double(bars.map(\.text.count).max() ?? 0) * 6.6) + 10)
    let rows: [[String: Any]] = bars.enumerated().map { index, bar in
      let width = Int(
        (Double(max(0, bar.value)) / Double(largest) * Double(max(40, 520 - barX - valueRoom))).rounded())
      let shown = bar.label.count > 38 ? String(bar.label.prefix(37)) + "…" : bar.label
      return [
        "label": bar.label, "shown": shown, "text": bar.text, "value": String(bar.value),
        "y": index * rowHeight + 4, "textY": index * rowHeight + 18,
        "width": max(bar.value > 0 ? 2 : 0, width),
        "labelX": labelWidth, "barX": barX, "valueX": barX + max(bar.value > 0 ? 2 : 0, width) + 6,
      ]
    }
    return [
      "id": id, "title": title, "bars": rows, "empty": rows.isEmpty,
      "height": max(1, rows.count) * rowHeight + 8,
    ]
  }

  func context() -> [String: Any] {
    let figures = report.figures ?? NightFigures()
    let asOf = (try? Timestamp.parse(report.asOf, field: "asOf")) ?? Date()
    let tonight = LocalDate(asOf, in: zone)
    let formatter = DateFormatter()
    formatter.timeZone = zone
    formatter.dateFormat = "HH:mm"
    let ages = ["0-30 days", "31-60 days", "61-90 days", "over 90 days"].map {
      (word($0), report.portfolio.disputedByAge[$0] ?? 0, money(report.portfolio.disputedByAge[$0] ?? 0))
    }
    let categories = report.portfolio.disputedByCategory.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
      .map {
        (word($0.key), $0.value, money($0.value))
      }
    let customers = figures.topCustomers.map {
      ("\($0.name) (\(count($0.openCases)))", $0.disputedMinor, money($0.disputedMinor))
    }
    let promises = ["kept", "partly_kept", "broken", "pending"].map { status -> (String, Int64, String) in
      let value = figures.promises[status] ?? 0
      return (word(status == "broken" ? "brokenPromises" : status), Int64(value), count(value))
    }
    let trend =
      figures.previousNights.map { (day($0.day), $0.disputedMinor, money($0.disputedMinor)) }
      + [
        (
          "\(day(tonight.description)) (\(word("tonightLabel")))", report.portfolio.disputedMinor,
          money(report.portfolio.disputedMinor)
        )
      ]
    // Failures grouped by plugin and message, case numbers taken out of the message.
    var groups: [String: (plugin: String, message: String, count: Int)] = [:]
    for failure in report.failures {
      let plugin = failure.plugin.split(separator: "@").first.map(String.init) ?? failure.plugin
      // Its first line, control characters shown as escapes (as on a terminal); without the folder of
      // the plugin's file; invoice and case numbers and amounts become "…" (one
      // group for every case); a script's line stays.
      let message =
        failure.message
        .replacingOccurrences(
          of: #"(/[^\s:]+/)([^/\s:]+/[^/\s:]+\.lua)"#, with: "$2", options: .regularExpression
        )
        .replacingOccurrences(
          of: #"(?<![.]lua:)(?<![0-9])[0-9][0-9.,]*"#, with: "…", options: .regularExpression
        )
        .split(separator: "\n").first.map { TerminalText.visible(String($0)) } ?? ""
      groups["\(plugin)\u{0}\(message)", default: (plugin, message, 0)].count += 1
    }
    let failureRows = groups.values.sorted { ($0.count, $1.plugin) > ($1.count, $0.plugin) }.map {
      ["plugin": $0.plugin, "message": $0.message, "count": count($0.count)]
    }
    // A plugin suspended for the night: its skipped cases are a failure a manager must see.
    let suspensions: [[String: Any]] = (report.suspendedPlugins ?? []).map { suspension in
      let plugin = suspension.plugin.split(separator: "@").first.map(String.init) ?? suspension.plugin
      let skipped = report.skippedByPlugin?[suspension.plugin] ?? 0
      let reason =
        language == "fr"
        ? "suspendu pour la nuit après des échecs répétés (\(suspension.kind)) : \(count(skipped)) dossiers non examinés"
        : "suspended for the night after repeated failures (\(suspension.kind)): \(count(skipped)) cases skipped"
      return ["plugin": plugin, "message": reason, "count": count(skipped)]
    }
    let tonightMoney = figures.money
    let person = figures.needsPerson
    func tile(_ key: String, _ value: String, _ raw: Int64, bad: Bool = false) -> [String: Any] {
      // A long figure (a billion euros) is set smaller, so that it fits its tile on one line.
      [
        "label": word(key), "value": value, "raw": String(raw), "key": key, "bad": bad,
        "long": value.count > 13,
      ]
    }
    return [
      "lang": language, "title": "\(word("title")) · \(day(tonight.description))",
      "subtitle":
        "\(word("asOf")) \(day(tonight.description)) \(formatter.string(from: asOf)) (\(zone.identifier)) · \(word(report.status))",
      "dry": report.dryRun, "dryText": word("dry"),
      "tonightTitle": word("tonight"),
      "money": [
        tile(
          "proposed",
          "\(count(tonightMoney.gesturesProposed)) · \(money(tonightMoney.gesturesProposedMinor))",
          tonightMoney.gesturesProposedMinor),
        tile(
          "granted", "\(count(tonightMoney.gesturesGranted)) · \(money(tonightMoney.gesturesGrantedMinor))",
          tonightMoney.gesturesGrantedMinor),
        tile("credit", money(tonightMoney.creditNotesMinor), tonightMoney.creditNotesMinor),
        tile("penalties", money(tonightMoney.penaltiesClaimedMinor), tonightMoney.penaltiesClaimedMinor),
        tile(
          "indemnities", money(tonightMoney.indemnitiesClaimedMinor), tonightMoney.indemnitiesClaimedMinor),
      ],
      "personTitle": word("person"),
      "person": [
        tile("approvals", count(person.approvals), Int64(person.approvals), bad: person.approvals > 0),
        tile(
          "notices", count(person.formalNoticesToConfirm), Int64(person.formalNoticesToConfirm),
          bad: person.formalNoticesToConfirm > 0),
        tile(
          "court", count(person.courtStepsToConfirm), Int64(person.courtStepsToConfirm),
          bad: person.courtStepsToConfirm > 0),
        tile("rulings", count(person.rulings), Int64(person.rulings), bad: person.rulings > 0),
        tile(
          "deadlines", count(person.deadlinesBreached), Int64(person.deadlinesBreached),
          bad: person.deadlinesBreached > 0),
        tile(
          "broken", count(person.promisesBrokenTonight), Int64(person.promisesBrokenTonight),
          bad: person.promisesBrokenTonight > 0),
      ],
      "receivablesTitle": word("receivables"),
      "receivables": [
        tile("open", count(report.portfolio.openCases), Int64(report.portfolio.openCases)),
        tile("disputed", money(report.portfolio.disputedMinor), report.portfolio.disputedMinor),
      ],
      "charts": [
        chart(id: "age", title: word("byAge"), bars: ages),
        chart(id: "category", title: word("byCategory"), bars: categories),
        chart(id: "customers", title: word("topCustomers"), bars: customers),
        chart(id: "promises", title: word("promises"), bars: promises),
        chart(id: "trend", title: word("trend"), bars: trend),
      ],
      "emptyText": word("empty"),
      "resolveTitle": word("resolve"),
      "resolve":
        figures.daysToResolve.cases == 0
        ? word("none")
        : "\(word("median")) \(count(figures.daysToResolve.median)) \(word("days")) · \(word("p90")) \(count(figures.daysToResolve.p90)) \(word("days")) \(word("p90after")) · \(count(figures.daysToResolve.cases)) \(word("resolvedCases"))",
      "nightTitle": word("night"),
      "night": [
        tile("visited", count(report.cases), Int64(report.cases))
      ]
        // The wake-up index's share of the night (issue 14): open cases it did not need to read.
        + (report.casesAsleep.map { [tile("asleep", count($0), Int64($0))] } ?? []) + [
          tile(
            "decisions", count(report.decisionsByKind.values.reduce(0, +)),
            Int64(report.decisionsByKind.values.reduce(0, +))),
          tile(
            "perSecond", count(Int(report.casesPerSecond.rounded())), Int64(report.casesPerSecond.rounded())),
        ],
      "failuresTitle": word("failures"), "failures": failureRows + suspensions,
      "noFailures": failureRows.isEmpty && suspensions.isEmpty,
      "noneText": word("none"), "pluginHeader": word("plugin"), "messageHeader": word("message"),
      "countHeader": word("count"),
    ]
  }

  static let template = """
    <!DOCTYPE html>
    <html lang="{{lang}}"><head><meta charset="utf-8"><title>{{title}}</title>
    <style>
    body { font: 14px/1.45 "DejaVu Sans", system-ui, sans-serif; margin: 24px auto; max-width: 1000px; color: #1d232a; background: #fff; }
    h1 { font-size: 22px; margin: 0 0 4px; } .sub { color: #56606b; margin: 0 0 18px; }
    h2 { font-size: 16px; margin: 26px 0 10px; border-bottom: 1px solid #e3e7eb; padding-bottom: 4px; }
    .dry { background: #fff4d6; border: 1px solid #e7c35c; padding: 6px 10px; border-radius: 6px; display: inline-block; }
    .tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 10px; }
    .tile { border: 1px solid #dde3e8; border-radius: 8px; padding: 10px 12px; }
    .tile b { display: block; font-size: 19px; font-variant-numeric: tabular-nums; overflow-wrap: break-word; }
    .tile b.long { font-size: 15px; }
    .tile span { color: #56606b; font-size: 12.5px; }
    .tile.bad { border-color: #e0a3a3; background: #fdf3f3; } .tile.bad b { color: #a3171b; }
    .charts { display: grid; grid-template-columns: 1fr 1fr; gap: 14px 28px; }
    .chart h3 { font-size: 14px; margin: 8px 0 6px; }
    svg text { font: 11px "DejaVu Sans", system-ui, sans-serif; fill: #1d232a; }
    svg rect { fill: #3b6fb6; } #chart-trend svg rect { fill: #6b8e3a; } #chart-customers svg rect { fill: #b0653b; }
    table { border-collapse: collapse; width: 100%; } td, th { text-align: left; padding: 5px 8px; border-bottom: 1px solid #eef1f4; vertical-align: top; }
    td.n { text-align: right; font-variant-numeric: tabular-nums; }
    </style></head><body>
    <h1>{{title}}</h1>
    <p class="sub">{{subtitle}}</p>
    {{#dry}}<p class="dry">{{dryText}}</p>{{/dry}}
    <h2>{{tonightTitle}}</h2>
    <div class="tiles" id="money">{{#money}}<div class="tile" data-key="{{key}}" data-value="{{raw}}"><b{{#long}} class="long"{{/long}}>{{value}}</b><span>{{label}}</span></div>{{/money}}</div>
    <h2>{{personTitle}}</h2>
    <div class="tiles" id="person">{{#person}}<div class="tile{{#bad}} bad{{/bad}}" data-key="{{key}}" data-value="{{raw}}"><b{{#long}} class="long"{{/long}}>{{value}}</b><span>{{label}}</span></div>{{/person}}</div>
    <h2>{{receivablesTitle}}</h2>
    <div class="tiles" id="receivables">{{#receivables}}<div class="tile" data-key="{{key}}" data-value="{{raw}}"><b{{#long}} class="long"{{/long}}>{{value}}</b><span>{{label}}</span></div>{{/receivables}}</div>
    <div class="charts">
    {{#charts}}<div class="chart" id="chart-{{id}}"><h3>{{title}}</h3>
    {{#empty}}<p class="sub">{{emptyText}}</p>{{/empty}}
    {{^empty}}<svg width="100%" viewBox="0 0 520 {{height}}" role="img" aria-label="{{title}}">
    {{#bars}}<g class="bar" data-label="{{label}}" data-value="{{value}}"><title>{{label}}</title><text x="{{labelX}}" y="{{textY}}" text-anchor="end">{{shown}}</text><rect x="{{barX}}" y="{{y}}" width="{{width}}" height="18" rx="2"></rect><text x="{{valueX}}" y="{{textY}}">{{text}}</text></g>
    {{/bars}}</svg>{{/empty}}
    </div>{{/charts}}
    </div>
    <h2>{{resolveTitle}}</h2>
    <p id="resolve">{{resolve}}</p>
    <h2>{{nightTitle}}</h2>
    <div class="tiles" id="night">{{#night}}<div class="tile" data-key="{{key}}" data-value="{{raw}}"><b{{#long}} class="long"{{/long}}>{{value}}</b><span>{{label}}</span></div>{{/night}}</div>
    <h2>{{failuresTitle}}</h2>
    {{#noFailures}}<p>{{noneText}}</p>{{/noFailures}}
    {{^noFailures}}<table id="failures"><tr><th>{{pluginHeader}}</th><th>{{messageHeader}}</th><th>{{countHeader}}</th></tr>
    {{#failures}}<tr><td>{{plugin}}</td><td>{{message}}</td><td class="n">{{count}}</td></tr>
    {{/failures}}</table>{{/noFailures}}
    </body></html>

    """
}

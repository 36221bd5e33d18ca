import Foundation
import LitigeCore
import LitigeStore
import Testing

/// The standard policies over 60 days of a generated company (issue 11's acceptance, trimmed): a night
/// every third day, new cases, messages, payments, answers and resolutions each week, then checks on
/// the journal as a credit manager would.
@Suite("Sixty days of the standard policies")
struct SixtyNightsTests {
  @Test(
    "no claim on what is not owed, no letter on a Sunday or holiday, no gesture granted without its customer")
  func sixtyDays() throws {
    let litige = try Litige.demo()
    let folder = URL(fileURLWithPath: litige.workspace).deletingLastPathComponent()
    let configuration = folder.appendingPathComponent("litige.toml")
    // Rates of the half-years the run crosses beyond the published tables (test values).
    var text = try String(contentsOf: configuration, encoding: .utf8)
    text += "\n[company.ecb_rates]\n\"2026-H2\" = 2.15\n\"2027-H1\" = 2.15\n"
    text += "\n[company.legal_rates]\n\"2026-H2\" = 2.5\n\"2027-H1\" = 2.5\n"
    try text.write(to: configuration, atomically: true, encoding: .utf8)

    let zone = TimeZone(identifier: "Europe/Paris") ?? .current
    let start = LocalDate(Date(), in: zone).adding(days: 1)
    var failedNights: [String] = []
    for night in 0..<20 {
      let day = start.adding(days: 3 * night)
      let result = try litige.run("batch", "--as-of", day.description, "--in-process")
      if result.status != 0 { failedNights.append("\(day): \(result.standardError.suffix(400))") }
      // Each week, people work: a new case, a customer's answer to an offer, a payment, a resolution.
      if night % 2 == 1 {
        let store = try Store.open(path: litige.workspace)
        let cases = try store.cases(matching: CaseFilter(activeOnly: true))
        if let offered = cases.first(where: { $0.gestures.contains { $0.state == .proposed } }),
          let gesture = offered.gestures.first(where: { $0.state == .proposed })
        {
          let verb = night % 4 == 1 ? "accept" : "refuse"
          _ = try litige.run("gesture", verb, String(offered.id), String(gesture.id), "--by", "julien")
        }
        if let open = cases.first(where: { $0.status == .investigating && !$0.invoiceNumbers.isEmpty }) {
          _ = try litige.run(
            "case", "resolve", String(open.id), "--outcome", "partially_accepted", "--new-due-date",
            day.adding(days: 20).description, "--reason", "accord", "--by", "julien")
        }
        _ = try litige.run(
          "case", "open", "--customer", "C0004", "--reason", "Il manque deux cartons sur la livraison",
          "--disputed", "120")
      }
    }
    #expect(failedNights.isEmpty, "\(failedNights)")

    let store = try Store.open(path: litige.workspace)
    let calendar = BusinessCalendar()
    var reached: Set<CaseStatus> = []
    var lettersOnClosedDays: [String] = []
    var ungranted: [String] = []
    var claimsOnNothingOwed: [String] = []
    var activity: [String: Int] = [:]
    for item in try store.cases(matching: CaseFilter()) {
      let events = try store.events(ofCase: item.id)
      var accepted: Set<Int> = [], approved: Set<Int> = [], needsApproval: Set<Int> = []
      for entry in events {
        activity[entry.kind, default: 0] += 1
        switch entry.event {
        case .statusChanged(_, let to): reached.insert(to)
        case .closed: reached.insert(.closed)
        case .sent(let template, let channel, _) where channel == .letter || channel == .registeredLetter:
          if !entry.provenance.isPerson, !calendar.isBusinessDay(LocalDate(entry.at, in: zone)) {
            lettersOnClosedDays.append("case \(item.id) \(template) \(Timestamp.utcText(entry.at))")
          }
        case .gestureProposed(let gesture):
          if gesture.needsApproval && gesture.approvedBy == nil { needsApproval.insert(gesture.id) }
        case .gestureAnswered(let id, true): accepted.insert(id)
        case .gestureApproved(let id, _): approved.insert(id)
        case .gestureGranted(let id, _, _):
          // Gestures of the demo's history before 0.4 have id 0 and no answers; new ones need them.
          if id > 0, !accepted.contains(id) || (needsApproval.contains(id) && !approved.contains(id)) {
            ungranted.append("case \(item.id) gesture \(id)")
          }
        case .escalated(let level, _, _) where level >= .formalNotice && !entry.provenance.isPerson:
          claimsOnNothingOwed.append("case \(item.id): \(level.rawValue) by \(entry.provenance.source)")
        default: break
        }
      }
    }
    #expect(lettersOnClosedDays.isEmpty, "\(lettersOnClosedDays)")
    #expect(ungranted.isEmpty, "\(ungranted)")
    // By default a person decides the formal notice and court: no policy took either step alone.
    #expect(claimsOnNothingOwed.isEmpty, "\(claimsOnNothingOwed)")
    #expect(reached.isSuperset(of: [.acknowledged, .investigating, .proposed, .closed]), "\(reached)")
    // The run did work: letters, proposals, answers, people's decisions and closings.
    for kind in [
      "send", "propose_gesture", "accept_gesture", "refuse_gesture", "resolve", "close", "escalate", "tag",
    ] {
      #expect(activity[kind, default: 0] > 0, "no \(kind) in 60 days: \(activity)")
    }
    let decisions = try litige.run("case", "list", "--queue", "decision", "--json")
    #expect(decisions.status == 0)
  }
}

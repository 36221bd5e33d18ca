import Foundation
import LitigeCore
import LitigePolicies
import LitigeStore
import Testing

@Suite("The story of a case")
struct ExplainTests {
  /// Opens a case with the real command, lets the standard escalation policy run on later days, and
  /// reads the story `litige case explain` tells.
  @Test func explainTellsTheStoryFromOpeningToCourt() throws {
    let litige = try Litige.demo()
    let store = try Store.open(path: litige.workspace)
    let linked = Set(try store.cases(matching: CaseFilter()).flatMap(\.invoiceNumbers))
    let invoice = try #require(
      try store.invoices(ofCustomer: "C0002").first {
        !linked.contains($0.number) && $0.outstanding.minorUnits > 0
      })
    // Half of it is disputed: the other half stays due, and is what the formal notice and court claim.
    let half = Money(minorUnits: invoice.outstanding.minorUnits / 2, currency: invoice.outstanding.currency)
    let opened = try litige.run([
      "case", "open", "--customer", "C0002", "--invoice", "\(invoice.number)=\(half.decimalText)",
      "--reason", "Le prix facturé ne correspond pas au devis signé",
    ])
    #expect(opened.status == 0, "\(opened.standardError)")
    let id = try #require(try store.caseIds(matching: CaseFilter()).max())
    let openedAt = try #require(try store.disputeCase(id: id)?.openedAt)
    // Court needs a real amicable attempt: a person records the conciliation that was tried.
    let attempt = try litige.run(
      "case", "attempt", String(id), "conciliation", "--reason", "conciliateur de justice saisi", "--by",
      "Léa")
    #expect(attempt.status == 0, "\(attempt.standardError)")

    let folder = URL(fileURLWithPath: litige.workspace).deletingLastPathComponent()
    let bundled = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("plugins")
    // Nights on working days (letters are never dated a Sunday or a holiday); a person decides the
    // formal notice and court when the policy proposes them.
    let calendar = BusinessCalendar()
    var day = 0
    func night(after days: Int) throws {
      day = max(day + 1, days)
      while !calendar.isBusinessDay(
        LocalDate(openedAt.addingTimeInterval(Double(day) * 86_400), in: store.settings.timeZone))
      {
        day += 1
      }
      let host = try PluginHost(
        store: store, now: openedAt.addingTimeInterval(Double(day) * 86_400),
        configuration: try WorkspaceConfiguration.load(folder: folder, bundled: bundled),
        limits: .init(timeout: .seconds(20)))
      let outcomes = host.run(hook: "escalate", caseId: id, runId: "night-\(day)")
      #expect(outcomes.allSatisfy { $0.failure == nil }, "\(outcomes.compactMap(\.failure))")
    }
    // The ladder's days count from the last step: a holiday that moves the first night (day 31 on New
    // Year's Day) moves the next one too, whatever the day the test runs.
    try night(after: 31)
    let firstNight = day
    try night(after: day + 21)
    #expect(
      try litige.run(
        "case", "escalate", String(id), "formal_notice", "--reason", "accord de la direction", "--by", "Léa"
      )
      .status == 0)
    try night(after: day + 1)
    try night(after: day + 31)
    #expect(
      try litige.run(
        "case", "escalate", String(id), "court", "--reason", "assignation décidée", "--by", "Léa"
      ).status
        == 0)

    let story = try litige.run("case", "explain", String(id))
    #expect(story.status == 0)
    let lines = story.standardOutput.split(separator: "\n").map(String.init)
    let milestones = [
      "opened by email", "categorized as price", "assigned to sales", "sent 'acknowledgement' by email",
      "status open -> acknowledged", "amicable attempt recorded: conciliation",
      "escalated from amicable to mediation", "tagged formal_notice_proposed",
      "escalated from mediation to formal_notice", "sent 'formal_notice' by registered_letter",
      "tagged court_proposed", "escalated from formal_notice to court (tribunal_",
      "Now: acknowledged",
    ]
    var position = 0
    for milestone in milestones {
      let found = lines[position...].firstIndex { $0.contains(milestone) }
      #expect(found != nil, "'\(milestone)' missing or out of order in:\n\(story.standardOutput)")
      position = (found ?? position) + 1
    }
    #expect(
      story.standardOutput.contains("by escalation@1.3.2 (escalate): \(firstNight) days without progress"))
    #expect(story.standardOutput.contains("by user:Léa (case escalate): accord de la direction"))
    #expect(story.standardOutput.contains("court"))
    // The route follows what is claimed (domain.md §4), and says so.
    #expect(story.standardOutput.contains("EUR claimed)"))
  }
}

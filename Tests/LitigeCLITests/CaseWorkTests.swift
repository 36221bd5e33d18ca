import Foundation
import LitigeCore
import LitigeStore
import Testing

/// The commands of the people who work cases, driven as a credit team would.
@Suite("Working a case from the command line")
struct CaseWorkTests {
  @Test("assign, a payment in two parts, resolve, close and reopen: each journaled with its author")
  func aCaseThroughItsLife() throws {
    let litige = try Litige.demo()
    let store = try Store.open(path: litige.workspace)
    let item = try #require(
      try store.cases(matching: CaseFilter(status: .open)).first { !$0.invoiceNumbers.isEmpty })
    let invoice = item.invoiceNumbers[0]
    let paidBefore = try #require(try store.invoice(number: invoice)).paid
    let id = String(item.id)

    var result = try litige.run("case", "close", id, "--by", "Léa")
    #expect(result.status == 1)
    #expect(result.standardError.contains("resolve it first"))

    result = try litige.run("case", "assign", id, "legal", "--by", "Léa", "--reason", "montant élevé")
    #expect(result.status == 0)
    #expect(result.standardOutput.contains("assigned to legal (by Léa)"))
    #expect(
      try litige.run("case", "assign", id, "legal", "--by", "Léa").standardOutput.contains("nothing changed"))

    for (reference, amount) in [("VIR-1", "100,25"), ("VIR-2", "50.00")] {
      result = try litige.run(
        "payment", "add", invoice, amount, "--reference", reference, "--on", "2026-11-20", "--by", "Léa")
      #expect(result.status == 0, "\(result.standardError)")
    }
    result = try litige.run("payment", "add", invoice, "1", "--reference", "VIR-2", "--by", "Léa")
    #expect(result.status == 1)
    #expect(result.standardError.contains("already recorded"))
    let listed = try litige.run("payment", "list", invoice, "--json")
    let payments =
      try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) as? [[String: String]]
    #expect(payments?.suffix(2).map { $0["amount"] ?? "" } == ["100.25", "50.00"])
    #expect(payments?.last?["recorded_by"] == "Léa")
    #expect(
      try Store.open(path: litige.workspace).invoice(number: invoice)?.paid.minorUnits == paidBefore
        .minorUnits + 15_025)

    result = try litige.run(
      "case", "resolve", id, "--outcome", "partially_accepted", "--new-due-date", "2099-01-31",
      "--promise", "10.00", "--reason", "avoir partiel, promesse obtenue", "--by", "Léa", "--json")
    #expect(result.status == 0, "\(result.standardError)")
    let resolved =
      try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [[String: Any]]
    #expect(resolved?.first?["kind"] as? String == "resolve")
    #expect(resolved?.first?["source"] as? String == "user:Léa")

    #expect(try litige.run("case", "close", id, "--by", "Léa").status == 0)
    #expect(try Store.open(path: litige.workspace).disputeCase(id: item.id)?.status == .closed)
    result = try litige.run("case", "reopen", id, "--reason", "nouvelle réclamation", "--by", "Marc")
    #expect(result.status == 0)
    let reopened = try #require(try Store.open(path: litige.workspace).disputeCase(id: item.id))
    #expect(reopened.status == .investigating && reopened.outcome == nil)
    #expect(try Store.open(path: litige.workspace).invoice(number: invoice)?.collectionSuspended == true)

    let story = try litige.run("case", "explain", id).standardOutput
    let order = [
      "assigned to legal", "payment of 100.25", "payment of 50.00", "resolved: partially_accepted",
      "closed (was resolved)", "reopened (was closed)",
    ]
    var position = story.startIndex
    for step in order {
      let found = try #require(
        story.range(of: step, range: position..<story.endIndex), "\(step) missing or out of order")
      position = found.upperBound
    }
    #expect(story.contains("by user:Marc (case reopen): nouvelle réclamation"))
  }

  @Test("case list --queue shows a person's work queues")
  func workQueues() throws {
    let litige = try Litige.demo()
    let store = try Store.open(path: litige.workspace)
    let proposed = try store.cases(matching: CaseFilter()).filter {
      $0.status == .proposed || $0.status == .awaitingCustomer
    }
    let listed = try litige.run("case", "list", "--queue", "proposed", "--json")
    let cases = try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) as? [[String: Any]]
    #expect(cases?.compactMap { $0["id"] as? Int }.sorted() == proposed.map { Int($0.id) }.sorted())
    #expect(try litige.run("case", "list", "--queue", "bogus").status == 2)
  }
}

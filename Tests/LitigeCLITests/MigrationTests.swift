import Foundation
import LitigeCore
import LitigeStore
import Testing

/// A workspace made by litige 0.3.0 (`litige init --demo`, four nights, payments, a resolution, a
/// close and a reopen), kept as an SQL dump in Tests/Fixtures, opened by today's litige.
@Suite("A 0.3.0 workspace migrates")
struct MigrationTests {
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent()
    .appendingPathComponent("Fixtures")

  /// Restores the fixture into a fresh folder with `gzip` and `sqlite3` (installed by `make deps`).
  static func restore() throws -> Litige {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("litige-v030-\(UUID())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let database = folder.appendingPathComponent("w.sqlite").path
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = [
      "-c", "gzip -dc \"$1\" | sqlite3 \"$2\"", "restore",
      fixtures.appendingPathComponent("workspace-v0.3.0.sql.gz").path, database,
    ]
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "gzip and sqlite3 restore the fixture")
    try FileManager.default.copyItem(
      at: fixtures.appendingPathComponent("workspace-v0.3.0.toml"),
      to: folder.appendingPathComponent("litige.toml"))
    return Litige(workspace: database)
  }

  @Test("its history reads back, its amounts become a ledger, and a night runs on it")
  func opensWithItsHistory() throws {
    let litige = try Self.restore()
    let before = try Self.counts(litige.workspace)
    let list = try litige.run("case", "list", "--json")
    #expect(list.status == 0, "\(list.standardError)")
    let store = try Store.open(path: litige.workspace)
    // Every event of the old journal reads back as a typed event, none lost.
    var events = 0
    for id in try store.caseIds(matching: CaseFilter()) { events += try store.events(ofCase: id).count }
    #expect(events == before.events)
    // Disputed amounts became portions, never more than an invoice's total; resolved cases froze nothing.
    for item in try store.cases(matching: CaseFilter()) {
      for invoice in try store.invoices(ofCase: item.id) {
        let portion = item.portions[invoice.number] ?? .zero(.euro)
        #expect(portion <= invoice.total, "case \(item.id) invoice \(invoice.number)")
        if !item.status.isActive {
          let ledger = try #require(try store.ledger(ofInvoice: invoice.number))
          #expect(ledger.disputes.first { $0.caseId == item.id }?.open == false)
        }
      }
      // Gestures of 0.3 were granted at once: they keep that state, now numbered.
      #expect(item.gestures.allSatisfy { $0.state == .granted && $0.id > 0 })
    }
    // A granted credit note or discount now lowers what the invoice owes.
    let credited = try store.cases(matching: CaseFilter()).filter {
      $0.gestures.contains { $0.kind == .creditNote || $0.kind == .discount } && !$0.invoiceNumbers.isEmpty
    }
    #expect(!credited.isEmpty)
    for item in credited {
      let adjustments = try item.invoiceNumbers.flatMap { try store.adjustments(ofInvoice: $0) }
      #expect(
        adjustments.contains { $0.caseId == item.id && $0.adjustment.kind == .credit }, "case \(item.id)")
    }
    // The payment recorded with 0.3 is still there; the story of the reopened case is intact.
    #expect(try store.payments(ofInvoice: "F-2026-00264").map(\.payment.reference).contains("VIR-1"))
    let story = try litige.run("case", "explain", "40")
    #expect(story.status == 0)
    #expect(story.standardOutput.contains("reopened (was closed)"))
    #expect(story.standardOutput.contains("gesture: voucher of"))
    // The nightly run works on it and changes nothing twice.
    let night = try litige.run("batch", "--as-of", "2027-05-01", "--in-process")
    #expect(night.status == 0, "\(night.standardError)")
    let again = try litige.run("batch", "--as-of", "2027-05-01", "--in-process")
    #expect(again.standardOutput.contains("0 decisions applied"), "\(again.standardOutput)")
    let after = try Self.counts(litige.workspace)
    #expect(after.cases == before.cases && after.payments >= before.payments)
  }

  static func counts(_ path: String) throws -> (cases: Int, events: Int, payments: Int) {
    let store = try Store.open(path: path)
    let counts = try store.counts()
    var payments = 0
    for number in try store.cases(matching: CaseFilter()).flatMap(\.invoiceNumbers) {
      payments += try store.payments(ofInvoice: number).count
    }
    return (counts["cases", default: 0], counts["events", default: 0], payments)
  }
}

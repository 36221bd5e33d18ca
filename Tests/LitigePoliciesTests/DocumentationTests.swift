import Foundation
import LitigeCore
import Testing

@testable import LitigePolicies

/// docs/policies.md stays true: its worked example is written out and its policy tests are run.
@Suite("The authoring guide")
struct DocumentationTests {
  @Test func theWorkedExampleOfThePolicyGuidePassesItsOwnTests() throws {
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let guide = try String(contentsOf: repository.appendingPathComponent("docs/policies.md"), encoding: .utf8)
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("litige-docs-\(UUID())")
    let pattern = #/<!-- file: (?<path>[^ ]+) -->\n```lua\n(?<code>(?s:.*?))```/#
    var written: [String] = []
    for match in guide.matches(of: pattern) {
      let url = folder.appendingPathComponent(String(match.path))
      try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try String(match.code).write(to: url, atomically: true, encoding: .utf8)
      written.append(String(match.path))
    }
    #expect(written == ["late_delivery_voucher/init.lua", "late_delivery_voucher/tests/voucher_test.lua"])
    let test = folder.appendingPathComponent("late_delivery_voucher/tests/voucher_test.lua")
    let results = PolicyTests.run(file: test, searchPaths: [(folder, "docs")])
    #expect(results.count == 3)
    for result in results { #expect(result.failure == nil, "\(result.name): \(result.failure ?? "")") }
  }

  @Test("the guide's table of test keys, of case keys and of caps is the product's")
  func theGuideMatchesTheProduct() throws {
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let guide = try String(contentsOf: repository.appendingPathComponent("docs/policies.md"), encoding: .utf8)
    let section = try #require(guide.range(of: "## Testing policies"))
    let rows = guide[section.upperBound...].split(separator: "\n").prefix { !$0.hasPrefix("## ") }
      .compactMap { $0.firstMatch(of: #/^\| `([a-z_]+)` \|/#)?.1 }.map(String.init)
    #expect(Set(rows) == Set(PolicyTests.testKeys), "\(Set(rows).symmetricDifference(PolicyTests.testKeys))")
    let caseRow = try #require(guide.split(separator: "\n").first { $0.hasPrefix("| `case` |") })
    let caseKeys =
      caseRow.split(separator: "`").dropFirst(3).first.map {
        $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
      } ?? []
    #expect(Set(caseKeys) == Set(PolicyTests.tableKeys["case"] ?? []))
    let caps = CompanySettings().gestureCaps
    let written = [GestureKind.discount, .creditNote, .refund, .replacement, .voucher].map {
      (caps[$0]?.major).map { String(format: "%.0f", $0) } ?? "?"
    }
    #expect(guide.contains("defaults \(written[0]), 2,000, 1,000, 1,500 and \(written[4]) EUR"))
    #expect(written == ["500", "2000", "1000", "1500", "150"])
  }
}

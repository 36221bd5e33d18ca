import Foundation
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
}

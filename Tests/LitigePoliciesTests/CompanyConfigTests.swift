import Foundation
import LitigeCore
import Testing

@testable import LitigePolicies

/// `[company]`, `[approvers]`, `[gestures.caps]` and the rate tables of litige.toml.
@Suite("The company's settings in litige.toml")
struct CompanyConfigTests {
  private func load(_ text: String) throws -> WorkspaceConfiguration {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("litige-company-\(UUID())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try Data(text.utf8).write(to: folder.appendingPathComponent("litige.toml"))
    return try WorkspaceConfiguration.load(folder: folder, bundled: nil)
  }

  @Test("a complete company section is read into the core's settings")
  func reads() throws {
    let configuration = try load(
      """
      [company]
      name = "Exemple SAS"
      legal_form = "SAS"
      siren = "123 456 782"
      currency = "eur"
      time_zone = "Europe/Paris"
      holidays = "fr-alsace-moselle"
      closed_days = ["2026-12-24"]
      penalty_rate = 12.5
      penalties_on_disputed = "accrue"
      follow_up_days = 45
      require_amicable_attempt = false

      [company.ecb_rates]
      "2026-H2" = 2.15

      [approvers]
      claire = 5000
      marc = 20000.50

      [gestures.caps]
      voucher = 80
      """)
    let company = configuration.company
    #expect(configuration.definesCompany)
    #expect(company.profile.siren == "123456782")
    #expect(company.currency == .euro)
    #expect(company.calendar.holidays == .franceAlsaceMoselle)
    #expect(!company.calendar.isBusinessDay(try LocalDate(parsing: "2026-12-24")))
    #expect(company.penaltyRates.contractRate == 1_250)
    #expect(company.penaltyRates.ecbRates[HalfYear(year: 2026, half: 2)] == 215)
    #expect(company.penaltiesOnDisputed == .accrue)
    #expect(company.followUpDays == 45 && !company.requireAmicableAttempt)
    #expect(company.approvers["marc"] == Money(minorUnits: 2_000_050, currency: .euro))
    #expect(company.gestureCaps[.voucher] == Money(minorUnits: 8_000, currency: .euro))
    #expect(company.gestureCaps[.discount] == Money(minorUnits: 50_000, currency: .euro))  // default kept
  }

  @Test(
    "every bad value names the file, the line and the key",
    arguments: [
      ("[company]\nsiren = \"123456789\"\n", "litige.toml:2: [company] siren: expected nine digits"),
      ("[company]\nsiren = \"000000000\"\n", "litige.toml:2: [company] siren"),
      ("[company]\nname = \"  \"\n", "litige.toml:2: [company] name: expected the company's name"),
      ("[company]\ncurrency = \"XYZ\"\n", "litige.toml:2: [company] currency: expected an ISO 4217 code"),
      ("[company]\ntime_zone = \"Mars/Olympus\"\n", "litige.toml:2: [company] time_zone"),
      (
        "[company]\nholidays = \"de\"\n",
        "litige.toml:2: [company] holidays: expected fr, fr-alsace-moselle or none"
      ),
      ("[company]\nfollow_up_days = 0\n", "litige.toml:2: [company] follow_up_days"),
      (
        "[company]\nfollow_up_days = 99999999999999999999\n",
        "litige.toml:2: follow_up_days: cannot read the value"
      ),
      (
        "[company]\npenalty_rate = 12.345\n",
        "litige.toml:2: [company] penalty_rate: expected at most two decimals"
      ),
      ("[company]\npenalty_rate = -1\n", "litige.toml:2: [company] penalty_rate"),
      ("[company]\ncolour = \"blue\"\n", "litige.toml:2: [company] unknown key 'colour'"),
      ("[company.ecb_rates]\n\"2026-H3\" = 2\n", "litige.toml:2: [company.ecb_rates] '2026-H3'"),
      (
        "[approvers]\nclaire = \"beaucoup\"\n", "litige.toml:2: [approvers] claire: expected an amount in EUR"
      ),
      ("[approvers]\nclaire = 5000.005\n", "litige.toml:2: [approvers] claire: expected at most 2 decimals"),
      ("[approvers]\nclaire = 1e20\n", "litige.toml:2: [approvers] claire: expected an amount from 0"),
      ("[gestures.caps]\ngift = 10\n", "litige.toml:2: [gestures.caps] unknown gesture kind 'gift'"),
      ("[gestures.caps]\nvoucher = -5\n", "litige.toml:2: [gestures.caps] voucher"),
    ])
  func refused(text: String, expected: String) {
    do {
      _ = try load(text)
      Issue.record("accepted: \(text)")
    } catch let error as ConfigError {
      // The file is named as a path; from it on, the line, the table, the key and what was expected.
      #expect(error.message.contains("/" + expected), "\(error.message)")
    } catch {
      Issue.record("\(error)")
    }
  }

  @Test("a basic string takes TOML's escapes, \\u and \\U included")
  func escapes() throws {
    let configuration = try load(
      #"""
      [company]
      name = "Caf\u00E9 \"Chez L\u00e9a\" \U0001F950"
      address = "1 rue du Four\\B\u00e2t. A"
      """#)
    #expect(configuration.company.profile.name == "Café \"Chez Léa\" 🥐")
    #expect(configuration.company.profile.address == "1 rue du Four\\Bât. A")
  }

  @Test(
    "an escape TOML does not define, or one naming no character, is refused on its line",
    arguments: [
      #"name = "Caf\u00G9""#, #"name = "Caf\u0E""#, #"name = "x\uD800""#, #"name = "x\U00110000""#,
      #"name = "x\a""#, #"name = "x\u""#,
    ])
  func badEscapes(line: String) {
    do {
      _ = try load("[company]\n" + line + "\n")
      Issue.record("accepted: \(line)")
    } catch {
      #expect("\(error)".contains("/litige.toml:2: "), "\(error)")
      #expect("\(error)".contains("escape"), "\(error)")
    }
  }

  @Test("a byte that is not UTF-8 is reported on its line")
  func badEncoding() {
    var bytes = Array("[company]\nname = \"Exemple\"\naddress = \"1 rue \u{E9}\"\n".utf8)
    bytes.append(contentsOf: [0x61, 0x3D, 0x22, 0xFF, 0x22, 0x0A])
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("litige-company-\(UUID())")
    do {
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      try Data(bytes).write(to: folder.appendingPathComponent("litige.toml"))
      _ = try WorkspaceConfiguration.load(folder: folder, bundled: nil)
      Issue.record("accepted")
    } catch {
      #expect(
        "\(error)".hasSuffix("/litige.toml:4: the file is not UTF-8 text (save it as UTF-8)"), "\(error)")
    }
  }

  /// What stands at litige.toml's place, made by `make` in an empty folder.
  @Test(
    "a folder, a named pipe or a dangling link in litige.toml's place is an error, not a night without plugins",
    arguments: ["folder", "fifo", "dangling link"])
  func notAFile(kind: String) throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("litige-company-\(UUID())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let path = folder.appendingPathComponent("litige.toml").path
    switch kind {
    case "folder": try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    case "fifo": #expect(mkfifo(path, 0o600) == 0)
    default:
      try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "/nowhere/litige.toml")
    }
    let expected = [
      "folder": "/litige.toml: is a folder, not a file (expected the workspace's TOML settings)",
      "fifo": "/litige.toml: is a named pipe (FIFO), not a file (expected the workspace's TOML settings)",
      "dangling link": "/litige.toml: the link leads to no file (No such file or directory)",
    ]
    // Returns at once (a FIFO is never opened: reading it would wait for a writer).
    #expect {
      _ = try WorkspaceConfiguration.load(folder: folder, bundled: nil)
    } throws: { error in
      "\(error)".hasSuffix(expected[kind] ?? "?")
    }
    // Nor is a file of more than a megabyte read (a sparse gigabyte took minutes).
    try FileManager.default.removeItem(atPath: path)
    #expect(FileManager.default.createFile(atPath: path, contents: nil))
    let handle = try #require(FileHandle(forWritingAtPath: path))
    try handle.truncate(atOffset: 1 << 30)
    try handle.close()
    #expect {
      _ = try WorkspaceConfiguration.load(folder: folder, bundled: nil)
    } throws: { error in
      "\(error)".hasSuffix(
        "/litige.toml: 1073741824 bytes; a settings file is at most 1 MB (is it the right file?)")
    }
    // No file at all is still "no plugin enabled".
    try FileManager.default.removeItem(atPath: path)
    #expect(try WorkspaceConfiguration.load(folder: folder, bundled: nil).enabled.isEmpty)
  }
}

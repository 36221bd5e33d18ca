import Foundation
import Testing

/// The product installed by `make install` into a temporary prefix.
///
/// Then used from another folder with nothing of the toolchain or the checkout in its environment
/// (issue 13). Slow: a release build; `make test-slow` runs it.
@Suite("make install", .enabled(if: ProcessInfo.processInfo.environment["LITIGE_SLOW_TESTS"] == "1"))
struct InstallTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  /// Runs `executable arguments` in `directory` with only `environment`; returns status and output.
  func run(_ executable: String, _ arguments: [String], in directory: URL, environment: [String: String])
    throws -> (status: Int32, output: String)
  {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = directory
    process.environment = environment
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }

  @Test("installs the static binary, the plugins, the man page and completions; the demo runs from elsewhere")
  func installAndRun() throws {
    let prefix = FileManager.default.temporaryDirectory.appendingPathComponent("litige-prefix-\(UUID())")
    var environment = ProcessInfo.processInfo.environment
    environment["PREFIX"] = prefix.path
    let make = try run(
      "/usr/bin/make", ["install", "PREFIX=\(prefix.path)"], in: Self.root, environment: environment)
    #expect(make.status == 0, "\(make.output.suffix(2_000))")

    let binary = prefix.appendingPathComponent("bin/litige").path
    for file in [
      "share/litige/plugins/triage/init.lua", "share/man/man1/litige.1",
      "share/bash-completion/completions/litige",
      "share/zsh/site-functions/_litige", "share/fish/vendor_completions.d/litige.fish",
    ] {
      let size =
        (try? FileManager.default.attributesOfItem(atPath: prefix.appendingPathComponent(file).path)[.size]
          as? Int) ?? 0
      #expect(size > 0, "\(file) missing or empty")
    }
    // No Swift runtime library is needed at run time.
    let ldd = try run("/usr/bin/ldd", [binary], in: prefix, environment: ["PATH": "/usr/bin:/bin"])
    #expect(!ldd.output.contains("libswift") && !ldd.output.contains("libFoundation"), "\(ldd.output)")

    // Another folder, no LITIGE_PLUGINS, no toolchain on the PATH.
    let elsewhere = FileManager.default.temporaryDirectory.appendingPathComponent(
      "litige-elsewhere-\(UUID())")
    try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
    let clean = ["PATH": "/usr/bin:/bin", "HOME": elsewhere.path, "LITIGE_USER": "test"]
    let version = try run(binary, ["--version"], in: elsewhere, environment: clean)
    #expect(version.status == 0 && version.output.hasPrefix("litige 0.4.0"), "\(version.output)")
    let initialized = try run(binary, ["init", "--demo"], in: elsewhere, environment: clean)
    #expect(initialized.status == 0, "\(initialized.output)")
    let plugins = try run(binary, ["plugins", "list"], in: elsewhere, environment: clean)
    for name in ["triage", "acknowledgement", "compensation", "escalation", "receivables", "follow_up"] {
      #expect(plugins.output.contains(name), "\(plugins.output)")
    }
    let night = try run(binary, ["batch", "--in-process"], in: elsewhere, environment: clean)
    #expect(night.status == 0, "\(night.output.suffix(1_000))")
    #expect(night.output.contains("decisions applied"))
    let manual = try String(
      contentsOf: prefix.appendingPathComponent("share/man/man1/litige.1"), encoding: .utf8)
    #expect(manual.contains(".Dt LITIGE 1") && manual.contains("LITIGE_PLUGINS") && manual.contains("import"))
  }
}

import ArgumentParser
import Foundation
import LitigeCore
import LitigePolicies

struct TestCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "test",
    abstract: "Run policy tests (plugins/NAME/tests/*.lua) against throwaway stores; exit 1 on any failure.",
    discussion: """
      Each DIR is a folder of plugins or one plugin's folder. Without any: the plugin folders of the
      workspace's litige.toml, then the bundled plugins.
      """)

  @OptionGroup var workspace: WorkspaceOptions

  @Argument(help: "Folders of plugins, or plugins' folders.")
  var directories: [String] = []

  @Flag(help: "Print the results as JSON: every test with its file, name, and failure (null when it passed).")
  var json = false

  func run() throws {
    let bundled = WorkspaceConfiguration.bundledPluginsFolder()
    var folders: [URL] = []
    if !directories.isEmpty {
      folders = directories.map { URL(fileURLWithPath: $0) }
    } else {
      let workspaceFolder = URL(fileURLWithPath: workspace.path).deletingLastPathComponent()
      do {
        folders = try WorkspaceConfiguration.load(folder: workspaceFolder, bundled: bundled).pluginPaths.map(
          \.url)
      } catch let error as ConfigError {
        throw Failure(error.message)
      }
    }
    let files = folders.flatMap(PolicyTests.files(in:))
    guard !files.isEmpty else {
      throw Failure("no policy tests (tests/*.lua) under \(folders.map(\.path).joined(separator: ", "))")
    }
    var passed = 0
    var failed = 0
    var rows: [[String: Any]] = []
    for file in files {
      let pluginsFolder = file.deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
      var searchPaths = [(url: pluginsFolder, display: WorkspaceConfiguration.relativeDisplay(pluginsFolder))]
      if let bundled, bundled.standardizedFileURL != pluginsFolder.standardizedFileURL {
        searchPaths.append((bundled, WorkspaceConfiguration.relativeDisplay(bundled)))
      }
      let results = PolicyTests.run(file: file, searchPaths: searchPaths)
      if !json { print(TerminalText.visible(results.first?.file ?? file.path)) }
      for result in results {
        rows.append(["file": result.file, "name": result.name, "failure": result.failure ?? NSNull()])
        if let failure = result.failure {
          failed += 1
          if !json {
            print("  ✘ \(TerminalText.visible(result.name))")
            print(
              failure.split(separator: "\n").map { "      " + TerminalText.visible(String($0)) }
                .joined(separator: "\n"))
          }
        } else {
          passed += 1
          if !json { print("  ✔ \(TerminalText.visible(result.name))") }
        }
      }
    }
    if json {
      print(jsonText(["passed": passed, "failed": failed, "tests": rows] as [String: Any]))
    } else {
      print("\(passed) passed, \(failed) failed")
    }
    if failed > 0 { throw ExitCode(1) }
  }
}

import ArgumentParser
import Foundation
import LitigeCore
import LitigePolicies
import LitigeStore
import LuaHost

/// Loads the workspace's plugins for a command: the store and a plugin host over it.
struct PolicyContext {
  let store: Store
  let host: PluginHost

  /// Throws `Failure` with every configuration problem, one per line.
  init(workspace: WorkspaceOptions, now: Date = Date(), requireWorkspace: Bool = true) throws {
    let exists = FileManager.default.fileExists(atPath: workspace.path)
    store = try exists || requireWorkspace ? workspace.openStore() : Store.inMemory()
    do {
      let folder = URL(fileURLWithPath: workspace.path).deletingLastPathComponent()
      let configuration = try WorkspaceConfiguration.load(
        folder: folder, bundled: WorkspaceConfiguration.bundledPluginsFolder())
      host = try PluginHost(store: store, now: now, configuration: configuration)
    } catch let error as ConfigError {
      throw Failure(error.message)
    } catch let error as LuaError {
      throw Failure(error.message)
    }
  }

  /// Runs `hook` on `caseId` and prints what each plugin decided; returns whether all calls succeeded.
  func runAndReport(hook: String, caseId: Int64, runId: String, subject: LuaValue? = nil) -> Bool {
    var succeeded = true
    for outcome in host.run(hook: hook, caseId: caseId, runId: runId, subject: subject) {
      if let failure = outcome.failure {
        succeeded = false
        FileHandle.standardError.write(
          Data("litige: \(outcome.plugin) \(hook) failed on case \(caseId): \(failure)\n".utf8))
        continue
      }
      for event in outcome.events {
        print(
          "  \(outcome.plugin): \(Story.describe(event))" + (event.reason.isEmpty ? "" : " (\(event.reason))")
        )
      }
    }
    return succeeded
  }
}

struct PluginsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plugins", abstract: "List and check the workspace's policy plugins.",
    subcommands: [List.self, Check.self])

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show the enabled plugins, their versions, priorities, hooks and settings.")
    @OptionGroup var workspace: WorkspaceOptions

    func run() throws {
      let context = try PolicyContext(workspace: workspace, requireWorkspace: false)
      guard !context.host.plugins.isEmpty else {
        print("No plugin is enabled: add [plugins.NAME] tables to litige.toml beside the workspace.")
        return
      }
      var table = TextTable(headers: ["PLUGIN", "VERSION", "PRIORITY", "HOOKS", "FOLDER"], rightAligned: [2])
      table.rows = context.host.plugins.map {
        [$0.name, $0.version, String($0.priority), $0.hookNames.joined(separator: ","), $0.displayFolder]
      }
      print(table.render())
      for plugin in context.host.plugins where !plugin.schema.isEmpty {
        print("\n\(plugin.name) settings")
        for field in plugin.schema {
          let value = plugin.config[field.name].map(Self.show) ?? "-"
          print("  \(field.name) = \(value)  (\(field.type))  \(field.documentation)")
        }
      }
    }

    static func show(_ value: LuaValue) -> String {
      switch value {
      case .string(let text): return "\"\(text)\""
      case .integer(let number): return String(number)
      case .number(let number): return String(number)
      case .boolean(let flag): return String(flag)
      default: return value.sequence.map(show).joined(separator: ", ")
      }
    }
  }

  struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Validate litige.toml and every enabled plugin; exit 1 on any problem.")
    @OptionGroup var workspace: WorkspaceOptions

    func run() throws {
      let context = try PolicyContext(workspace: workspace, requireWorkspace: false)
      let count = context.host.plugins.count
      print("\(count) plugin\(count == 1 ? "" : "s") enabled, configuration valid.")
    }
  }
}

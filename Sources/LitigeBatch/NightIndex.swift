import Foundation
import LitigeCore
import LitigePolicies
import LitigeStore
import LuaHost

/// The night's wake-up index (issue 14): which cases a night visits, and the dates it records.
///
/// Every visited case gets the first night on which a plugin or the core may decide something on it
/// if nothing changes: the earliest of what each night hook call declared (`litige.wake_on`,
/// `litige.wake_on_change`) and of the core's own lifecycle dates (`CaseRules.lifecycleWake`). A call
/// that declared nothing, failed or was skipped makes the case due the next night, as does a
/// decision unless the calls, asked again on the decided state (`BatchRunner.probe`), would decide
/// nothing more and declare a later date. The store resets the date when anything changes the case
/// (schema v10's triggers). The
/// dates hold for the plugins and configuration that computed them: when their fingerprint differs
/// from the stored one, the night visits every case (and records the new fingerprint once complete).
public enum NightIndex {
  /// The stored form of a day, `YYYYMMDD` (`cases.wake_on`).
  public static func key(_ day: LocalDate) -> Int { day.year * 10_000 + day.month * 100 + day.day }
  /// A case due every night.
  public static let everyNight = 0
  /// A case due only when it changes.
  public static let onChange = 99_991_231

  /// The stored date for `wake` after the night of `today` (nil: due the next night).
  static func key(of wake: Wake?, today: LocalDate) -> Int {
    switch Wake.kept(wake, after: today) {
    case nil: return everyNight
    case .onChange?: return onChange
    case .on(let day)?: return key(day)
    }
  }

  /// What the stored dates depend on: the hooks the night runs, each plugin's name, version, files
  /// and configuration in force, the workspace file, and the version of these rules.
  public static func fingerprint(
    plugins: [LoadedPlugin], configuration: WorkspaceConfiguration, hooks: [String]
  ) -> String {
    var digest = ContentDigest()
    digest.add("litige night index 1")
    digest.add(hooks.joined(separator: ","))
    digest.add(configuration.digest.description)
    for plugin in plugins {
      digest.add(plugin.provenanceName)
      digest.add(plugin.sourceDigest.description)
      for key in plugin.config.keys.sorted() {
        digest.add(key)
        digest.add(stableText(plugin.config[key] ?? .nil))
      }
    }
    return digest.description
  }

  /// A configuration value as text whose order does not depend on the process (tables sorted by key).
  static func stableText(_ value: LuaValue) -> String {
    switch value {
    case .table(let fields):
      let entries = fields.map { (stableText($0.key), stableText($0.value)) }.sorted { $0.0 < $1.0 }
      return "{" + entries.map { "\($0.0)=\($0.1)" }.joined(separator: ",") + "}"
    default: return String(describing: value)
    }
  }
}

/// One chunk of a night: the visited cases with ids from `first` through `last`; or, in the invoice
/// pass that follows them, `invoices`.
struct NightChunk: Codable, Sendable, Equatable {
  /// The first and last case ids of the chunk (the chunk is named by its first).
  var first: Int64, last: Int64
  /// Only the cases due on or before this day (`NightIndex.key`) are read; nil: every open case.
  var dueThrough: Int?
  /// Whether the visited cases' (or invoices') wake-up dates are recorded.
  var recordsWakes: Bool
  /// A chunk of the invoice pass (`BatchRunner.processInvoiceChunk`): the invoices coming due, in order.
  var invoices: [InvoiceComingDue]? = nil
}

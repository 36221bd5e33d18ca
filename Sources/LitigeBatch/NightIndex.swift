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
  /// The stored form of a day, `YYYYMMDD` (`invoices.wake_on`, `night_index.last_night`).
  public static func key(_ day: LocalDate) -> Int { day.year * 10_000 + day.month * 100 + day.day }
  /// A case or invoice due every night.
  public static let everyNight = 0
  /// An invoice due only when it changes.
  public static let onChange = 99_991_231

  /// The stored form of an instant for a case (`cases.wake_on`): its UTC minute as `YYYYMMDDhhmm`,
  /// rounded down (a night run in that minute visits the case: early is harmless, late is not).
  ///
  /// A case's date is an instant because a policy counting days from an event's time (mediation 30
  /// days after a message of 14:16) has nothing to decide at 02:00 on that day: a date would make
  /// the night visit it once for nothing (BENCHMARKS.md, issue 14, sixteenth session). UTC, so that
  /// the order of keys is the order of instants across a change of the clocks.
  public static func caseKey(_ instant: Date) -> Int {
    let parts = utcCalendar.dateComponents([.year, .month, .day, .hour, .minute], from: instant)
    let (year, month, day) = (parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    return ((year * 10_000 + month * 100 + day) * 100 + (parts.hour ?? 0)) * 100 + (parts.minute ?? 0)
  }
  /// The instant a case's stored key (`caseKey`) stands for; nil for 0, `caseOnChange` and a key
  /// of an earlier release (`YYYYMMDD`: the next night visits every case, and writes keys anew).
  public static func instant(ofCaseKey key: Int) -> Date? {
    guard key >= 100_001_010_000, key < caseOnChange else { return nil }
    var parts = DateComponents()
    (parts.year, parts.month, parts.day) = (key / 100_000_000, key / 1_000_000 % 100, key / 10_000 % 100)
    (parts.hour, parts.minute) = (key / 100 % 100, key % 100)
    return utcCalendar.date(from: parts)
  }

  /// A case due only when it changes (above every instant `Plausible` accepts).
  public static let caseOnChange = 999_912_312_359

  /// The stored date for an invoice's `wake` after the night of `today` (0: due the next night).
  ///
  /// An instant is taken at its date.
  static func key(of wake: Wake?, today: LocalDate) -> Int {
    switch Wake.kept(wake, after: today) {
    case nil: return everyNight
    case .onChange?: return onChange
    case .on(let day)?, .at(_, let day)?: return key(day)
    }
  }

  /// The stored key for a case's `wake` after the night run at `asOf` (of day `today`): 0 for the
  /// next night, else the instant from which a night visits it (a day from its start in `timeZone`).
  static func caseKey(of wake: Wake?, today: LocalDate, asOf: Date, timeZone: TimeZone) -> Int {
    switch Wake.kept(wake, after: today, asOf: asOf) {
    case nil: return everyNight
    case .onChange?: return caseOnChange
    case .on(let day)?: return caseKey(day.start(in: timeZone))
    case .at(let instant, _)?: return caseKey(instant)
    }
  }

  /// The Gregorian calendar in UTC, for `caseKey`.
  private static let utcCalendar: Calendar = {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
    return calendar
  }()

  /// What the stored dates depend on: the hooks the night runs, each plugin's name, version, files
  /// and configuration in force, the workspace file, and the version of these rules.
  public static func fingerprint(
    plugins: [LoadedPlugin], configuration: WorkspaceConfiguration, hooks: [String]
  ) -> String {
    var digest = ContentDigest()
    // 2: cases' dates became instants (`caseKey`): every stored date is recomputed once.
    digest.add("litige night index 2")
    // The core's rules are the program's: another build (an upgrade, a fix of a computation) wakes
    // every case once, as a plugin's change does.
    digest.add(programIdentity)
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

  /// Which program file runs: its device, inode, size and modification time (`/proc/self/exe`).
  ///
  /// Read once. A copy or a rebuild differs, so its first night visits every case: over-cautious, never
  /// wrong. "unknown" where the file cannot be read (every night then agrees with every other).
  static let programIdentity: String = {
    var status = stat()
    guard stat("/proc/self/exe", &status) == 0 else { return "unknown" }
    return
      "\(status.st_dev):\(status.st_ino):\(status.st_size):\(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec)"
  }()

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
  /// Only the cases due by this key are read (`NightIndex.caseKey` of the night's instant; for the
  /// invoice pass, `NightIndex.key` of its day); nil: every open case.
  var dueThrough: Int?
  /// Whether the visited cases' (or invoices') wake-up dates are recorded.
  var recordsWakes: Bool
  /// A chunk of the invoice pass (`BatchRunner.processInvoiceChunk`): the invoices coming due, in order.
  var invoices: [InvoiceComingDue]? = nil
}

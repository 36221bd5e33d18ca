import Foundation
import LitigeCore
import LitigeStore
import LuaHost

/// One field of a plugin's configuration schema (`config = { cap = {type = "amount", default = 50} }`).
public struct PluginConfigField: Sendable, Equatable {
  /// The field's name.
  public var name: String
  /// `string`, `integer`, `number`, `boolean`, `amount` (a number of major units) or `list` (of strings).
  public var type: String
  /// The value used when litige.toml sets none; nil makes the field required.
  public var defaultValue: LuaValue?
  /// Inclusive bounds for numbers.
  public var minimum: Double?, maximum: Double?
  /// The allowed values of a string.
  public var oneOf: [String]?
  /// What the field is for, shown by `litige plugins list`.
  public var documentation: String

  static let types: Set<String> = ["string", "integer", "number", "boolean", "amount", "list"]
}

/// A plugin as loaded: its metadata, hooks and validated configuration.
public struct LoadedPlugin {
  /// Its name (its folder's name).
  public var name: String
  /// Its version, recorded with every decision it makes.
  public var version: String
  /// Higher runs first.
  public var priority: Int
  /// Its folder, as shown in messages (`plugins/triage`).
  public var displayFolder: String
  /// Its configuration schema.
  public var schema: [PluginConfigField]
  /// The configuration in force: defaults overridden by litige.toml.
  public var config: [String: LuaValue]
  /// Its hooks by name, in `runtime`'s state.
  var hooks: [String: LuaReference]
  /// A digest of every file of its folder, when it was loaded: the night's wake-up index is recomputed
  /// when it changes, even if the version did not.
  public var sourceDigest = ContentDigest()
  /// The plugin's own Lua state (over the host's session): its memory, its globals and its library
  /// views are its own, so it can neither fill another plugin's ceiling nor tamper with what another
  /// plugin sees (DESIGN.md, Sandbox).
  let runtime: PolicyRuntime

  /// The names of the hooks it implements, sorted.
  public var hookNames: [String] { hooks.keys.sorted() }
  /// `name@version`, as the journal records it.
  public var provenanceName: String { "\(name)@\(version)" }
}

/// What one hook call of one plugin did.
public struct HookOutcome {
  /// `name@version` of the plugin.
  public var plugin: String
  /// The hook.
  public var hook: String
  /// The events written by this call (empty if it failed or changed nothing).
  public var events: [JournalEvent]
  /// Why the call's decisions were not applied, if they were not.
  public var failure: String?
  /// What kind of error stopped the call (`timeout`, `memory`...), when a Lua error did.
  public var failureKind: LuaError.Kind?
  /// The plugin was suspended for the rest of the run and did not run on this case.
  public var skipped = false
  /// When the plugin next needs the case, as the call declared it (nil: it declared nothing, or failed).
  public var wake: Wake?

  /// Whether the call ran and either decided or declared its next date: what the night needs of
  /// every call on a case to ask them again on the decided state (`BatchRunner.probe`).
  public var answered: Bool { failure == nil && !skipped && (!events.isEmpty || wake != nil) }
}

/// When a plugin next needs a case, as a night's hook call declares it (issue 14's wake-up contract).
///
/// A declaration holds while the case does not change: anything that changes it (an event, a message,
/// a payment, an invoice, its customer) makes it due the next night whatever was declared.
public enum Wake: Sendable, Equatable {
  /// Not before the night of that day (in the company's time zone).
  case on(LocalDate)
  /// Not before the first night run at or after that instant (`litige.wake_on(seconds)`); `day` is
  /// the instant's date in the company's time zone. A night of that day run before the instant does
  /// not visit the case: a policy counting days from an event's time (30 days after 14:16) decides
  /// nothing at 02:00.
  case at(Date, day: LocalDate)
  /// Only when the case changes.
  case onChange

  /// The earlier of two declarations (nil: none yet).
  ///
  /// A day begins before any instant of it.
  public static func earliest(_ first: Wake?, _ second: Wake) -> Wake {
    switch (first, second) {
    case (nil, _), (.onChange?, _): return second
    case (let kept?, .onChange): return kept
    case (.on(let day)?, .on(let other)): return .on(min(day, other))
    case (.at(let instant, let day)?, .at(let other, let otherDay)):
      return instant <= other ? .at(instant, day: day) : .at(other, day: otherDay)
    case (.on(let day)?, .at(let instant, let instantDay)), (.at(let instant, let instantDay)?, .on(let day)):
      return day <= instantDay ? .on(day) : .at(instant, day: instantDay)
    }
  }

  /// The declaration with an instant taken at its date (what the invoice pass's dates and a policy
  /// test's `expect_wake` keep).
  public var byDay: Wake {
    if case .at(_, let day) = self { return .on(day) }
    return self
  }

  /// What a case's calls declared so far (`wake`), combined with one more call's `outcome`.
  ///
  /// The earlier of the two when the call declared and decided nothing; nil (the case is due the next
  /// night) when it declared nothing, failed, was skipped or decided. Start from `.onChange`, the
  /// latest there is.
  public static func combining(_ wake: Wake?, with outcome: HookOutcome) -> Wake? {
    guard let wake, let declared = outcome.wake, outcome.failure == nil, !outcome.skipped,
      outcome.events.isEmpty
    else { return nil }
    return earliest(wake, declared)
  }

  /// `wake` as the night of `today` keeps it: a day not after `today` means the next night (nil).
  ///
  /// An instant is taken at its date.
  public static func kept(_ wake: Wake?, after today: LocalDate) -> Wake? {
    if case .on(let day)? = wake?.byDay, day <= today { return nil }
    return wake?.byDay
  }

  /// `wake` as the night run at `asOf` (of day `today`) keeps it for a case.
  ///
  /// A day not after `today`, or an instant not after `asOf`, means the next night (nil). An instant
  /// later today is kept.
  public static func kept(_ wake: Wake?, after today: LocalDate, asOf: Date) -> Wake? {
    switch wake {
    case .on(let day)? where day <= today: return nil
    case .at(let instant, _)? where instant <= asOf: return nil
    default: return wake
    }
  }
}

/// Why a plugin was stopped for the rest of a run.
public struct PluginSuspension: Sendable, Equatable, Codable {
  /// `name@version`.
  public var plugin: String
  /// The kind of the failures that stopped it (`timeout`, `memory`).
  public var kind: String
  /// How many calls in a row failed that way.
  public var consecutiveFailures: Int
  /// The case of the last of them.
  public var caseId: Int64

  /// A suspension of `plugin` (`name@version`) after `consecutiveFailures` failures of `kind`.
  public init(plugin: String, kind: String, consecutiveFailures: Int, caseId: Int64) {
    self.plugin = plugin
    self.kind = kind
    self.consecutiveFailures = consecutiveFailures
    self.caseId = caseId
  }

  enum CodingKeys: String, CodingKey {
    case plugin, kind, consecutiveFailures = "consecutive_failures", caseId = "case_id"
  }
}

/// Loads a workspace's plugins and runs their hooks.
///
/// Loading runs each `init.lua` (in the plugin's own environment, `require` limited to its folder) and
/// checks what it returns and the workspace's configuration before any hook runs; every error names
/// the file, the key and what was expected. Hooks run in priority order; each hook call's decisions are
/// applied together or not at all, with `plugin@version` and the hook as provenance.
public final class PluginHost {
  /// The hooks a plugin may define.
  ///
  /// `before_due(case, invoice, ctx)` is the night's pass over invoices coming due (within 30 days) of
  /// customers with a dispute history: `case` is the customer's latest case, where a letter about the
  /// invoice is kept (`case:send{..., invoice = invoice.number}`).
  public static let hookNames = [
    "triage", "compensate", "escalate", "on_communication", "nightly", "before_due",
  ]
  /// The runtime the plugins run in.
  public let runtime: PolicyRuntime
  /// The enabled plugins, highest priority first (ties by name).
  public private(set) var plugins: [LoadedPlugin] = [] {
    didSet {
      provenanceNames = plugins.map(\.provenanceName)
      hookEntries = [:]
    }
  }
  /// One plugin's hook as `run` calls it (a class: the hot path copies one reference, not six fields).
  private final class HookEntry {
    let index: Int
    let name: String
    let provenanceName: String
    let function: LuaReference
    let runtime: PolicyRuntime
    /// The hook's `ctx` maker (`LuaState.hookContext`), made at its first call.
    var context: LuaHookContext?

    init(index: Int, name: String, provenanceName: String, function: LuaReference, runtime: PolicyRuntime) {
      (self.index, self.name, self.provenanceName) = (index, name, provenanceName)
      (self.function, self.runtime) = (function, runtime)
    }
  }
  /// The plugins that have each hook, in priority order, found once per hook rather than at every call
  /// (a hook call is a few hundred nanoseconds: a dictionary lookup per plugin was a tenth of it).
  private var hookEntries: [String: [HookEntry]] = [:] {
    didSet { lastHookEntries = nil }
  }
  /// The entries of the hook `run` was last called with: a night calls the same hook case after case,
  /// and comparing a short string costs less than hashing it.
  private var lastHookEntries: (hook: String, entries: [HookEntry])?
  /// `name@version` of each plugin, made once (the hot path reads them at every call).
  private var provenanceNames: [String] = []
  private var configTables: [String: LuaValue] = [:]
  /// How many resource failures in a row suspend a plugin (nil: never).
  ///
  /// After this many consecutive calls of one plugin failing with the same kind of resource error
  /// (time or memory), the plugin is suspended for the rest of this host's life. The nightly runner
  /// sets it, so one broken plugin costs a few calls, not a time limit per case.
  public var suspendAfter: Int?
  /// Told when a plugin's hook call starts (the plugin's index in `plugins`, the hook, the case,
  /// whether the call is a probe) and ends (nil): a batch worker publishes it for the supervisor that
  /// kills a call stuck in C, and does not blame the plugin's real calls for a probe it killed.
  public var onCall: ((_ plugin: Int?, _ hook: String, _ caseId: Int64, _ probing: Bool) -> Void)?
  /// Whether the plugins' errors and log lines keep the personal data they quote (`--verbose`); by
  /// default the case's known personal data is masked in them (`PolicyRuntime.showsPersonalData`).
  public var showsPersonalData: Bool {
    get { runtime.showsPersonalData }
    set {
      runtime.showsPersonalData = newValue
      for plugin in plugins { plugin.runtime.showsPersonalData = newValue }
    }
  }
  /// The plugins suspended so far, by name.
  public private(set) var suspended: [String: PluginSuspension] = [:]
  private var failureStreaks: [String: (kind: LuaError.Kind, count: Int)] = [:]
  private var resourceFailures: [String: Int] = [:]
  /// Each plugin's probe calls that ran out of time or memory (`run(probing:)`): after
  /// `suspendAfter` of them its calls are no longer probed (its cases are due the next night, as
  /// without probes), so a plugin looping only on decided states costs a few time limits a night.
  public private(set) var probeResourceFailures: [String: Int] = [:]

  /// Stops whichever plugin call is running, from any thread (Ctrl-C in the REPL).
  public var interrupter: LuaInterrupter {
    LuaInterrupter(combining: [runtime.state.interrupter] + plugins.map(\.runtime.state.interrupter))
  }

  /// Stops probing plugin `name` for the rest of the run, as after `suspendAfter` probe failures (a
  /// supervisor that killed its probes tells the next worker this way).
  public func stopProbing(_ name: String) {
    probeResourceFailures[name] = max(probeResourceFailures[name] ?? 0, suspendAfter ?? 0)
  }

  /// Suspends plugin `name` for the rest of the run, as if it had failed `suspendAfter` times (a
  /// supervisor that killed a worker for it tells the next worker this way).
  public func suspend(_ suspension: PluginSuspension) {
    guard let name = suspension.plugin.split(separator: "@").first.map(String.init),
      suspended[name] == nil
    else { return }
    suspended[name] = suspension
  }

  /// The session's day in the company's time zone, which seeds `math.random` (the session's now is fixed).
  private lazy var sessionDay = LocalDate(runtime.session.now, in: runtime.session.store.settings.timeZone)

  /// Loads the plugins `configuration` enables.
  ///
  /// Throws `ConfigError` listing every problem found (unknown plugin, missing version, bad config value,
  /// unknown hook, duplicate names), or the `LuaError` of an `init.lua` that does not run.
  ///
  /// With `shadowing`, the first folder on the search path wins over a later one of the same name
  /// (policy tests of a company's fork of a bundled plugin); otherwise that is an error.
  public init(runtime: PolicyRuntime, configuration: WorkspaceConfiguration, shadowing: Bool = false) throws {
    self.runtime = runtime
    let available = try Self.discover(configuration.pluginPaths, shadowing: shadowing)
    var problems: [String] = []
    for entry in configuration.enabled {
      guard let folder = available[entry.name] else {
        let known = available.keys.sorted().joined(separator: ", ")
        problems.append(
          "\(configuration.file):\(entry.line): unknown plugin '\(entry.name)' (available: \(known.isEmpty ? "none" : known))"
        )
        continue
      }
      do {
        var plugin = try load(folder: folder.url, display: folder.display)
        plugin.config = try Self.validate(
          entry.settings, against: plugin.schema, plugin: plugin.name, file: configuration.file)
        plugins.append(plugin)
      } catch let error as ConfigError {
        problems.append(error.message)
      } catch let error as LuaError {
        problems.append(error.message)
      }
    }
    guard problems.isEmpty else { throw ConfigError(problems.joined(separator: "\n")) }
    plugins.sort { ($0.priority, $1.name) > ($1.priority, $0.name) }
    provenanceNames = plugins.map(\.provenanceName)  // observers do not run in init
  }

  /// Limits of one hook call: one case should take milliseconds, far below `litige run`'s defaults.
  public static let hookLimits = LuaState.Limits(memoryBytes: 64 << 20, timeout: .seconds(2))

  /// A host over `store` deciding at `now`, with its own session and Lua state (output discarded).
  ///
  /// Throws like `init(runtime:configuration:shadowing:)`, or `LuaError` if the Lua state cannot be made.
  public convenience init(
    store: Store, now: Date, configuration: WorkspaceConfiguration, limits: LuaState.Limits = hookLimits,
    shadowing: Bool = false
  ) throws {
    let session = CaseSession(
      store: store, now: now, provenance: Provenance(source: "host", hook: "host", runId: "host"))
    let runtime = try PolicyRuntime(session: session, limits: limits)
    runtime.state.output = { _ in }
    try self.init(runtime: runtime, configuration: configuration, shadowing: shadowing)
  }

  struct Folder {
    var url: URL
    var display: String
  }

  /// Plugin folders (those holding an `init.lua`) found on the search path, by name.
  ///
  /// Throws `ConfigError` when two folders carry the same name.
  static func discover(_ paths: [(url: URL, display: String)], shadowing: Bool) throws -> [String: Folder] {
    var found: [String: Folder] = [:]
    for path in paths {
      let names = (try? FileManager.default.contentsOfDirectory(atPath: path.url.path)) ?? []
      for name in names.sorted() {
        let folder = path.url.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("init.lua").path) else {
          continue
        }
        let display = path.display + "/" + name
        if let other = found[name] {
          if shadowing { continue }
          throw ConfigError(
            "two plugins are named '\(name)': \(other.display) and \(display) (rename one, or drop its folder from plugin_paths)"
          )
        }
        found[name] = Folder(url: folder, display: display)
      }
    }
    return found
  }

  private func load(folder: URL, display: String) throws -> LoadedPlugin {
    let chunk = display + "/init.lua"
    guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent("init.lua").path)
    else {
      throw ConfigError("\(chunk): cannot be read")
    }
    let pluginRuntime = try PolicyRuntime(
      session: runtime.session, limits: runtime.state.limits, logger: runtime.logger)
    pluginRuntime.state.output = runtime.state.output
    pluginRuntime.state.rawOutput = runtime.state.rawOutput
    pluginRuntime.showsPersonalData = runtime.showsPersonalData
    let state = pluginRuntime.state
    let environment = try state.makeEnvironment(moduleRoot: folder, displayRoot: display)
    let value: LuaValue
    let reference: LuaReference
    do {
      (value, reference) = try state.runKeepingResult(
        bytes: [UInt8](data), chunkName: chunk, environment: environment)
    } catch var error as LuaError {
      // Loading may read cases (`litige.case(4)`) and quote them in its error, as a hook may.
      let mask = pluginRuntime.personalDataMask(ofCase: nil)
      error.message = mask.masking(error.message)
      error.traceback = error.traceback.map { mask.masking($0) }
      throw error
    }
    guard case .table(let fields) = value else {
      throw ConfigError("\(chunk): must return a table, got \(value.typeName)")
    }
    let folderName = folder.lastPathComponent
    let allowed: Set<String> = ["name", "version", "priority", "config", "description"]
    var hooks: [String: LuaReference] = [:]
    for key in fields.keys {
      guard let name = key.stringValue else {
        throw ConfigError("\(chunk): the returned table has a non-string key")
      }
      if case .opaque("function") = fields[key] ?? .nil {
        guard Self.hookNames.contains(name) else {
          throw ConfigError(
            "\(chunk): unknown hook '\(name)' (expected one of: \(Self.hookNames.joined(separator: ", ")))")
        }
        hooks[name] = state.function(named: name, in: reference)
      } else if !allowed.contains(name) {
        throw ConfigError(
          "\(chunk): unknown field '\(name)' (expected name, version, priority, config, description and hooks)"
        )
      }
    }
    state.release(reference)
    guard let name = value["name"].stringValue else { throw ConfigError("\(chunk): missing name (a string)") }
    // A name is recorded with every decision and joined to the version by '@': letters, digits, '_'.
    guard name.utf8.count <= 64, name.wholeMatch(of: #/[a-z][a-z0-9_]*/#) != nil else {
      throw ConfigError(
        "\(chunk): name '\(name.prefix(80))' is not a plugin name (lowercase letters, digits and '_', "
          + "starting with a letter, at most 64)")
    }
    guard name == folderName else {
      throw ConfigError("\(chunk): name '\(name)' does not match its folder '\(folderName)'")
    }
    guard let version = value["version"].stringValue else {
      throw ConfigError("\(chunk): missing version (a string such as \"1.0.0\")")
    }
    guard version.utf8.count <= 64,
      version.wholeMatch(of: #/[0-9]+\.[0-9]+(\.[0-9]+)?([-+][0-9A-Za-z.-]+)?/#) != nil
    else {
      throw ConfigError(
        "\(chunk): version '\(version.prefix(80))' is not a version number such as 1.2.0 (at most 64 characters)"
      )
    }
    var priority = 0
    if value["priority"] != .nil {
      guard let number = value["priority"].integerValue else {
        throw ConfigError("\(chunk): priority must be an integer, got \(value["priority"].typeName)")
      }
      priority = Int(number)
    }
    let schema = try Self.schema(value["config"], chunk: chunk)
    var plugin = LoadedPlugin(
      name: name, version: version, priority: priority, displayFolder: display, schema: schema, config: [:],
      hooks: hooks, runtime: pluginRuntime)
    plugin.sourceDigest.addFiles(below: folder)
    return plugin
  }

  private static func schema(_ value: LuaValue, chunk: String) throws -> [PluginConfigField] {
    guard value != .nil else { return [] }
    guard case .table(let entries) = value else {
      throw ConfigError("\(chunk): config must be a table of fields")
    }
    var fields: [PluginConfigField] = []
    for (key, spec) in entries {
      guard let name = key.stringValue else {
        throw ConfigError("\(chunk): config field names must be strings")
      }
      let at = "\(chunk): config.\(name)"
      guard case .table = spec else {
        throw ConfigError("\(at): expected a table such as {type = \"integer\", default = 24}")
      }
      guard let type = spec["type"].stringValue, PluginConfigField.types.contains(type) else {
        throw ConfigError(
          "\(at): type must be one of \(PluginConfigField.types.sorted().joined(separator: ", "))")
      }
      // Every key and value of the field is checked before anything of it is used or pushed back.
      if case .table(let keys) = spec {
        let known: Set<String> = ["type", "default", "min", "max", "one_of", "doc"]
        for key in keys.keys where key.stringValue.map({ !known.contains($0) }) ?? true {
          throw ConfigError(
            "\(at): unknown key \(key.stringValue.map { "'\($0)'" } ?? "of type \(key.typeName)") "
              + "(expected type, default, min, max, one_of, doc)")
        }
      }
      for bound in ["min", "max"] where spec[bound] != .nil {
        guard let number = spec[bound].doubleValue, number.isFinite else {
          throw ConfigError("\(at).\(bound): expected a finite number, got \(spec[bound].typeName)")
        }
      }
      if spec["one_of"] != .nil, !Self.isListOfStrings(spec["one_of"]) {
        throw ConfigError("\(at).one_of: expected a list of strings such as {\"waive\", \"accrue\"}")
      }
      if spec["doc"] != .nil, spec["doc"].stringValue == nil {
        throw ConfigError("\(at).doc: expected a string, got \(spec["doc"].typeName)")
      }
      var field = PluginConfigField(
        name: name, type: type, defaultValue: spec["default"] == .nil ? nil : spec["default"],
        minimum: spec["min"].doubleValue, maximum: spec["max"].doubleValue,
        oneOf: spec["one_of"] == .nil ? nil : spec["one_of"].sequence.compactMap(\.stringValue),
        documentation: spec["doc"].stringValue ?? "")
      if let value = field.defaultValue {
        field.defaultValue = try check(value, field, at: "\(at).default")
      }
      fields.append(field)
    }
    return fields.sorted { $0.name < $1.name }
  }

  /// Checks `value` against `field`; returns it normalized (integers for `integer`, numbers otherwise).
  static func check(_ value: LuaValue, _ field: PluginConfigField, at place: String) throws -> LuaValue {
    func expected(_ what: String) -> ConfigError {
      ConfigError("\(place): expected \(what), got \(value.typeName)")
    }
    var result = value
    switch field.type {
    case "string":
      guard let text = value.stringValue else { throw expected("a string") }
      if let options = field.oneOf, !options.contains(text) {
        throw ConfigError("\(place): '\(text)' is not one of \(options.joined(separator: ", "))")
      }
    case "boolean":
      guard case .boolean = value else { throw expected("true or false") }
    case "integer":
      guard let number = value.integerValue else { throw expected("an integer") }
      result = .integer(number)
    case "number", "amount":
      guard let number = value.doubleValue, number.isFinite else {
        throw expected(field.type == "amount" ? "an amount" : "a finite number")
      }
      if field.type == "amount", abs(number) >= 1e15 {
        throw ConfigError("\(place): \(number) is beyond the largest amount (10^15)")
      }
      result = .number(number)
    default:
      guard isListOfStrings(value) else { throw expected("a list of strings") }
    }
    if let number = result.doubleValue {
      if let minimum = field.minimum, number < minimum {
        throw ConfigError("\(place): \(number) is below the minimum \(minimum)")
      }
      if let maximum = field.maximum, number > maximum {
        throw ConfigError("\(place): \(number) is above the maximum \(maximum)")
      }
    }
    return result
  }

  /// Whether `value` is a sequence 1...n of strings and nothing else (of at most 1,000 entries).
  static func isListOfStrings(_ value: LuaValue) -> Bool {
    guard case .table(let entries) = value, entries.count <= 1_000 else { return false }
    return value.sequence.count == entries.count && entries.values.allSatisfy { $0.stringValue != nil }
  }

  static func validate(
    _ settings: [String: ConfigValue], against schema: [PluginConfigField], plugin: String, file: String
  ) throws -> [String: LuaValue] {
    var config: [String: LuaValue] = [:]
    for (key, setting) in settings.sorted(by: { $0.key < $1.key }) where key != "enabled" {
      guard let field = schema.first(where: { $0.name == key }) else {
        let known = schema.map(\.name).joined(separator: ", ")
        throw ConfigError(
          "\(file):\(setting.line): [plugins.\(plugin)] has no setting '\(key)' (known: \(known.isEmpty ? "none" : known))"
        )
      }
      config[key] = try check(
        Self.luaValue(setting), field, at: "\(file):\(setting.line): [plugins.\(plugin)] \(key)")
    }
    for field in schema where config[field.name] == nil {
      guard let value = field.defaultValue else {
        throw ConfigError("\(file): [plugins.\(plugin)] needs a value for '\(field.name)' (\(field.type))")
      }
      config[field.name] = value
    }
    return config
  }

  private static func luaValue(_ value: ConfigValue) -> LuaValue {
    switch value.kind {
    case .string(let text): return .string(text)
    case .integer(let number): return .integer(number)
    case .float(let number): return .number(number)
    case .boolean(let flag): return .boolean(flag)
    case .array(let elements): return .array(elements.map(luaValue))
    }
  }

  // MARK: Running hooks

  /// Counts a plugin's failures and suspends it when it keeps failing.
  ///
  /// Suspended: after `suspendAfter` time or memory failures in a row; after three times as many in
  /// all (a plugin that loops on two cases in five would otherwise cost a time limit each time); and
  /// after ten times as many ordinary errors in a row (a broken deploy of one plugin must not take
  /// the whole night's error budget with it).
  private func noteOutcome(_ outcome: HookOutcome, of plugin: HookEntry, caseId: Int64) {
    guard let limit = suspendAfter else { return }
    guard outcome.failure != nil, !outcome.skipped else {
      if !failureStreaks.isEmpty { failureStreaks[plugin.name] = nil }
      return
    }
    let kind = outcome.failureKind ?? .validation
    var streak = failureStreaks[plugin.name] ?? (kind, 0)
    streak = streak.kind == kind ? (kind, streak.count + 1) : (kind, 1)
    failureStreaks[plugin.name] = streak
    let resource = kind == .timeout || kind == .memory
    if resource { resourceFailures[plugin.name, default: 0] += 1 }
    let total = resourceFailures[plugin.name] ?? 0
    // Saturating: a limit near Int.max means "never" rather than an overflow.
    let (allResources, ordinary) = (
      limit.multipliedReportingOverflow(by: 3), limit.multipliedReportingOverflow(by: 10)
    )
    let resourceCap = allResources.overflow ? Int.max : allResources.partialValue
    let ordinaryCap = ordinary.overflow ? Int.max : ordinary.partialValue
    if resource ? (streak.count >= limit || total >= resourceCap) : streak.count >= ordinaryCap {
      suspended[plugin.name] = PluginSuspension(
        plugin: plugin.provenanceName, kind: kind.rawValue,
        consecutiveFailures: resource && streak.count < limit ? total : streak.count, caseId: caseId)
    }
  }

  /// The `ctx` maker of `entry`'s hook, made at its first call and kept with the entry.
  private func context(of entry: HookEntry, hook: String) throws -> LuaHookContext {
    if let made = entry.context { return made }
    let plugin = plugins[entry.index]
    let made = try plugin.runtime.state.hookContext(
      config: configTable(of: plugin), plugin: plugin.name, version: plugin.version, hookName: hook)
    entry.context = made
    return made
  }

  /// Plugin `plugin`'s configuration as the Lua table value `ctx.config` copies, built once.
  private func configTable(of plugin: LoadedPlugin) -> LuaValue {
    if let table = configTables[plugin.name] { return table }
    let table = LuaValue.table(
      Dictionary(uniqueKeysWithValues: plugin.config.map { (LuaValue.string($0.key), $0.value) }))
    configTables[plugin.name] = table
    return table
  }

  /// Runs `hook` of every enabled plugin that has it on case `caseId`, in priority order.
  ///
  /// Hooks are called as `hook(case, ctx)`, or `hook(case, subject, ctx)` when `subject` is given (the
  /// communication of `on_communication`). Each call's decisions are committed on their own; a failing
  /// call (a Lua error, a refusal) applies nothing and does not stop the next plugin. `math.random` is
  /// seeded from the case and the day, so a replay decides the same.
  ///
  /// With `dryRun`, each call's decisions are validated as for real and reported, but never written.
  /// In batch mode (a chunk loaded in the session) each successful call is settled in memory instead,
  /// for the runner to write with the chunk.
  ///
  /// Plugins named in `skipping` do not run (a supervisor killed their call on this case before).
  ///
  /// With `probing` (batch mode), each call's decisions are reported and dropped (`CaseSession.discard`)
  /// and its failures do not count towards suspending the plugin: the night asks a case it decided on
  /// whether its policies want anything more (`BatchRunner`).
  ///
  /// With `firstPlugins`, only the first that many of the hook's plugins (in priority order) run.
  public func run(
    hook: String, caseId: Int64, runId: String, subject: LuaValue? = nil, dryRun: Bool = false,
    skipping: Set<String> = [], probing: Bool = false, firstPlugins: Int? = nil
  ) -> [HookOutcome] {
    var outcomes: [HookOutcome] = []
    if hook == "before_due", subject == nil {
      // Its second argument is the invoice coming due: only the night's invoice pass has one.
      return plugins.filter { $0.hooks[hook] != nil }.map {
        HookOutcome(
          plugin: $0.provenanceName, hook: hook, events: [],
          failure:
            "before_due needs the invoice coming due: it runs in the night's invoice pass (litige batch)")
      }
    }
    let session = runtime.session
    let day = sessionDay
    let seed = Int64(
      truncatingIfNeeded: caseId &* 1_000_003 &+ Int64(day.year * 10_000 + day.month * 100 + day.day))
    let entries: [HookEntry]
    if let last = lastHookEntries, last.hook == hook {
      entries = last.entries
    } else if let found = hookEntries[hook] {
      entries = found
      lastHookEntries = (hook, found)
    } else {
      entries = plugins.indices.compactMap { index in
        plugins[index].hooks[hook].map {
          HookEntry(
            index: index, name: plugins[index].name, provenanceName: provenanceNames[index], function: $0,
            runtime: plugins[index].runtime)
        }
      }
      hookEntries[hook] = entries
      lastHookEntries = (hook, entries)
    }
    outcomes.reserveCapacity(entries.count)
    for entry in entries.prefix(firstPlugins ?? entries.count) {
      let (index, name, function, runtime) = (entry.index, entry.name, entry.function, entry.runtime)
      var outcome = HookOutcome(plugin: entry.provenanceName, hook: hook, events: [], failure: nil)
      if !skipping.isEmpty, skipping.contains(name) {
        outcome.skipped = true
        outcome.failure = "skipped: its earlier call on this case was killed past the hard deadline"
        outcomes.append(outcome)
        continue
      }
      if probing, let limit = suspendAfter, probeResourceFailures[name, default: 0] >= limit {
        outcome.skipped = true
        outcome.failure =
          "not probed: \(outcome.plugin)'s probe calls ran out of time or memory \(limit) times"
        outcomes.append(outcome)
        continue
      }
      if !suspended.isEmpty, let suspension = suspended[name] {
        outcome.skipped = true
        outcome.failure =
          "skipped: \(outcome.plugin) was suspended for the rest of the run after "
          + "\(suspension.consecutiveFailures) consecutive \(suspension.kind) failures (the last on case \(suspension.caseId))"
        outcomes.append(outcome)
        continue
      }
      let provenanceName = outcome.plugin
      onCall?(index, hook, caseId, probing)
      defer { onCall?(nil, hook, caseId, probing) }
      session.rollback()
      session.provenance = Provenance(source: provenanceName, hook: hook, runId: runId)
      runtime.wake = nil
      runtime.logsDropped = probing
      runtime.decidableCase = caseId
      defer { runtime.decidableCase = nil }
      do {
        try runtime.state.seedRandom(seed)
        let context = try context(of: entry, hook: hook)
        // A fresh ctx for each call, so that nothing a plugin stores in it reaches the next case. What a
        // hook returns is not read: its effects are its decisions.
        try runtime.state.callDiscardingResults(
          function, argumentCount: subject == nil ? 2 : 3, preparedByArguments: true
        ) { stack in
          try runtime.pushCase(id: caseId, on: stack)
          if let subject { stack.push(subject) }
          context.push(on: stack, runId: runId, now: Int64(session.now.timeIntervalSince1970))
        }
        if probing {
          outcome.events = session.discard()
        } else if session.inBatchMode {
          outcome.events = session.settle()
        } else {
          outcome.events = dryRun ? try session.preview() : try session.commit()
        }
        // A call that read other cases, customers or invoices declared for what it cannot see change.
        outcome.wake = runtime.readBeyondItsCase ? nil : runtime.wake
      } catch {
        session.rollback()
        // A plugin's error is its own text: it may quote the customer (`error(case.customer.name)`).
        // Its place (`company/x/init.lua:12: `, Lua's) is kept whole: a customer called "init" must
        // not hide where the failure is.
        let message = "\(error)"
        let mask = runtime.personalDataMask(ofCase: caseId)
        if let luaError = error as? LuaError, let chunk = luaError.chunk, let line = luaError.line,
          message.hasPrefix("\(chunk):\(line): ")
        {
          let place = "\(chunk):\(line): "
          outcome.failure = place + mask.masking(String(message.dropFirst(place.count)))
        } else {
          // Whole: a report keeps the start and the end of a long message.
          outcome.failure = mask.masking(message)
        }
        outcome.failureKind = (error as? LuaError)?.kind
      }
      if !probing {
        noteOutcome(outcome, of: entry, caseId: caseId)
      } else if outcome.failureKind == .timeout || outcome.failureKind == .memory {
        probeResourceFailures[name, default: 0] += 1
      }
      outcomes.append(outcome)
    }
    return outcomes
  }
}

import Foundation
import LitigeCore
import LitigePolicies
import LitigeStore
import LuaHost

/// How a nightly run goes.
public struct BatchOptions: Sendable {
  /// Validate and report every decision, write nothing.
  public var dryRun = false
  /// The instant the night decides as of (its `now`).
  public var asOf = Date()
  /// Workers, each with its own Lua state and copy of the plugins.
  public var jobs = max(1, ProcessInfo.processInfo.activeProcessorCount)
  /// Case ids per chunk: the unit of checkpointing and of transactions' grouping.
  public var chunkSize = 500
  /// The run aborts when more than this share of the cases seen (after 20) failed: a broken deploy.
  public var errorBudget = 0.5
  /// Continue this unfinished run instead of starting a new one.
  public var resume: RunRecord?
  /// The unfinished run a new one replaces (`litige batch --restart`): marked abandoned once the
  /// plugins have loaded, as the new run starts, so that a restart that cannot start gives up nothing.
  public var replacing: RunRecord?
  /// The hooks run on every case, in order.
  public var hooks = BatchOptions.nightHooks
  /// Limits of each hook call; smaller than `litige run`'s: one case should take milliseconds.
  public var limits = PluginHost.hookLimits
  /// When set, each worker is a child process running this executable (`litige batch worker`) under a
  /// supervisor that kills it when a hook call outlives `hardDeadline` (a C call no hook can stop);
  /// otherwise workers are threads of this process.
  public var workerExecutable: URL?
  /// The workspace database the worker processes open.
  public var databasePath: String?
  /// How long one hook call may run before the supervisor kills its worker; by default twice the
  /// call's time limit plus one second.
  public var hardDeadline: Duration?
  /// A plugin that keeps failing is suspended for the rest of the night (its remaining cases skipped
  /// for it, the other plugins go on): after this many time or memory failures in a row, three times
  /// as many in all, or ten times as many ordinary failures in a row (`PluginHost.suspendAfter`).
  public var suspendAfter = 3
  /// Only the cases with ids in this range (the cases an import just opened, for triage); nil for all.
  public var caseRange: ClosedRange<Int64>?
  /// The run's id starts with this (`night`, or `import` for an import's triage).
  public var runName = "night"
  /// Visit every case that is not closed, whatever the wake-up index says (`litige batch --full`).
  public var full = false
  /// Whether the plugins' errors and log lines keep the customer data they quote (`--verbose`).
  ///
  /// They then go to the summary, the report and `runs.report` as written. Masked by default
  /// (`PluginHost.showsPersonalData`).
  public var showsPersonalData = false
  /// The id of the run to start (`BatchRunner.newRunId`), when the caller needs it before the run is
  /// recorded (a dry run marks itself alive under it: `DryRunMark`); nil for a new random one.
  public var newRunId: String?

  /// Whether this run is a night as the wake-up index knows it: the night's hooks over every case.
  ///
  /// Other runs (an import's triage, other hooks) visit every case of their range and record no dates.
  public var usesWakeIndex: Bool { caseRange == nil && hooks == Self.nightHooks }
  /// The hooks of a night, in order.
  public static let nightHooks = ["escalate", "compensate", "nightly"]
  /// The hooks a worker may be running, as its status page numbers them: the run's, then the invoice
  /// pass's `before_due`.
  var workerHooks: [String] { hooks + ["before_due"] }

  /// Default options: now, all cores, 500 ids a chunk.
  public init() {}
}

/// What a run did, as the JSON report writes it.
public struct BatchReport: Codable, Sendable {
  /// One case whose hook failed: nothing that hook call decided was applied.
  public struct Failure: Codable, Sendable {
    /// The case.
    public var caseId: Int64
    /// `plugin@version`.
    public var plugin: String
    /// The hook.
    public var hook: String
    /// The error, with `file:line` when it came from Lua; at most `maxMessageLength` characters.
    public var message: String

    /// The longest message a report keeps of one failure: a plugin's error quoting a huge value would
    /// otherwise be kept whole in the report and in the run's row, once per failing case.
    public static let maxMessageLength = 2_000

    /// A failure of hook `hook` of `plugin` on case `caseId`; a `message` longer than
    /// `maxMessageLength` keeps its start (where it happened) and its end (errors rethrown through
    /// many frames end with the first one: "stack overflow"), and says how long it was.
    public init(caseId: Int64, plugin: String, hook: String, message: String) {
      (self.caseId, self.plugin, self.hook) = (caseId, plugin, hook)
      let half = Self.maxMessageLength / 2
      self.message =
        message.count <= Self.maxMessageLength
        ? message : "\(message.prefix(half)) … (\(message.count) characters in all) … \(message.suffix(half))"
    }

    enum CodingKeys: String, CodingKey {
      case caseId = "case_id", plugin, hook, message
    }
  }

  /// The run's id.
  public var runId: String
  /// `completed`, `failed` (some cases failed), `aborted`.
  public var status: String
  /// Why it was aborted, if it was.
  public var abortReason: String?
  /// Whether it wrote nothing.
  public var dryRun: Bool
  /// The instant it decided as of, UTC.
  public var asOf: String
  /// Cases visited.
  public var cases: Int
  /// Open cases the wake-up index left alone tonight (nothing due on them); nil in reports written
  /// before the index existed.
  public var casesAsleep: Int?
  /// Whether the night visited every open case (`--full`, or the plugins or configuration changed).
  public var full: Bool?
  /// Cases with at least one failed hook call.
  public var failedCases: Int
  /// Decisions applied (or, dry, that would be), by kind, by plugin and by owner department.
  public var decisionsByKind: [String: Int]
  /// Decisions by `plugin@version`.
  public var decisionsByPlugin: [String: Int]
  /// Decisions by the case's owner (`unassigned` when none).
  public var decisionsByOwner: [String: Int]
  /// Every failure (the first 1,000).
  public var failures: [Failure]
  /// Plugins stopped for the rest of the night, and why (absent from reports written before it existed).
  public var suspendedPlugins: [PluginSuspension]?
  /// Hook calls skipped because their plugin was suspended, by `plugin@version` (absent likewise).
  public var skippedByPlugin: [String: Int]?
  /// Wall-clock seconds, and cases per second.
  public var seconds: Double
  /// Cases per second.
  public var casesPerSecond: Double
  /// Where the wall-clock time went (absent from reports written before it existed).
  public var phaseSeconds: PhaseSeconds?
  /// Chunks skipped because an earlier attempt of this run had completed them.
  public var resumedChunks: Int
  /// The disputed receivables after the night.
  public var portfolio: Portfolio
  /// The company's currency, for amounts in minor units.
  public var currency: String
  /// What a manager decides from: tonight's money, the queues, exposure, resolution times, promises and
  /// the trend (absent from reports written before it existed).
  public var figures: NightFigures?
  /// The company's language and time zone, for the page (absent likewise).
  public var language: String?, timeZone: String?

  enum CodingKeys: String, CodingKey {
    case runId = "run_id", status, abortReason = "abort_reason", dryRun = "dry_run", asOf = "as_of", cases,
      casesAsleep = "cases_asleep", full,
      failedCases = "failed_cases", decisionsByKind = "decisions_by_kind", decisionsByPlugin =
      "decisions_by_plugin", decisionsByOwner = "decisions_by_owner", failures, suspendedPlugins =
      "suspended_plugins", skippedByPlugin = "skipped_by_plugin", seconds, casesPerSecond =
      "cases_per_second", phaseSeconds = "phase_seconds", resumedChunks = "resumed_chunks", portfolio,
      currency, figures, language, timeZone =
      "time_zone"
  }
}

/// Where a night's wall-clock seconds went, for operations reading why a night was slow.
public struct PhaseSeconds: Codable, Sendable, Equatable {
  /// Choosing the cases due and visiting them (the case chunks).
  public var cases: Double
  /// The invoice pass: choosing the invoices coming due and running `before_due` on them.
  public var invoices: Double
  /// The portfolio and the night's figures, read after the writes.
  public var figures: Double
}

/// Runs the enabled plugins' nightly hooks over every case that is not closed.
///
/// Cases are streamed chunk by chunk (memory does not grow with their number) through `jobs` workers,
/// each with its own Lua state. Each hook call's decisions are applied on their own, so a failing case
/// or plugin never stops the night. Completed chunks are recorded: a run that was killed resumes at the
/// first chunk not done, and decisions a half-done case had applied are no-ops the second time (the core
/// records nothing for a decision that changes nothing).
public final class BatchRunner: Sendable {
  let store: Store
  let configuration: WorkspaceConfiguration
  let options: BatchOptions
  private let state = RunState()

  /// Creates a runner; call `run` to start.
  public init(store: Store, configuration: WorkspaceConfiguration, options: BatchOptions) {
    self.store = store
    self.configuration = configuration
    self.options = options
  }

  /// Asks the run to stop at the next chunk boundary (Ctrl-C); safe from any thread.
  public func requestStop() { state.stop(reason: "stopped by the user") }

  /// A new run's id: `night-2026-03-02T01:00:00Z-1a2b3c4d` (its name, its instant, a random part).
  public static func newRunId(name: String, asOf: Date) -> String {
    "\(name)-\(Timestamp.utcText(asOf))-\(UUID().uuidString.prefix(8).lowercased())"
  }

  /// Runs the night.
  ///
  /// `progress` is called after each chunk, from worker threads.
  ///
  /// Throws `ConfigError` or `LuaError` when the plugins do not load (before any case is touched).
  public func run(progress: @escaping @Sendable (BatchProgress) -> Void = { _ in }) throws
    -> BatchReport
  {
    // Load the plugins once up front, so a broken configuration fails before any case is touched.
    let loaded = try makeHost()
    let started = Date()
    let run: RunRecord
    if let replaced = options.replacing, options.resume == nil, !options.dryRun {
      try store.abandonRun(id: replaced.id)
    }
    if let previous = options.resume {
      run = previous
    } else {
      let id = options.newRunId ?? Self.newRunId(name: options.runName, asOf: options.asOf)
      run = try store.startRun(
        id: id, asOf: options.asOf, dryRun: options.dryRun, chunkSize: options.chunkSize)
    }
    // The cases to visit: those the wake-up index says are due tonight, or every open case when the
    // night is full (asked, or the plugins or configuration changed since the dates were computed).
    let today = LocalDate(options.asOf, in: store.settings.timeZone)
    let tonight = NightIndex.key(today)
    let fingerprint = NightIndex.fingerprint(
      plugins: loaded.plugins, configuration: configuration, hooks: options.hooks)
    // A night for an earlier day than the index last served cannot trust its dates either.
    let stored = try store.nightIndexState()
    var full =
      !options.usesWakeIndex || options.full || stored.fingerprint != fingerprint
      || (stored.lastNight ?? 0) > tonight
    // Recorded before any chunk writes a date: a night that is killed after writing dates relative to
    // a later day than the next night's makes that next night full (it cannot trust them).
    if options.usesWakeIndex, !options.dryRun { try store.setNightIndexLastNight(tonight, exact: false) }
    var done = options.dryRun ? [] : try store.completedChunkRanges(runId: run.id)
    // A resumed night whose chunks done before ran under other plugins or settings (changed while it
    // was stopped) starts its cases again, every open one: those chunks decided, and wrote dates, by
    // policies that are no longer the workspace's (issue 14: a plugin's change wakes every case for
    // it). Nothing is applied twice: tonight's policies have not seen those cases. A run that recorded
    // nothing of how it visits (started by an earlier release) is taken to have run under the settings
    // of the last full night: under others, it starts again too.
    let before = done.isEmpty ? nil : try store.nightVisits()
    let doneVisits = before.flatMap { $0.runId == run.id ? $0 : nil }
    let restarts =
      !done.isEmpty
      && (doneVisits.map { $0.fingerprint != fingerprint } ?? (stored.fingerprint != fingerprint))
    if restarts {
      full = true
      done = []
      try store.forgetCompletedChunks(runId: run.id)
    }
    // Every open case is visited tonight only when the chunks done before were too: a night resumed
    // with --full does not run again what it did before the interruption (it would apply it twice), so
    // the cases asleep in those chunks keep their dates and the night is not counted as full.
    let everyCaseVisited = full && (done.isEmpty || doneVisits?.full == true)
    if !options.dryRun {
      try store.setNightVisits(.init(runId: run.id, fingerprint: fingerprint, full: everyCaseVisited))
    }
    // Cases are due from an instant (NightIndex.caseKey): those whose instant this night has reached.
    let tonightsInstant = NightIndex.caseKey(options.asOf)
    var due = try store.dueCaseIds(through: tonightsInstant, full: full)
    // A resumed night reports the whole night: what its chunks done before did counts too (after a
    // restart, their decisions: the cases are visited again).
    let resumed = !done.isEmpty || restarts
    let earlier = resumed ? try store.runTotals(runId: run.id) : RunTotals()
    // The cases the earlier chunks visited have their new dates already: they were not asleep.
    let dueAndDone = done.isEmpty ? 0 : due.count { id in done.contains { $0.contains(id) } }
    let asleep = full ? 0 : max(0, try store.openCaseCount() - due.count - earlier.cases + dueAndDone)
    // About how many cases are open: the due ones (every open one on a full night) and those asleep.
    let openCases = due.count + asleep
    if let range = options.caseRange { due = due.filter { range.contains($0) } }
    if !done.isEmpty { due = due.filter { id in !done.contains { $0.contains(id) } } }
    let chunks = stride(from: 0, to: due.count, by: run.chunkSize).map { start in
      let slice = due[start..<min(due.count, start + run.chunkSize)]
      return NightChunk(
        first: slice.first ?? 0, last: slice.last ?? 0, dueThrough: full ? nil : tonightsInstant,
        recordsWakes: options.usesWakeIndex)
    }
    state.prepare(chunks: chunks, total: chunks.count + done.count, done: done.count, asleep: asleep)
    if resumed {
      _ = state.add(
        Tally(
          cases: earlier.cases, failedCases: earlier.failedCases, byKind: earlier.byKind,
          byPlugin: earlier.byPlugin, byOwner: earlier.byOwner),
        errorBudget: options.errorBudget, completesChunk: false)
    }

    let supervisor = try options.workerExecutable.map { executable in
      try BatchSupervisor(runner: self, executable: executable, run: run)
    }
    defer { supervisor?.finishWorkers() }
    /// Runs the chunks queued in `state` on `jobs` workers (processes when supervised) until none is left.
    func runQueuedChunks(count: Int) throws {
      let jobs = max(1, min(options.jobs, max(1, count)))
      let errors = ErrorBox()
      DispatchQueue.concurrentPerform(iterations: jobs) { slot in
        do {
          if let supervisor {
            try supervisor.superviseSlot(slot, progress: progress)
          } else {
            try self.work(run: run, progress: progress)
          }
        } catch {
          errors.set(error)
          self.state.stop(reason: "a worker failed: \(error)")
        }
      }
      if let error = errors.value { throw error }
    }
    // A night that writes most open cases (the first, one after a plugin changed, a full one) sets the
    // figures' indexes aside while its chunks run, and builds them again after (FiguresIndexes): kept
    // up to date case by case they were a fifth of its time. A night killed meanwhile leaves them
    // set aside; the next builds them again when its chunks are done.
    // Most: a tenth or more (building them again costs about 4 µs an open case, keeping them up to date
    // about 90 µs a case written); a run over a few ids (`caseRange`) is not one, full as it is.
    let setsIndexesAside = !options.dryRun && !chunks.isEmpty && due.count * 10 >= openCases
    if setsIndexesAside { try store.setAsideFiguresIndexes() }
    do {
      try runQueuedChunks(count: chunks.count)
    } catch {
      if !options.dryRun { _ = try? store.restoreFiguresIndexes() }
      throw error
    }
    if !options.dryRun { try store.restoreFiguresIndexes() }
    let casesDone = Date()
    // The invoice pass, once every case chunk is written (it reads what they decided), in chunks of
    // invoices that the same workers run: a before_due call stuck in C is killed with its worker, not
    // the night (domain.md §5, relances préventives).
    if state.snapshot().stopReason == nil, options.hooks.contains("nightly"),
      loaded.plugins.contains(where: { $0.hookNames.contains("before_due") })
    {
      let invoiceChunks = try self.invoiceChunks(run: run, dueThrough: full ? nil : tonight)
      state.append(invoiceChunks)
      try runQueuedChunks(count: invoiceChunks.count)
    }
    // A full night that went through computed every date as of tonight.
    if everyCaseVisited, options.usesWakeIndex, !options.dryRun, state.snapshot().stopReason == nil {
      try store.setNightIndexFingerprint(fingerprint)
      try store.setNightIndexLastNight(tonight, exact: true)
    }

    let invoicesDone = Date()
    let (portfolio, figures) = try store.portfolioAndFigures(runId: run.id, asOf: run.asOf)
    let phases = PhaseSeconds(
      cases: casesDone.timeIntervalSince(started), invoices: invoicesDone.timeIntervalSince(casesDone),
      figures: Date().timeIntervalSince(invoicesDone))

    let snapshot = state.snapshot()
    let seconds = Date().timeIntervalSince(started)
    var status = snapshot.failedCases > 0 || !snapshot.suspensions.isEmpty ? "failed" : "completed"
    if snapshot.stopReason != nil { status = "aborted" }
    let report = BatchReport(
      runId: run.id, status: status, abortReason: snapshot.stopReason, dryRun: options.dryRun,
      asOf: Timestamp.utcText(run.asOf), cases: snapshot.cases,
      casesAsleep: asleep, full: everyCaseVisited, failedCases: snapshot.failedCases,
      decisionsByKind: snapshot.byKind, decisionsByPlugin: snapshot.byPlugin,
      decisionsByOwner: snapshot.byOwner,
      failures: snapshot.failures, suspendedPlugins: snapshot.suspensions.sorted { $0.plugin < $1.plugin },
      skippedByPlugin: snapshot.skipped, seconds: seconds,
      casesPerSecond: seconds > 0 ? Double(snapshot.cases - earlier.cases) / seconds : 0,
      phaseSeconds: phases,
      resumedChunks: done.count, portfolio: portfolio,
      currency: store.settings.currency.code, figures: figures,
      language: store.settings.profile.language, timeZone: store.settings.timeZone.identifier)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    try store.finishRun(
      id: run.id, status: status, report: String(decoding: try encoder.encode(report), as: UTF8.self))
    return report
  }

  func makeHost() throws -> PluginHost {
    let host = try PluginHost(
      store: store, now: options.asOf, configuration: configuration, limits: options.limits)
    host.suspendAfter = options.suspendAfter
    host.showsPersonalData = options.showsPersonalData
    return host
  }

  /// The run's shared state (chunks left, counts), for the supervisor.
  var runState: RunState { state }

  private func work(run: RunRecord, progress: @Sendable (BatchProgress) -> Void) throws {
    let host = try makeHost()
    while let chunk = state.nextChunk() {
      for suspension in state.suspensions() { host.suspend(suspension) }
      progress(state.add(try processChunk(chunk, run: run, host: host), errorBudget: options.errorBudget))
    }
  }

  /// How far ahead the invoice pass looks: the longest notice a `before_due` policy may want.
  static let invoicePassDays = 30

  /// The night's invoice pass (domain.md §5, relances préventives), as chunks of invoices.
  ///
  /// The pass calls `before_due(case, invoice, ctx)` of the plugins that have it for each invoice
  /// still owed, in no dispute, due within `invoicePassDays` days, of a customer with a dispute
  /// history; `case` is that customer's latest case. A letter is sent once per template and invoice,
  /// so a night run twice sends nothing more. Its counts join the night's; it visits no case.
  ///
  /// With `dueThrough`, only the invoices whose wake-up date has come (the plugins' `before_due`
  /// calls declare it, as night hooks do for cases); every visited invoice gets its next date.
  func invoiceChunks(run: RunRecord, dueThrough: Int? = nil) throws -> [NightChunk] {
    let today = LocalDate(options.asOf, in: store.settings.timeZone)
    // On a night using the index, the invoices a dispute holds (or of customers without a case) are
    // set aside until that changes, rather than read and passed over every night.
    if let dueThrough, options.usesWakeIndex, !options.dryRun {
      _ = try store.setAsideHeldInvoices(
        from: today, through: today.adding(days: Self.invoicePassDays), dueThrough: dueThrough)
    }
    let list = try store.invoicePassList(
      from: today, through: today.adding(days: Self.invoicePassDays), asOf: options.asOf,
      dueThrough: dueThrough)
    // Those that owe nothing (paid, credited) wait for a change rather than be listed every night.
    if options.usesWakeIndex, !options.dryRun {
      try store.setAside(invoicesOwingNothing: list.owingNothing)
    }
    let coming = list.owed
    // A case's invoices stay together, in the order of their due dates, in one chunk: two workers
    // writing the same case from two snapshots would each write it as they saw it, and its letters'
    // order in the journal would depend on which finished first.
    var byCase: [Int64: [InvoiceComingDue]] = [:]
    for due in coming { byCase[due.caseId, default: []].append(due) }
    var chunks: [NightChunk] = []
    var invoices: [InvoiceComingDue] = []
    func close() {
      guard let first = invoices.first?.caseId, let last = invoices.last?.caseId else { return }
      chunks.append(
        NightChunk(
          first: first, last: last, dueThrough: dueThrough, recordsWakes: options.usesWakeIndex,
          invoices: invoices))
      invoices = []
    }
    for caseId in byCase.keys.sorted() {
      invoices += byCase[caseId] ?? []
      if invoices.count >= max(1, run.chunkSize) { close() }
    }
    close()
    return chunks
  }

  /// Runs one chunk of the invoice pass; returns its counts.
  ///
  /// Its cases are read in one snapshot, the calls settled in memory and written in one transaction
  /// with the invoices' next wake-up dates (`Store.writeNight`, without a checkpoint: a resumed night
  /// runs the pass again, and what was sent is not sent twice); a case someone changed meanwhile is
  /// judged again on its stored state. `skip` names, per case, plugins not to run (killed there).
  func processInvoiceChunk(
    _ chunk: NightChunk, run: RunRecord, host: PluginHost, skip: [Int64: Set<String>] = [:],
    skipProbes: [Int64: Set<String>] = [:], beforeWriting: () -> Void = {}
  ) throws -> Tally {
    let invoices = chunk.invoices ?? []
    let session = host.runtime.session
    let today = LocalDate(options.asOf, in: store.settings.timeZone)
    var tally = Tally()
    var failingCases: Set<Int64> = []
    var wakes: [String: Int] = [:]
    // The invoices whose calls all decided or declared, and decided (with the letters sent tonight
    // about each), and the cases decided on, with whether every call on them answered so.
    var toProbe: [(due: InvoiceComingDue, ledger: InvoiceLedger, sent: Set<String>)] = []
    var decidedCases: [Int64: Bool] = [:]
    let readable = invoices.filter { $0.unreadable == nil }
    let snapshot = try store.nightSnapshot(ofCases: Set(readable.map(\.caseId)))
    session.load(snapshot)
    // As the session would read them one by one: from the chunk when one of its cases disputes the
    // invoice (ChunkReader), else from the workspace, which nothing writes to before the chunk ends.
    let ledgers = try store.ledgers(ofInvoices: readable.map(\.invoice)).merging(
      snapshot.facts.values.flatMap(\.ledgers).map { ($0.invoice.number, $0) }
    ) { _, fromChunk in fromChunk }
    // The letters already sent, read now rather than when the pass began: one a person sent about an
    // invoice meanwhile (on another of the customer's cases) is not sent again by a later chunk.
    let sent = try store.sentTemplates(ofInvoices: readable.map(\.invoice))
    // A case whose stored data cannot be read fails once, named; its invoices keep their wake-up date,
    // so they are checked again the next night.
    for (caseId, message) in snapshot.unreadable.sorted(by: { $0.key < $1.key }) {
      tally.countUnreadable(caseId, message, failingCases: &failingCases)
    }
    for due in invoices {
      if let message = due.unreadable {
        tally.countUnreadable(due.caseId, message, failingCases: &failingCases)
        continue
      }
      if snapshot.unreadable[due.caseId] != nil { continue }
      guard
        let ledger = ledgers[due.invoice],
        let subject = try host.runtime.invoiceSubject(
          number: due.invoice, sentTemplates: sent[due.invoice] ?? [], ledger: ledger)
      else { continue }
      let owner = snapshot.cases[due.caseId]?.owner?.rawValue ?? "unassigned"
      var wake: Wake? = .onChange
      var decided = false
      var everyCallAnswered = true
      var sentTonight: Set<String> = []
      var onlyLetters = true
      for outcome in host.run(
        hook: "before_due", caseId: due.caseId, runId: run.id, subject: subject, dryRun: options.dryRun,
        skipping: skip[due.caseId] ?? [])
      {
        wake = Wake.combining(wake, with: outcome)
        if tally.count(outcome, caseId: due.caseId, hook: "before_due", owner: owner) {
          failingCases.insert(due.caseId)
        }
        if !outcome.events.isEmpty { decided = true }
        if !outcome.answered { everyCallAnswered = false }
        for event in outcome.events {
          // A letter leaves the invoice's ledger as read; another decision might not: not probed.
          guard case .sent(let template, _, _, let invoice, _) = event.event else {
            onlyLetters = false
            continue
          }
          if invoice == due.invoice { sentTonight.insert(template) }
        }
      }
      if decided {
        decidedCases[due.caseId] = everyCallAnswered && decidedCases[due.caseId, default: true]
        if everyCallAnswered, onlyLetters {
          toProbe.append((due, ledger, (sent[due.invoice] ?? []).union(sentTonight)))
        }
      }
      if options.usesWakeIndex { wakes[due.invoice] = NightIndex.key(of: wake, today: today) }
    }
    // What was decided is due the next night: its policies have not seen it. As for a chunk of cases,
    // ask them now on the decided state (probes, dropped), once the chunk's invoices are all done (a
    // case's invoices are in one chunk, so the probes see everything tonight decided on the case): an
    // invoice's `before_due` with its letters sent tonight among `invoice.sent`, and the nightly hooks
    // of each case a letter went on. A declared date holds if nothing more would be decided; otherwise
    // the invoice (or case) is due the next night, as before.
    var caseWakes: [Int64: Int] = [:]
    if chunk.recordsWakes, chunk.dueThrough != nil, !options.dryRun {
      for (due, ledger, sentTemplates) in toProbe where !failingCases.contains(due.caseId) {
        guard
          let subject = try host.runtime.invoiceSubject(
            number: due.invoice, sentTemplates: sentTemplates, ledger: ledger)
        else { continue }
        var wake: Wake? = .onChange
        for outcome in host.run(
          hook: "before_due", caseId: due.caseId, runId: run.id, subject: subject,
          skipping: (skip[due.caseId] ?? []).union(skipProbes[due.caseId] ?? []), probing: true)
        {
          wake = Wake.combining(wake, with: outcome)
        }
        wakes[due.invoice] = NightIndex.key(of: wake, today: today)
      }
      for (caseId, answered) in decidedCases.sorted(by: { $0.key < $1.key })
      where answered && !failingCases.contains(caseId) {
        let status = try session.disputeCase(id: caseId)?.status
        session.rollback()
        guard let status, status != .closed else { continue }
        caseWakes[caseId] = NightIndex.caseKey(
          of: try probe(
            caseId, run: run, host: host, skip: (skip[caseId] ?? []).union(skipProbes[caseId] ?? []),
            today: today),
          today: today, asOf: options.asOf, timeZone: store.settings.timeZone)
      }
    }
    let settled = session.finishChunk()
    if !options.dryRun {
      beforeWriting()
      // A case decided on is due the next night (writeNight marks it) unless its probe declared a date.
      let conflicts = try store.writeNight(
        settled.calls, finalCases: settled.finalCases, storedCases: snapshot.cases,
        lastEventIds: settled.lastEventIds,
        at: options.asOf, runId: run.id, chunk: nil, cases: 0, failures: 0, wakes: caseWakes,
        touched: snapshot.touched, invoiceWakes: wakes,
        invoicesTouched: Dictionary(invoices.map { ($0.invoice, $0.touched) }) { first, _ in first })
      count(conflicts, of: snapshot, in: &tally, failingCases: &failingCases)
    }
    tally.failedCases = failingCases.count
    tally.suspensions = Array(host.suspended.values)
    return tally
  }

  /// Counts `conflicts` as failures: calls settled but not written (the case changed during the
  /// night and the core refused them on its stored state), whose events leave the night's counts.
  private func count(
    _ conflicts: [NightConflict], of snapshot: NightSnapshot, in tally: inout Tally,
    failingCases: inout Set<Int64>
  ) {
    for conflict in conflicts {
      failingCases.insert(conflict.caseId)
      let owner = snapshot.cases[conflict.caseId]?.owner?.rawValue ?? "unassigned"
      for event in conflict.droppedEvents {  // counted when settled, but not written
        tally.byKind[event.kind, default: 0] -= 1
        tally.byPlugin[conflict.source, default: 0] -= 1
        tally.byOwner[owner, default: 0] -= 1
      }
      tally.failures.append(
        .init(
          caseId: conflict.caseId, plugin: conflict.source, hook: conflict.hook, message: conflict.message))
    }
  }

  /// Runs the hooks over one chunk's cases; returns its counts.
  ///
  /// Writes the chunk's decisions with its checkpoint in one transaction. `skip` names, per case,
  /// plugins not to run (killed there before); `skipProbes`, plugins not to probe (a probe of theirs
  /// was killed there: the case is then due the next night). `beforeWriting` runs just before that transaction: a
  /// worker whose supervisor is gone exits there rather than write a chunk a resumed night redoes.
  func processChunk(
    _ chunk: NightChunk, run: RunRecord, host: PluginHost, skip: [Int64: Set<String>] = [:],
    skipProbes: [Int64: Set<String>] = [:], beforeWriting: () -> Void = {}
  ) throws -> Tally {
    if chunk.invoices != nil {
      return try processInvoiceChunk(
        chunk, run: run, host: host, skip: skip, skipProbes: skipProbes, beforeWriting: beforeWriting)
    }
    let session = host.runtime.session
    let today = LocalDate(options.asOf, in: store.settings.timeZone)
    var tally = Tally()
    let snapshot = try store.nightSnapshot(of: chunk.first...chunk.last, dueThrough: chunk.dueThrough)
    session.load(snapshot)
    var wakes: [Int64: Int] = [:]
    var failingCases: Set<Int64> = []
    for (caseId, message) in snapshot.unreadable.sorted(by: { $0.key < $1.key }) {
      tally.countUnreadable(caseId, message, failingCases: &failingCases)
      tally.cases += 1
    }
    for caseId in snapshot.caseIds {
      if let range = options.caseRange, !range.contains(caseId) { continue }
      // A case opened after the night's date did not exist then: a night run for an earlier day leaves it.
      if let opened = snapshot.cases[caseId]?.openedAt, opened > options.asOf { continue }
      let owner = snapshot.cases[caseId]?.owner?.rawValue ?? "unassigned"
      // The lifecycle's own moves first (domain.md §3.9: a resolved case closes after its follow-up);
      // a case it closes is not visited by the policies.
      for event in (try? session.applyLifecycle(to: caseId, runId: run.id)) ?? [] {
        tally.byKind[event.kind, default: 0] += 1
        tally.byPlugin[event.provenance.source, default: 0] += 1
        tally.byOwner[owner, default: 0] += 1
      }
      let current = try session.disputeCase(id: caseId)
      if current?.status == .closed {
        session.rollback()
        tally.cases += 1
        continue
      }
      // The core's own next date, then each call's declaration: the earliest holds (NightIndex).
      var wake: Wake? = .onChange
      if let current, let facts = try session.facts(id: caseId),
        let day = CaseRules.lifecycleWake(for: current, facts: facts, settings: store.settings, today: today)
      {
        wake = .on(day)
      }
      session.rollback()
      // Whether a call decided, and whether every call either decided or declared its next date.
      var decided = false
      var everyCallAnswered = true
      // The last call that decided (its hook's index and its place among that hook's plugins), and
      // what the calls after it declared: they ran on the decided state already.
      var lastDecision: ProbeExtent?
      var declaredSince: Wake? = .onChange
      for (hookIndex, hook) in options.hooks.enumerated() {
        let outcomes = host.run(
          hook: hook, caseId: caseId, runId: run.id, dryRun: options.dryRun, skipping: skip[caseId] ?? [])
        for (position, outcome) in outcomes.enumerated() {
          wake = Wake.combining(wake, with: outcome)
          declaredSince = Wake.combining(declaredSince, with: outcome)
          if tally.count(outcome, caseId: caseId, hook: hook, owner: owner) { failingCases.insert(caseId) }
          if !outcome.events.isEmpty {
            decided = true
            lastDecision = ProbeExtent(hooks: hookIndex, plugins: position + 1)
            declaredSince = .onChange
          }
          if !outcome.answered { everyCallAnswered = false }
        }
      }
      // A case decided on is due the next night: its policies have not seen what they decided. Rather
      // than read it again tomorrow, ask them now, on the decided state (a probe, dropped): if none
      // decides anything more and all declare a later date, that date holds, as for a case visited
      // without a decision. Not on a full night: every case decides then, and the next night is
      // cheaper than a second call of every hook.
      // Only the calls up to the last that decided are asked again: those after it ran on the decided
      // state, and what they declared stands (`declaredSince`).
      if decided, everyCallAnswered, chunk.recordsWakes, chunk.dueThrough != nil, !options.dryRun,
        let declaredSince
      {
        wake = try probe(
          caseId, run: run, host: host, skip: (skip[caseId] ?? []).union(skipProbes[caseId] ?? []),
          today: today, through: lastDecision
        ).map { Wake.earliest($0, declaredSince) }
      }
      if chunk.recordsWakes {
        wakes[caseId] = NightIndex.caseKey(
          of: wake, today: today, asOf: options.asOf, timeZone: store.settings.timeZone)
      }
      tally.cases += 1
    }
    let settled = session.finishChunk()
    if !options.dryRun {
      beforeWriting()
      let conflicts = try store.writeNight(
        settled.calls, finalCases: settled.finalCases, storedCases: snapshot.cases,
        lastEventIds: settled.lastEventIds,
        at: options.asOf, runId: run.id, chunk: Int(chunk.first), cases: tally.cases,
        failures: failingCases.count, wakes: wakes, touched: snapshot.touched, lastCaseId: chunk.last,
        decisionsByOwner: tally.byOwner)
      count(conflicts, of: snapshot, in: &tally, failingCases: &failingCases)
    }
    tally.failedCases = failingCases.count
    tally.suspensions = Array(host.suspended.values)
    return tally
  }
}

extension BatchRunner {
  /// The next night case `caseId` is needed on, asked after tonight's calls decided on it: its core
  /// date and its policies' declarations on the decided state, or nil (tomorrow) when a call would
  /// decide more, fails or declares nothing.
  ///
  /// The calls are probes (`PluginHost.run(probing:)`): what they decide is dropped, never written or
  /// counted. A declaration holds for the state it was made on until its date (docs/policies.md); the
  /// probe makes one on the state the case will have tomorrow, so a night with the index still
  /// writes the journal a night visiting every case writes (WakeIndexReplayTests).
  ///
  /// With `extent`, only the calls up to the last that decided are asked again (the calls after it
  /// ran on the decided state: their caller combines what they declared).
  func probe(
    _ caseId: Int64, run: RunRecord, host: PluginHost, skip: Set<String>, today: LocalDate,
    through extent: ProbeExtent? = nil
  ) throws -> Wake? {
    let session = host.runtime.session
    var wake: Wake? = .onChange
    if let current = try session.disputeCase(id: caseId), let facts = try session.facts(id: caseId),
      let day = CaseRules.lifecycleWake(for: current, facts: facts, settings: store.settings, today: today)
    {
      wake = .on(day)
    }
    session.rollback()
    for (hookIndex, hook) in options.hooks.enumerated() {
      if let extent, hookIndex > extent.hooks { break }
      let plugins = extent.flatMap { $0.hooks == hookIndex ? $0.plugins : nil }
      for outcome in host.run(
        hook: hook, caseId: caseId, runId: run.id, skipping: skip, probing: true, firstPlugins: plugins)
      {
        wake = Wake.combining(wake, with: outcome)
      }
      if wake == nil { return nil }
    }
    return wake
  }
}

/// How far a probe asks a case's calls again: every hook before `hooks` (an index in the night's
/// hooks), then the first `plugins` plugins of that hook.
struct ProbeExtent: Equatable {
  var hooks: Int
  var plugins: Int
}

/// How far a run is, as `BatchRunner.run` reports it after each chunk.
public struct BatchProgress: Sendable {
  /// Chunks done (including those an earlier attempt of the run had done) and in all.
  public var chunksDone: Int, chunksTotal: Int
  /// Cases visited by this attempt, and those with a failed hook call.
  public var cases: Int, failedCases: Int
}

/// Counts of one chunk.
struct Tally: Codable {
  var cases = 0
  var failedCases = 0
  var byKind: [String: Int] = [:]
  var byPlugin: [String: Int] = [:]
  var byOwner: [String: Int] = [:]
  var failures: [BatchReport.Failure] = []
  var skipped: [String: Int] = [:]
  var suspensions: [PluginSuspension] = []

  /// Counts case `caseId` as failed because its stored data cannot be read (`litige@core`, hook
  /// `read`, with `message` naming the record and column); it joins `failingCases`.
  mutating func countUnreadable(_ caseId: Int64, _ message: String, failingCases: inout Set<Int64>) {
    failingCases.insert(caseId)
    failures.append(.init(caseId: caseId, plugin: "litige@core", hook: "read", message: message))
  }

  /// Counts one hook call's outcome on case `caseId` (of department `owner`); returns whether it failed.
  mutating func count(_ outcome: HookOutcome, caseId: Int64, hook: String, owner: String) -> Bool {
    var failed = false
    if outcome.skipped {
      skipped[outcome.plugin, default: 0] += 1
    } else if let message = outcome.failure {
      failures.append(.init(caseId: caseId, plugin: outcome.plugin, hook: hook, message: message))
      failed = true
    }
    for event in outcome.events {
      byKind[event.kind, default: 0] += 1
      byPlugin[outcome.plugin, default: 0] += 1
      byOwner[owner, default: 0] += 1
    }
    return failed
  }
}

/// The run's shared state: the chunks left and the counts so far, behind a lock.
final class RunState: @unchecked Sendable {
  private let lock = NSLock()
  private var queue: [NightChunk] = []
  private var total = 0
  private var chunksDone = 0
  private var casesAsleep = 0
  private var counts = Tally()
  private var stopReason: String?

  /// Queues `chunks`; `asleep` open cases are not due tonight (the wake-up index): the error budget
  /// counts them as fine.
  func prepare(chunks: [NightChunk], total: Int, done: Int, asleep: Int = 0) {
    lock.withLock {
      queue = chunks.reversed()
      self.total = total
      chunksDone = done
      casesAsleep = asleep
    }
  }

  /// Queues more chunks after those left (the invoice pass's, once the cases' are done).
  func append(_ chunks: [NightChunk]) {
    lock.withLock {
      queue = chunks.reversed() + queue
      total += chunks.count
    }
  }

  func nextChunk() -> NightChunk? {
    lock.withLock { stopReason == nil ? queue.popLast() : nil }
  }

  /// Records a suspension decided outside the workers (the supervisor killed the plugin's calls).
  func addSuspension(_ suspension: PluginSuspension) {
    lock.withLock { record(suspension) }
  }

  /// Keeps the first suspension of each plugin; the caller holds the lock.
  private func record(_ suspension: PluginSuspension) {
    if !counts.suspensions.contains(where: { $0.plugin == suspension.plugin }) {
      counts.suspensions.append(suspension)
    }
  }

  /// Whether the run was asked to stop (Ctrl-C, SIGTERM, the error budget).
  var isStopping: Bool { lock.withLock { stopReason != nil } }

  func stop(reason: String) {
    lock.withLock { if stopReason == nil { stopReason = reason } }
  }

  func add(_ tally: Tally, errorBudget: Double, completesChunk: Bool = true) -> BatchProgress {
    lock.withLock {
      counts.cases += tally.cases
      counts.failedCases += tally.failedCases
      counts.byKind.merge(tally.byKind, uniquingKeysWith: +)
      counts.byPlugin.merge(tally.byPlugin, uniquingKeysWith: +)
      counts.byOwner.merge(tally.byOwner, uniquingKeysWith: +)
      counts.failures += tally.failures.prefix(max(0, 1_000 - counts.failures.count))
      counts.skipped.merge(tally.skipped, uniquingKeysWith: +)
      for suspension in tally.suspensions { record(suspension) }
      if completesChunk { chunksDone += 1 }
      // Against the open cases, asleep ones included: a night with the index visits few, and a handful
      // of cases failing every night (each due again the next) must not abort it, and every night
      // after it, as a broken deploy would. A changed plugin makes a full night, with nobody asleep.
      if counts.cases >= 20, Double(counts.failedCases) > errorBudget * Double(counts.cases + casesAsleep),
        stopReason == nil
      {
        stopReason =
          "error budget exceeded: \(counts.failedCases) of \(counts.cases) cases failed "
          + (casesAsleep > 0 ? "(\(casesAsleep) more asleep tonight) " : "")
          + "(more than \(Int(errorBudget * 100))%); is a plugin broken?"
      }
      return BatchProgress(
        chunksDone: chunksDone, chunksTotal: total, cases: counts.cases, failedCases: counts.failedCases)
    }
  }

  /// The plugins suspended so far by any worker.
  func suspensions() -> [PluginSuspension] { lock.withLock { counts.suspensions } }

  func snapshot() -> (
    cases: Int, failedCases: Int, byKind: [String: Int], byPlugin: [String: Int], byOwner: [String: Int],
    failures: [BatchReport.Failure], stopReason: String?, skipped: [String: Int],
    suspensions: [PluginSuspension]
  ) {
    lock.withLock {
      (
        counts.cases, counts.failedCases, counts.byKind, counts.byPlugin, counts.byOwner, counts.failures,
        stopReason, counts.skipped, counts.suspensions
      )
    }
  }
}

/// The first error a worker threw.
final class ErrorBox: @unchecked Sendable {
  private let lock = NSLock()
  private var stored: (any Error)?
  func set(_ error: any Error) { lock.withLock { if stored == nil { stored = error } } }
  var value: (any Error)? { lock.withLock { stored } }
}

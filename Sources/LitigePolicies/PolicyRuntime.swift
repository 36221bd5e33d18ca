import Foundation
import LitigeCore
import LitigeStore
import Logging
import LuaHost

/// The Lua side of Litige: a sandboxed state whose scripts see the `litige` API and decide on cases.
///
/// Cases, invoices and customers reach scripts as read-only objects; a case decides through its
/// methods (`c:tag("vip", "VIP customer")`), each validated by the core at once and staged in `session`.
/// Nothing reaches the store until `session.commit()`. Confined to one thread, like its `LuaState`.
public final class PolicyRuntime {
  /// The interpreter.
  public let state: LuaState
  /// Staged decisions and working copies of the cases scripts touched.
  public let session: CaseSession
  /// Where `litige.log` writes.
  public var logger: Logger
  /// When the current hook call said its plugin next needs the case; nil when it said nothing.
  ///
  /// Set by `litige.wake_on` and `litige.wake_on_change`; the host resets it before each call.
  public var wake: Wake?

  /// Whether the current call read what its case's changes do not follow.
  ///
  /// That is another case (`litige.case`, any `litige.cases` list, whose members can change), another
  /// customer, or an invoice of none of its case's. The host then takes the call as declaring nothing (`PluginHost.run`): the night's
  /// index cannot know when what it read changes, so the case is due the next night (issue 14: a
  /// case is woken by anything that changes it; what a call read of others is part of it).
  public private(set) var readBeyondItsCase = false

  /// Whether `litige.log` lines are dropped: during the night's probes (`PluginHost.run(probing:)`),
  /// whose calls repeat a call already made and logged.
  public var logsDropped = false

  /// Whether a plugin's own texts (its errors, its `litige.log` lines) keep the personal data they quote.
  ///
  /// What `--verbose` asks for. By default the case's known personal data is masked in them
  /// (`PersonalDataMask`; README, "The nightly run").
  public var showsPersonalData = false

  /// What hides case `caseId`'s personal data in a plugin's text.
  ///
  /// Its customer's name, e-mail, phone and address, its reason, its messages' authors and texts.
  /// Empty with `showsPersonalData`, for no case, or when the case cannot be read (then there is
  /// nothing of it to hide either).
  ///
  /// It also hides the data of every other case and customer the current call (or the plugin's
  /// loading) read: `litige.case`, `litige.cases`, an invoice's customer. Built as the call needs it
  /// and kept until the next call, so a plugin logging in a loop pays for it once.
  public func personalDataMask(ofCase caseId: Int64?) -> PersonalDataMask {
    guard !showsPersonalData else { return PersonalDataMask() }
    var cases = casesRead
    if let caseId { cases.insert(caseId) }
    for id in cases where maskRead.cases.insert(id).inserted {
      guard let disputeCase = try? session.disputeCase(id: id) else { continue }
      customersRead.insert(disputeCase.customerId)
      mask.add(
        customers: [], reasons: [disputeCase.reason],
        communications: (try? session.communications(ofCase: id)) ?? [])
    }
    for id in customersRead where maskRead.customers.insert(id).inserted {
      guard let customer = try? session.customer(id: id) else { continue }
      mask.add(customers: [customer], reasons: [], communications: [])
    }
    return mask
  }

  /// The cases and customers the current call read besides its own case, whose personal data its
  /// texts may quote (`personalDataMask`).
  private var casesRead: Set<Int64> = []
  private var customersRead: Set<String> = []
  /// The mask of what was read so far in the current call, and what it already holds.
  private var mask = PersonalDataMask()
  private var maskRead: (cases: Set<Int64>, customers: Set<String>) = ([], [])

  /// Forgets what the last call read (a new hook call starts: `decidableCase` changes).
  private func forgetReads() {
    // Kept allocated: nearly every call reads its case's customer.
    if !casesRead.isEmpty { casesRead.removeAll(keepingCapacity: true) }
    if !customersRead.isEmpty { customersRead.removeAll(keepingCapacity: true) }
    readBeyondItsCase = false
    guard !maskRead.cases.isEmpty || !maskRead.customers.isEmpty else { return }
    mask = PersonalDataMask()
    maskRead = ([], [])
  }

  /// In a hook call, the case it was called for: the only one its decisions may be on.
  ///
  /// Other cases read as read-only views (DESIGN.md, "Sandbox"). Nil in `litige run` scripts and the
  /// REPL, which may decide on any case. The host sets it around each hook call.
  public var decidableCase: Int64? {
    didSet { forgetReads() }
  }

  private var caseClass: LuaViewClass?
  private var invoiceClass: LuaViewClass?
  private var customerClass: LuaViewClass?
  /// The case views of this state kept for reuse, by case (see `pushCase`).
  private var caseViews: [Int64: LuaReference] = [:]
  /// What the kept views were built under; when any of it moves, they are let go.
  ///
  /// The session's chunk and revision, and (outside batch mode) the call into Lua.
  private var caseViewsEpoch = (chunk: -1, revision: -1, call: -1)
  /// Views kept at most; beyond, they are let go (detached) and built again when needed.
  static let maxCaseViews = 2_048
  private var cursorClass: LuaObjectClass?
  /// The shapes of the records the case's heavy fields hold: a misspelt field of a history entry, a
  /// message, a gesture, a payment or the promise is an error naming the closest (issue 14: a misspelt
  /// field is an error with a suggestion), as it is on the case itself.
  private lazy var shapes = (
    historyEntry: state.defineRecordShape(
      name: "history entry", fields: ["at", "kind", "reason", "source", "hook", "data"]),
    message: state.defineRecordShape(
      name: "message", fields: ["at", "direction", "channel", "author", "summary"]),
    gesture: state.defineRecordShape(
      name: "gesture", fields: ["id", "kind", "amount", "state", "needs_approval", "approved_by"]),
    payment: state.defineRecordShape(name: "payment", fields: ["invoice", "amount", "paid_on", "reference"]),
    promise: state.defineRecordShape(name: "promise", fields: ["amount", "due_on", "paid_since", "status"])
  )
  private var utc: TimeZone { TimeZone(identifier: "UTC") ?? .current }

  final class CaseObject {
    let id: Int64
    init(id: Int64) { self.id = id }
  }
  final class RecordObject<Record> {
    let record: Record
    init(_ record: Record) { self.record = record }
  }
  final class Cursor {
    let ids: [Int64]
    var position = 0
    init(ids: [Int64]) { self.ids = ids }
  }

  /// Creates the runtime: a `LuaState` with `limits` and the `litige` library installed.
  ///
  /// Throws `LuaError` if the Lua library is unusable.
  public init(session: CaseSession, limits: LuaState.Limits, logger: Logger = Logger(label: "litige.script"))
    throws
  {
    self.session = session
    self.logger = logger
    state = try LuaState(limits: limits)
    try installClasses()
    try installLibrary()
    // A view a script kept from an earlier call must read current values.
    state.beforeCall = { [unowned self] in releaseStaleCaseViews(on: state.mainStack) }
  }

  /// The fields scripts read on a case, as `case.<field>` resolves them (for completion and docs).
  public static let caseFieldNames = [
    "age_days", "attempts", "category", "channel", "claimable", "claimable_changes_on", "communications",
    "currency", "customer",
    "deadline", "disputed", "escalation", "frozen", "gestures", "history", "id", "invoices",
    "limitation_date",
    "opened_at", "outcome", "owed", "owner", "payments", "penalties", "priority", "promise", "reason",
    "reference", "refund_due",
    "status",
    "tags",
  ]
  /// The case fields that hold strings, numbers or nil, filled in the case's view at once.
  static let casePlainFields = [
    "age_days", "category", "channel", "currency", "deadline", "disputed", "escalation", "id", "opened_at",
    "outcome", "owner", "priority", "reason", "reference", "status",
  ]
  /// The fields of an invoice.
  public static let invoiceFieldNames = [
    "collectable", "collection_suspended", "credited", "currency", "customer", "due_on", "frozen",
    "issued_on", "number",
    "outstanding", "owed", "paid", "refunded", "total", "written_off",
  ]
  /// The invoice fields filled in its view at once (the amounts, from its ledger, on first read).
  static let invoicePlainFields = [
    "collection_suspended", "currency", "due_on", "issued_on", "number", "total",
  ]
  /// The customer fields filled in its view at once (all but `broken_promises`).
  static let customerPlainFields = [
    "email", "id", "kind", "language", "name", "phone", "segment", "since", "vip",
  ]
  /// The fields of a customer.
  public static let customerFieldNames = [
    "broken_promises", "email", "id", "kind", "language", "name", "phone", "segment", "since", "vip",
  ]
  /// The methods of a case (`case:<method>(...)`), sorted.
  public private(set) var caseMethodNames: [String] = []

  /// The fields and methods of a host object (case, invoice, customer), for completion; nil for any
  /// other object.
  public func memberNames(of object: AnyObject) -> (fields: [String], methods: [String])? {
    switch object {
    case is CaseObject: return (Self.caseFieldNames, caseMethodNames)
    case is RecordObject<Invoice>: return (Self.invoiceFieldNames, [])
    case is RecordObject<Customer>: return (Self.customerFieldNames, [])
    default: return nil
    }
  }

  /// A one-line summary of a case without personal data: status, category, priority, amount, level.
  public func summary(ofCase id: Int64) -> String {
    guard let current = try? session.disputeCase(id: id) else { return "case #\(id)" }
    var parts = [
      "case #\(id)", current.status.rawValue, current.category?.rawValue ?? "uncategorized",
      "P\(current.priority)", "\(current.disputed)", current.escalation.rawValue,
    ]
    if let owner = current.owner { parts.append("owner \(owner.rawValue)") }
    if !current.tags.isEmpty { parts.append("tags " + current.tags.joined(separator: ",")) }
    return parts.joined(separator: " · ")
  }

  /// The date argument at position 1, or the run's date in the company's time zone when there is none.
  private func dayOrToday(_ stack: LuaStack, _ function: String) throws -> LocalDate {
    stack.count >= 1
      ? try Self.date(stack, 1, function) : LocalDate(session.now, in: session.store.settings.timeZone)
  }

  /// Runs a range check for a library function; its refusal becomes the script's error.
  static func plausible<Result>(_ check: () throws -> Result) throws -> Result {
    do {
      return try check()
    } catch let error as DomainError {
      throw LuaRaisedError("\(error)", kind: .validation)
    }
  }

  /// Runs a script's source in a fresh environment; returns what the chunk returned.
  ///
  /// `math.random` is seeded from `seed` first, so a replay draws the same numbers.
  @discardableResult
  public func runScript(source: String, chunkName: String, moduleRoot: URL? = nil, seed: Int64 = 0) throws
    -> [LuaValue]
  {
    try runScript(bytes: Array(source.utf8), chunkName: chunkName, moduleRoot: moduleRoot, seed: seed)
  }

  /// Runs a script's source bytes as they are on disk (any encoding, as `lua5.4` reads them).
  @discardableResult
  public func runScript(bytes: [UInt8], chunkName: String, moduleRoot: URL? = nil, seed: Int64 = 0) throws
    -> [LuaValue]
  {
    let environment = try state.makeEnvironment(
      moduleRoot: moduleRoot,
      displayRoot: moduleRoot.map { _ in
        let folder = (chunkName as NSString).deletingLastPathComponent
        return folder.isEmpty ? "." : folder  // `./rules.lua`, as lua5.4 names a module beside the script
      })
    try state.seedRandom(seed)
    return try state.run(bytes: bytes, chunkName: chunkName, environment: environment)
  }

  /// Pushes case `id` as a Lua object.
  ///
  /// One view per case is kept and pushed again (`litige.case(5)` twice is the same table, and the
  /// hooks of a case share it) while nothing moves: in batch mode, as long as the chunk and the
  /// session's revision stay (no decision anywhere since); outside batch mode, within one call into
  /// Lua as well. When something moved, every kept view is detached (a script that still holds one
  /// reads from the host, so it stays current) and views are built again.
  public func pushCase(id: Int64, on stack: LuaStack) throws {
    guard let caseClass else { return stack.push(.nil) }
    releaseStaleCaseViews(on: stack)
    if let kept = caseViews[id] { return stack.push(reference: kept) }
    try stack.pushView(CaseObject(id: id), of: caseClass)
    caseViews[id] = stack.referenceTop()
  }

  /// What kept views depend on now (see `pushCase`).
  private var currentViewsEpoch: (chunk: Int, revision: Int, call: Int) {
    (session.chunkGeneration, session.revision, session.inBatchMode ? 0 : state.callCount)
  }

  /// Lets go of the kept case views when a decision, a rollback or a new chunk (or, outside batch
  /// mode, a new call) happened since they were built, or when there are too many.
  ///
  /// Each is detached: a script that kept one reads from the host, so it stays current.
  private func releaseStaleCaseViews(on stack: LuaStack) {
    let epoch = currentViewsEpoch
    guard epoch != caseViewsEpoch || caseViews.count >= Self.maxCaseViews, let caseClass else { return }
    caseViewsEpoch = epoch
    for (_, kept) in caseViews {
      stack.push(reference: kept)
      stack.detachView(at: -1, of: caseClass)
      stack.pop()
      state.release(kept)
    }
    caseViews = [:]
  }

  /// Invoice `number` as the plain table `before_due(case, invoice, ctx)` receives: `number`,
  /// `customer_id`, `issued_on`, `due_on`, `currency`, in major units `total`, `paid` and `owed`
  /// (after payments, credits and write-offs), and `sent`, the templates already sent about it on any
  /// of the customer's cases (`invoice.sent.preventive_reminder`); nil for an unknown invoice.
  ///
  /// `ledger`, when given, is the invoice's ledger as the caller read it (the night's invoice pass
  /// reads a chunk's together); otherwise the session reads it.
  public func invoiceSubject(
    number: String, sentTemplates: Set<String> = [], ledger given: InvoiceLedger? = nil
  )
    throws -> LuaValue?
  {
    guard let ledger = try given ?? session.ledger(ofInvoice: number) else { return nil }
    let invoice = ledger.invoice
    return .table([
      "sent": .table(
        Dictionary(uniqueKeysWithValues: sentTemplates.map { (LuaValue.string($0), LuaValue.boolean(true)) })),
      "number": .string(invoice.number), "customer_id": .string(invoice.customerId),
      "issued_on": .string(invoice.issuedOn.description), "due_on": .string(invoice.dueOn.description),
      "currency": .string(invoice.total.currency.code), "total": .number(invoice.total.major),
      "paid": .number(try ledger.paid().major), "owed": .number(try ledger.owed().major),
    ])
  }

  // MARK: Library

  private func installLibrary() throws {
    let library: [String: LuaHostFunction] = [
      "case": { [unowned self] stack in
        // litige.case(42), or by the company's reference from an import: litige.case("L000123").
        let id: Int64
        if case .string(let reference) = try stack.value(at: 1) {
          guard let found = try session.store.caseId(forReference: reference) else {
            stack.push(.nil)
            return 1
          }
          id = found
        } else {
          id = try stack.integer(at: 1, function: "case")
        }
        guard try session.disputeCase(id: id) != nil else {
          stack.push(.nil)
          return 1
        }
        if !showsPersonalData { casesRead.insert(id) }
        if id != decidableCase { readBeyondItsCase = true }
        try pushCase(id: id, on: stack)
        return 1
      },
      "cases": { [unowned self] stack in
        readBeyondItsCase = true
        return try cases(stack)
      },
      "invoice": { [unowned self] stack in
        let number = try stack.string(at: 1, function: "invoice")
        if !(try readsItsOwnInvoice(number)) { readBeyondItsCase = true }
        try pushInvoice(try session.store.invoice(number: number), on: stack)
        return 1
      },
      "customer": { [unowned self] stack in
        let id = try stack.string(at: 1, function: "customer")
        let itsOwn = try decidableCase.flatMap { try session.disputeCase(id: $0)?.customerId } == id
        if !itsOwn { readBeyondItsCase = true }
        try pushCustomer(try session.customer(id: id), on: stack)
        return 1
      },
      "now": { [unowned self] stack in
        stack.push(.integer(Int64(session.now.timeIntervalSince1970)))
        return 1
      },
      "today": { [unowned self] stack in
        stack.push(.string(LocalDate(session.now, in: session.store.settings.timeZone).description))
        return 1
      },
      "date": { [unowned self] stack in
        let seconds = try stack.integer(at: 1, function: "date")
        let instant = Date(timeIntervalSince1970: TimeInterval(seconds))
        try Self.plausible { try Plausible.check(instant, field: "litige.date") }
        stack.push(.string(LocalDate(instant, in: session.store.settings.timeZone).description))
        return 1
      },
      "add_days": { stack in
        let date = try Self.date(stack, 1, "add_days")
        let days = try stack.integer(at: 2, function: "add_days")
        let result = try Self.plausible {
          try Plausible.check(dayOffset: days, field: "litige.add_days")
          let result = date.adding(days: Int(days))
          try Plausible.check(result, field: "litige.add_days")
          return result
        }
        stack.push(.string(result.description))
        return 1
      },
      "days_between": { stack in
        let from = try Self.date(stack, 1, "days_between")
        stack.push(.integer(Int64(from.days(until: try Self.date(stack, 2, "days_between")))))
        return 1
      },
      "wake_on": { [unowned self] stack in
        // The night's wake-up contract (issue 14): this plugin has nothing to decide on the case before
        // that day unless the case changes. A date "YYYY-MM-DD" or an instant (Unix seconds).
        let day: LocalDate
        var instant: Date?
        // One date: a second one is not "the earliest of both" (call it once per date), and an extra
        // value silently dropped would let a script believe it declared more than it did.
        guard stack.count <= 1 else {
          throw LuaRaisedError(
            "wake_on takes one date or instant, got \(stack.count) values: declare each date with its own call "
              + "(the earliest holds)")
        }
        let given = stack.count >= 1 ? try stack.value(at: 1) : .nil
        switch given {
        case .string:
          day = try Self.date(stack, 1, "wake_on")
        case .integer, .number:
          // An instant is taken at its date: a fraction of a second does not matter.
          let seconds = try stack.number(at: 1, function: "wake_on")
          guard seconds.isFinite else {
            throw LuaRaisedError(
              "bad argument #1 to 'wake_on' (expected a date or an instant, got "
                + "\(seconds.isNaN ? "not a number (nan)" : seconds < 0 ? "-inf" : "inf"))")
          }
          // An instant counts to the second: the first night run at or after it (Wake.at).
          let moment = Date(timeIntervalSince1970: seconds.rounded(.down))
          try Self.plausible { try Plausible.check(moment, field: "litige.wake_on") }
          day = LocalDate(moment, in: session.store.settings.timeZone)
          instant = moment
        default:
          throw LuaRaisedError(
            "bad argument #1 to 'wake_on' (expected a date \"YYYY-MM-DD\" or an instant in seconds, got "
              + "\(stack.count >= 1 ? stack.typeName(at: 1) : "no value"))")
        }
        // Within the dates the core keeps (Plausible): 9999-12-31 would read as "on change" once stored.
        try Self.plausible { try Plausible.check(day, field: "litige.wake_on") }
        wake = Wake.earliest(wake, instant.map { .at($0, day: day) } ?? .on(day))
        return 0
      },
      "wake_on_change": { [unowned self] stack in
        // No condition can be given: any change to the case wakes it (a field name or a date passed here
        // would otherwise be dropped while the script believes it was declared).
        guard stack.count == 0 else {
          throw LuaRaisedError(
            "wake_on_change takes no argument (got \(stack.typeName(at: 1))): the case is due again when "
              + "anything changes it; for a day, use litige.wake_on(date)")
        }
        wake = Wake.earliest(wake, .onChange)
        return 0
      },
      "is_business_day": { [unowned self] stack in
        let day = try dayOrToday(stack, "is_business_day")
        stack.push(.boolean(session.store.settings.calendar.isBusinessDay(day)))
        return 1
      },
      "next_business_day": { [unowned self] stack in
        let day = try dayOrToday(stack, "next_business_day")
        stack.push(.string(session.store.settings.calendar.businessDay(onOrAfter: day).description))
        return 1
      },
      "format_money": { [unowned self] stack in
        let currency = session.store.settings.currency
        let major = try stack.number(at: 1, function: "format_money")
        let language =
          stack.count >= 2
          ? try stack.string(at: 2, function: "format_money") : session.store.settings.profile.language
        let amount = try Self.plausible {
          try Money(major: major, currency: currency, field: "litige.format_money")
        }
        stack.push(.string(LetterFormat.money(amount, language: language)))
        return 1
      },
      "format_date": { [unowned self] stack in
        let day = try Self.date(stack, 1, "format_date")
        let language =
          stack.count >= 2
          ? try stack.string(at: 2, function: "format_date") : session.store.settings.profile.language
        stack.push(.string(LetterFormat.date(day, language: language)))
        return 1
      },
      "company": { [unowned self] stack in
        let profile = session.store.settings.profile
        stack.push(
          .table([
            "name": .string(profile.name), "legal_form": .string(profile.legalForm),
            "siren": .string(profile.siren),
            "address": .string(profile.address), "language": .string(profile.language),
            "currency": .string(session.store.settings.currency.code),
            "penalties_on_disputed": .string(session.store.settings.penaltiesOnDisputed.rawValue),
          ]))
        return 1
      },
      "gesture_cap": { [unowned self] stack in
        let name = try stack.string(at: 1, function: "gesture_cap")
        do {
          let kind = try GestureKind.parse(name, field: "gesture_cap")
          stack.push(session.store.settings.gestureCaps[kind].map { .number($0.major) } ?? .nil)
        } catch let error as DomainError {
          throw LuaRaisedError("\(error)", kind: .validation)
        }
        return 1
      },
      "log": { [unowned self] stack in
        guard !logsDropped else { return 0 }
        var parts: [String] = []
        for position in 1...max(1, stack.count) {
          switch try stack.value(at: position) {
          case .string(let text): parts.append(text)
          case .integer(let number): parts.append(String(number))
          case .number(let number): parts.append(String(number))
          case .boolean(let flag): parts.append(String(flag))
          case .nil: parts.append("nil")
          case let other: parts.append(other.typeName)
          }
        }
        // Masked first (a value holding a line break is matched as written), and as far as the line
        // is kept (`limit`: a value that begins before the cut is masked whole); then one line, its
        // control characters and invisible marks shown as escapes: a script cannot forge the host's
        // log lines nor reverse them.
        let masked = personalDataMask(ofCase: decidableCase).masking(
          parts.joined(separator: " "), limit: 4_000)
        let shown = TerminalText.visible(String(masked.prefix(4_000)))
        logger.info("\(shown)", metadata: ["source": "\(session.provenance.source)"])
        return 0
      },
    ]
    try state.defineGlobal("litige") { $0.pushLibrary(library) }
  }

  private static func date(_ stack: LuaStack, _ position: Int32, _ function: String) throws -> LocalDate {
    do {
      return try LocalDate(parsing: try stack.string(at: position, function: function))
    } catch let error as DomainError {
      throw LuaRaisedError("bad argument #\(position) to '\(function)' (\(error))")
    }
  }

  /// Whether invoice `number` is one of the current call's case's (its changes wake the case).
  private func readsItsOwnInvoice(_ number: String) throws -> Bool {
    guard let decidableCase else { return false }
    return try session.disputeCase(id: decidableCase)?.invoiceNumbers.contains(number) ?? false
  }

  private func cases(_ stack: LuaStack) throws -> Int {
    var filter = CaseFilter()
    if stack.count >= 1, !stack.isNil(at: 1) {
      let options = try stack.table(at: 1, function: "cases")
      guard case .table(let fields) = options else { return 0 }
      for (key, value) in fields {
        guard let name = key.stringValue else { throw LuaRaisedError("cases{...}: keys must be names") }
        do {
          switch name {
          case "status": filter.status = try CaseStatus.parse(value.stringValue ?? "", field: "cases{status}")
          case "category":
            filter.category = try DisputeCategory.parse(value.stringValue ?? "", field: "cases{category}")
          case "customer": filter.customerId = value.stringValue
          case "active": filter.activeOnly = value.isTruthy
          default:
            throw LuaRaisedError(
              "cases{...}: unknown filter \(LuaStack.shownKey(name))\(Suggestion.phrase(for: name, among: ["status", "category", "customer", "active"])) (expected: status, category, customer, active)"
            )
          }
        } catch let error as DomainError {
          throw LuaRaisedError("\(error)", kind: .validation)
        }
      }
    }
    let ids = try session.store.caseIds(matching: filter)
    guard let cursorClass else { return 0 }
    stack.pushFunction(id: nextCaseFunction)
    stack.pushObject(Cursor(ids: ids), of: cursorClass, hostBytes: ids.count * MemoryLayout<Int64>.size)
    return 2
  }

  private lazy var nextCaseFunction: Int32 = state.register { [unowned self] stack in
    guard let cursorClass,
      let cursor = try stack.object(at: 1, of: cursorClass, function: "cases") as? Cursor
    else { return 0 }
    guard cursor.position < cursor.ids.count else {
      stack.push(.nil)
      return 1
    }
    let id = cursor.ids[cursor.position]
    cursor.position += 1
    if !showsPersonalData { casesRead.insert(id) }
    try pushCase(id: id, on: stack)
    return 1
  }

  private func pushInvoice(_ invoice: Invoice?, on stack: LuaStack) throws {
    guard let invoice, let invoiceClass else { return stack.push(.nil) }
    try stack.pushView(RecordObject(invoice), of: invoiceClass)
  }

  private func pushCustomer(_ customer: Customer?, on stack: LuaStack) throws {
    guard let customer, let customerClass else { return stack.push(.nil) }
    if !showsPersonalData { customersRead.insert(customer.id) }
    try stack.pushView(RecordObject(customer), of: customerClass)
  }

  // MARK: Classes

  private func installClasses() throws {
    let caseMethods = CaseMethods.make(runtime: self)
    caseMethodNames = caseMethods.keys.sorted()
    caseClass = try state.defineViewClass(
      name: "case", plainFields: Self.casePlainFields,
      fill: { [unowned self] stack, object in
        guard let handle = object as? CaseObject, let current = try session.disputeCase(id: handle.id) else {
          for _ in Self.casePlainFields { stack.push(.nil) }
          return
        }
        pushPlainFields(of: current, on: stack)
      },
      fields: { [unowned self] stack, object, key in
        guard let handle = object as? CaseObject, let current = try session.disputeCase(id: handle.id) else {
          return false
        }
        return try caseField(current, key, on: stack)
      },
      methods: caseMethods,
      describe: { [unowned self] object in summary(ofCase: (object as? CaseObject)?.id ?? 0) },
      fieldNames: Self.caseFieldNames)
    invoiceClass = try state.defineViewClass(
      name: "invoice", plainFields: Self.invoicePlainFields,
      fill: { stack, object in
        guard let invoice = (object as? RecordObject<Invoice>)?.record else {
          for _ in Self.invoicePlainFields { stack.push(.nil) }
          return
        }
        // In the order of invoicePlainFields.
        stack.push(.boolean(invoice.collectionSuspended))
        stack.push(.string(invoice.total.currency.code))
        stack.push(.string(invoice.dueOn.description))
        stack.push(.string(invoice.issuedOn.description))
        stack.push(.string(invoice.number))
        stack.push(.number(invoice.total.major))
      },
      fields: { [unowned self] stack, object, key in
        guard let invoice = (object as? RecordObject<Invoice>)?.record else { return false }
        return try invoiceField(invoice, key, on: stack)
      }, methods: [:],
      describe: { object in
        guard let invoice = (object as? RecordObject<Invoice>)?.record else { return "invoice ?" }
        return "invoice \(invoice.number) · \(invoice.total) · paid \(invoice.paid) · due \(invoice.dueOn)"
      }, fieldNames: Self.invoiceFieldNames, keepsFields: false)
    customerClass = try state.defineViewClass(
      name: "customer", plainFields: Self.customerPlainFields,
      fill: { stack, object in
        guard let customer = (object as? RecordObject<Customer>)?.record else {
          for _ in Self.customerPlainFields { stack.push(.nil) }
          return
        }
        for key in Self.customerPlainFields { _ = Self.customerField(customer, key, on: stack) }
      },
      fields: { [unowned self] stack, object, key in
        guard let customer = (object as? RecordObject<Customer>)?.record else { return false }
        if key == "broken_promises" {
          stack.push(.integer(Int64(try session.brokenPromises(customerId: customer.id))))
          return true
        }
        return Self.customerField(customer, key, on: stack)
      }, methods: [:],
      describe: { object in
        // No name, email or phone: a customer's identity is personal data.
        guard let customer = (object as? RecordObject<Customer>)?.record else { return "customer ?" }
        return "customer \(customer.id) · \(customer.kind.rawValue)" + (customer.vip ? " · vip" : "")
      }, fieldNames: Self.customerFieldNames, keepsFields: false)
    cursorClass = try state.defineClass(
      name: "case cursor", fields: { _, _, _ in false }, methods: [:], describe: { _ in "case cursor" })
  }

  private func instant(_ date: Date?) -> LuaValue {
    date.map { .integer(Int64(clamping: $0.timeIntervalSince1970)) } ?? .nil
  }

  /// Pushes the values of the plain fields of `current`, in the order of `casePlainFields`: the one
  /// place those fields are read for scripts.
  private func pushPlainFields(of current: DisputeCase, on stack: LuaStack) {
    // Keep in the order of casePlainFields (alphabetical); a test reads each one back.
    // age_days
    stack.push(.integer(Int64(clamping: session.now.timeIntervalSince(current.openedAt) / 86_400)))
    stack.push(current.category.map { .string($0.rawValue) } ?? .nil)
    stack.push(.string(current.channel.rawValue))
    stack.push(.string(current.disputed.currency.code))
    stack.push(instant(current.deadline))
    stack.push(.number(current.disputed.major))
    stack.push(.string(current.escalation.rawValue))
    stack.push(.integer(current.id))
    stack.push(instant(current.openedAt))
    stack.push(current.outcome.map { .string($0.rawValue) } ?? .nil)
    stack.push(current.owner.map { .string($0.rawValue) } ?? .nil)
    stack.push(.integer(Int64(current.priority)))
    stack.push(.string(current.reason))
    stack.push(current.reference.map { .string($0) } ?? .nil)  // reference
    stack.push(.string(current.status.rawValue))  // status
  }

  /// Pushes field `key` of `current` that holds a table or an object; false for an unknown field.
  ///
  /// Plain fields never reach here: the class's field cache serves them from `pushPlainFields`.
  /// The ledgers of a case's invoices as the core computes them (Ledger.swift), with the case's own
  /// portions open or released as its working state says (a script that resolved it sees them released).
  private func ledgers(of current: DisputeCase) throws -> [InvoiceLedger] {
    try session.facts(id: current.id)?.ledgers.map(asWorked) ?? []
  }

  /// `ledger` with the portions of the cases the session is working on open or released as their
  /// working state says (a case the script resolved in this call shows its portion released at once).
  private func asWorked(_ ledger: InvoiceLedger) -> InvoiceLedger {
    var ledger = ledger
    for index in ledger.disputes.indices {
      if let working = session.working[ledger.disputes[index].caseId] {
        ledger.disputes[index].open = working.disputeCase.status.isActive
      }
    }
    return ledger
  }

  /// The late penalties (or, against a consumer, legal interest) on the case's invoices today.
  ///
  /// As the core computes them (LatePenalties): `{interest, indemnity, total, basis, invoices = {{number,
  /// interest, indemnity, days, from, to}}}`. With `[company] penalties_on_disputed = "waive"`, nothing runs on an invoice
  /// while the case disputes it, and after resolution only from its new due date (domain.md §4).
  ///
  /// `disputed` says what happens on a disputed invoice (the company's setting for `case.penalties`,
  /// the caller's for `case:late_penalties(mode)`).
  func penaltiesValue(of current: DisputeCase, disputed: DisputedPenalties) throws -> LuaValue {
    let settings = session.store.settings
    let today = LocalDate(session.now, in: settings.timeZone)
    guard let facts = try session.facts(id: current.id) else { return .nil }
    var interest = Money.zero(settings.currency)
    var indemnity = Money.zero(settings.currency)
    var rows: [LuaValue] = []
    var basis = facts.customerKind == .company ? "late_penalties" : "legal_interest"
    let claims = try Self.plausible {
      try CasePenalties.claims(for: current, facts: facts, settings: settings, today: today, mode: disputed)
    }
    for (ledger, claim) in claims {
      basis = claim.basis.rawValue
      interest = interest + claim.interest
      indemnity = indemnity + claim.indemnity
      rows.append(
        .table([
          "number": .string(ledger.invoice.number), "interest": .number(claim.interest.major),
          "indemnity": .number(claim.indemnity.major), "days": .integer(Int64(claim.days)),
          "from": claim.firstDay.map { .string($0.description) } ?? .nil,
          "to": claim.lastDay.map { .string($0.description) } ?? .nil,
        ]))
    }
    return .table([
      "interest": .number(interest.major), "indemnity": .number(indemnity.major),
      "total": .number((interest + indemnity).major), "basis": .string(basis), "invoices": .array(rows),
    ])
  }

  /// The sum of `amount` over `ledgers`, as a number of major units for scripts.
  private func total(_ ledgers: [InvoiceLedger], _ amount: (InvoiceLedger) throws -> Money) throws -> LuaValue
  {
    let sum = try ledgers.reduce(Money.zero(session.store.settings.currency)) { total, ledger in
      total.adding(try amount(ledger)) ?? total
    }
    return .number(sum.major)
  }

  private func caseField(_ current: DisputeCase, _ key: String, on stack: LuaStack) throws -> Bool {
    switch key {
    case "owed": stack.push(try total(try ledgers(of: current)) { try $0.owed() })
    case "frozen": stack.push(try total(try ledgers(of: current)) { try $0.frozen() })
    case "claimable":
      let today = LocalDate(session.now, in: session.store.settings.timeZone)
      stack.push(try total(try ledgers(of: current)) { try $0.collectable(on: today) })
    case "refund_due": stack.push(try total(try ledgers(of: current)) { try $0.refundDue() })
    case "claimable_changes_on":
      // The next day `claimable` may change by itself: an invoice falls due, or a resolved dispute's new
      // due date passes (InvoiceLedger.collectableChanges); nil when only a recorded change can move it.
      let today = LocalDate(session.now, in: session.store.settings.timeZone)
      let next = try ledgers(of: current).compactMap { $0.collectableChanges(after: today) }.min()
      stack.push(next.map { .string($0.description) } ?? .nil)
    case "limitation_date":
      // Code civil 2233, 2238, 2240 and Code de commerce L110-4 / consommation L218-2 (CaseFacts).
      stack.push(try session.facts(id: current.id)?.limitationDate.map { .string($0.description) } ?? .nil)
    case "penalties":
      stack.push(try penaltiesValue(of: current, disputed: session.store.settings.penaltiesOnDisputed))
    case "attempts":
      let attempts = try session.facts(id: current.id)?.attempts.map(\.rawValue).sorted() ?? []
      stack.push(.array(attempts.map { .string($0) }))
    case "payments":
      let payments = try ledgers(of: current).flatMap(\.payments)
      stack.push(
        .array(
          payments.map {
            .table([
              "invoice": .string($0.invoiceNumber), "amount": .number($0.amount.major),
              "paid_on": .string($0.paidOn.description), "reference": .string($0.reference),
            ])
          }))
      stack.setShapeOfItems(shapes.payment)
    case "promise":
      guard let promise = try session.facts(id: current.id)?.promise else {
        stack.push(.nil)
        break
      }
      stack.push(
        .table([
          "amount": .number(promise.amount.major), "due_on": .string(promise.dueOn.description),
          "paid_since": .number(promise.paidSince.major), "status": .string(promise.status.rawValue),
        ]))
      stack.setShape(shapes.promise)
    case "tags": stack.push(.array(current.tags.map { .string($0) }))
    case "gestures":
      stack.push(
        .array(
          current.gestures.map {
            .table([
              "id": .integer(Int64($0.id)), "kind": .string($0.kind.rawValue),
              "amount": .number($0.amount.major),
              "state": .string($0.state.rawValue), "needs_approval": .boolean($0.needsApproval),
              "approved_by": $0.approvedBy.map { .string($0) } ?? .nil,
            ])
          }))
      stack.setShapeOfItems(shapes.gesture)
    case "customer": try pushCustomer(try session.customer(id: current.customerId), on: stack)
    case "invoices":
      let invoices = try session.invoices(ofCase: current.id)
      stack.push(.table([:]))
      for (offset, invoice) in invoices.enumerated() {
        try pushInvoice(invoice, on: stack)
        stack.setIndex(offset + 1)
      }
    case "communications":
      let messages = try session.communications(ofCase: current.id)
      stack.pushTable(arrayCount: messages.count)
      for (offset, message) in messages.enumerated() {
        stack.pushTable(fieldCount: 5)
        stack.push(instant(message.at))
        stack.setField("at")
        stack.push(.string(message.direction.rawValue))
        stack.setField("direction")
        stack.push(.string(message.channel.rawValue))
        stack.setField("channel")
        stack.push(.string(message.author))
        stack.setField("author")
        stack.push(.string(message.summary))
        stack.setField("summary")
        stack.setShape(shapes.message)
        stack.setIndex(offset + 1)
      }
    case "history":
      let entries = try session.historyWithFields(ofCase: current.id)
      stack.pushTable(arrayCount: entries.count)
      for (offset, (event, payload)) in entries.enumerated() {
        stack.pushTable(fieldCount: 6)
        stack.push(instant(event.at))
        stack.setField("at")
        stack.push(.string(event.kind))
        stack.setField("kind")
        stack.push(.string(event.reason))
        stack.setField("reason")
        stack.push(.string(event.provenance.source))
        stack.setField("source")
        stack.push(.string(event.provenance.hook))
        stack.setField("hook")
        stack.pushTable(fieldCount: payload.count)
        for (key, value) in payload {
          stack.push(.string(value))
          stack.setField(key)
        }
        stack.setField("data")
        stack.setShape(shapes.historyEntry)
        stack.setIndex(offset + 1)
      }
    default: return false
    }
    return true
  }

  private func invoiceField(_ invoice: Invoice, _ key: String, on stack: LuaStack) throws -> Bool {
    // Money fields come from the invoice's ledger (payments, credits, write-offs, money paid back).
    func ledgerAmount(_ amount: (InvoiceLedger) throws -> Money) throws {
      guard let ledger = try session.ledger(ofInvoice: invoice.number).map(asWorked) else {
        stack.push(.nil)
        return
      }
      stack.push(.number(try amount(ledger).major))
    }
    switch key {
    case "paid": try ledgerAmount { try $0.paid() }
    case "outstanding", "owed": try ledgerAmount { try $0.owed() }
    case "credited": try ledgerAmount { try $0.credited() }
    case "written_off": try ledgerAmount { try $0.writtenOff() }
    case "refunded": try ledgerAmount { try $0.refunded() }
    case "frozen": try ledgerAmount { try $0.frozen() }
    case "collectable":
      // What can be demanded today: owed, less the disputed part and what is not due again yet.
      let today = LocalDate(session.now, in: session.store.settings.timeZone)
      try ledgerAmount { try $0.collectable(on: today) }
    case "number": stack.push(.string(invoice.number))
    case "issued_on": stack.push(.string(invoice.issuedOn.description))
    case "due_on": stack.push(.string(invoice.dueOn.description))
    case "total": stack.push(.number(invoice.total.major))
    case "currency": stack.push(.string(invoice.total.currency.code))
    case "collection_suspended": stack.push(.boolean(invoice.collectionSuspended))
    case "customer": try pushCustomer(try session.customer(id: invoice.customerId), on: stack)
    default: return false
    }
    return true
  }

  private static func customerField(_ customer: Customer, _ key: String, on stack: LuaStack) -> Bool {
    switch key {
    case "id": stack.push(.string(customer.id))
    case "name": stack.push(.string(customer.name))
    case "kind": stack.push(.string(customer.kind.rawValue))
    case "segment": stack.push(.string(customer.segment))
    case "email": stack.push(customer.email.map { .string($0) } ?? .nil)
    case "phone": stack.push(customer.phone.map { .string($0) } ?? .nil)
    case "language": stack.push(.string(customer.language))
    case "vip": stack.push(.boolean(customer.vip))
    case "since": stack.push(customer.since.map { .string($0.description) } ?? .nil)
    default: return false
    }
    return true
  }
}

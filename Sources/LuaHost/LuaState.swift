import CLuaShim
import Foundation

/// A Swift function callable from Lua.
///
/// It reads its arguments from `stack`, pushes its results and returns how many it pushed. Throwing raises a Lua error in the calling script, after this Swift frame
/// has returned (never a `longjmp` across Swift).
public typealias LuaHostFunction = (LuaStack) throws -> Int

/// One sandboxed Lua 5.4 interpreter with a memory ceiling and per-call deadlines.
///
/// A `LuaState` is not thread-safe and is not `Sendable`: create one per worker and use it from that
/// worker only. Every call into Lua that can raise runs inside a protected call; errors come back as
/// `LuaError`. Scripts see only the allowlisted standard library (see `Sandbox.swift`), each in its own
/// environment (`LuaEnvironment`), over shared read-only libraries.
public final class LuaState {
  /// Resource limits of a state and of each call into it.
  public struct Limits: Sendable {
    /// Memory ceiling for the whole state, in bytes (0: none).
    public var memoryBytes: Int
    /// Wall-clock deadline of each call (nil: none).
    public var timeout: Duration?
    /// The largest chunk accepted for parsing, in bytes.
    public var maxSourceBytes: Int
    /// How deep a table read back from Lua may nest.
    public var maxTableDepth: Int
    /// How many entries, in all, a table read back from Lua may hold.
    public var maxTableEntries: Int
    /// How many bytes of text, in all, one value read back from Lua may hold.
    public var maxCopyBytes: Int

    /// Limits with the defaults of `litige run`: 256 MB, 10 s, 4 MB of source.
    public init(
      memoryBytes: Int = 256 << 20, timeout: Duration? = .seconds(10), maxSourceBytes: Int = 4 << 20,
      maxTableDepth: Int = 32, maxTableEntries: Int = 100_000, maxCopyBytes: Int = 16 << 20
    ) {
      self.maxCopyBytes = maxCopyBytes
      self.memoryBytes = memoryBytes
      self.timeout = timeout
      self.maxSourceBytes = maxSourceBytes
      self.maxTableDepth = maxTableDepth
      self.maxTableEntries = maxTableEntries
    }
  }

  /// The Lua version this host requires (5.4).
  public static let requiredVersion = 504

  /// The Lua release this host runs, as `lua -v` names it (`Lua 5.4.7`).
  public static let release = String(cString: litige_lua_release())

  /// The first release without a known bug a sandboxed script can reach.
  ///
  /// Tests/Hostile/LUA-BUGS.md lists them: in 5.4.4 a `__concat` that grows the stack reads freed
  /// memory and the compiler miscompiles; 5.4.6 still crashes on a deep `getobjname` recursion; 5.4.7
  /// has a use after free at the memory ceiling (983bc433) and a message handler a script can replace
  /// (3fe7be95).
  public static let firstFixedRelease = 50408

  /// Whether the Lua release linked has bugs a script can use to crash the host or escape.
  public static var releaseHasKnownBugs: Bool { Int(litige_lua_release_number()) < firstFixedRelease }

  /// The environment variable that lets a host start scripts on a release with known bugs.
  public static let allowUnfixedLuaVariable = "LITIGE_ALLOW_UNFIXED_LUA"

  /// The limits in force; changing them applies from the next call.
  public var limits: Limits {
    didSet {
      control.pointee.limit = limits.memoryBytes > 0 ? size_t(limits.memoryBytes) : 0
      timeoutNanoseconds = limits.timeout.map(Watchdog.nanoseconds)
    }
  }
  /// `limits.timeout` as the watchdog takes it, converted once rather than at every call.
  private var timeoutNanoseconds: UInt64?
  /// This state's place in the watchdog (its calls' deadlines).
  private let watchSlot: Watchdog.Slot
  /// Where `print` writes, as text (bytes that are not UTF-8 shown as U+FFFD); by default standard output.
  public var output: (String) -> Void = { text in FileHandle.standardOutput.write(Data(text.utf8)) }
  /// Where `print` writes its bytes unchanged, as `lua5.4` does; when set, `output` is not used.
  public var rawOutput: (([UInt8]) -> Void)?

  let pointer: OpaquePointer
  let control: UnsafeMutablePointer<litige_control>
  private var functions: [LuaHostFunction] = []
  private var sandbox: Int32 = 0  // registry reference to the prelude's table of operations
  private var pendingSeed: Int32 = LUA_NOREF  // the prelude's table holding the next math.random seed
  private var messageHandler: Int32 = 0
  private var lastRaised: (message: String, kind: LuaError.Kind)?
  private var inCall = false
  /// Set by `runKeepingResult`: the next call keeps its first result in the registry.
  private var keepNextResult = false
  private var keptResult: Int32 = LUA_NOREF
  /// How many calls into Lua this state has started (host objects' views use it to know a new call
  /// began).
  public private(set) var callCount = 0
  /// Runs at the start of every call into Lua, before anything is pushed.
  ///
  /// Host objects' views are brought up to date there. It must not call into Lua.
  public var beforeCall: (() -> Void)?
  /// The main thread's stack, for host code working on the state between calls.
  public var mainStack: LuaStack { LuaStack(pointer: pointer, state: self) }
  var objects: [Int: AnyObject] = [:]
  private var nextObjectHandle = 0
  private var classMetatables: [String: Int32] = [:]

  /// Creates a state, checks the Lua library's version and sets up the sandbox.
  ///
  /// Throws `LuaError` if the library is not Lua 5.4 or the state cannot be created.
  public init(limits: Limits = Limits()) throws {
    self.limits = limits
    control = .allocate(capacity: 1)
    control.initialize(to: litige_control())
    control.pointee.limit = limits.memoryBytes > 0 ? size_t(limits.memoryBytes) : 0
    control.pointee.host_depth = 1
    guard let state = litige_newstate(control) else {
      control.deallocate()
      throw LuaError(kind: .memory, message: "cannot create a Lua state")
    }
    pointer = state
    watchSlot = Watchdog.Slot(mainThread: state)
    Watchdog.shared.register(watchSlot)
    timeoutNanoseconds = limits.timeout.map(Watchdog.nanoseconds)
    let version = Int(lua_version(state))
    // From here on `deinit` closes the state and frees the control block, even when init throws.
    guard version == Self.requiredVersion else {
      throw LuaError(
        kind: .runtime,
        message:
          "Lua \(Self.requiredVersion / 100).\(Self.requiredVersion % 100) is required, found \(version)")
    }
    if Self.releaseHasKnownBugs, ProcessInfo.processInfo.environment[Self.allowUnfixedLuaVariable] != "1" {
      throw LuaError(
        kind: .runtime,
        message:
          "\(Self.release) has bugs a script can use to crash the host (docs/sandbox.md); build "
          + "with the default `make` (a fixed Lua 5.4.7) or set \(Self.allowUnfixedLuaVariable)=1 to run anyway"
      )
    }
    control.pointee.dispatch = hostDispatch
    control.pointee.host = Unmanaged.passUnretained(self).toOpaque()
    litige_pushcfunction(state, litige_message_handler)
    messageHandler = luaL_ref(state, litige_registry_index())
    try installSandbox()
  }

  deinit {
    // Closing runs the `__gc` of host objects; this object is being destroyed, so detach it first:
    // with no host, the trampoline's dispatch does nothing.
    control.pointee.host = nil
    Watchdog.shared.unregister(watchSlot)
    lua_close(pointer)
    control.deallocate()
  }

  /// Bytes the state holds now.
  public var memoryInUse: Int { Int(control.pointee.used) }
  /// The most bytes the state has held at once.
  public var peakMemory: Int { Int(control.pointee.peak) }

  // MARK: Functions

  /// Registers a Swift function and returns its id, for `LuaStack.pushFunction(id:)`.
  @discardableResult
  public func register(_ function: @escaping LuaHostFunction) -> Int32 {
    functions.append(function)
    return Int32(functions.count - 1)
  }

  fileprivate func dispatch(_ thread: OpaquePointer, _ id: Int32) -> Int32 {
    let stack = LuaStack(pointer: thread, state: self)
    do {
      return Int32(try functions[Int(id)](stack))
    } catch {
      let raised = error as? LuaRaisedError ?? LuaRaisedError(String(describing: error))
      let message = Self.scriptLocation(thread) + raised.message
      lastRaised = (message, raised.kind)
      stack.push(.string(message))
      return -1
    }
  }

  // MARK: Loading and calling

  /// Compiles `source` (text only) into a function whose globals are `environment`'s.
  ///
  /// `chunkName` is how errors name the source (`plugins/acme/triage.lua`). Throws `LuaError` of kind
  /// `.syntax` (with the line) or `.validation` when the source is larger than `limits.maxSourceBytes`.
  public func load(source: String, chunkName: String, environment: LuaEnvironment) throws
    -> LuaReference
  {
    try load(bytes: Array(source.utf8), chunkName: chunkName, environment: environment)
  }

  /// Compiles source bytes as they are on disk, whatever their encoding.
  ///
  /// As `lua5.4` does, a script saved in Windows-1252 keeps its accented bytes in its strings. Throws
  /// like `load(source:...)`.
  public func load(bytes: [UInt8], chunkName: String, environment: LuaEnvironment) throws -> LuaReference {
    let bytes = Self.skippingFirstLineComment(bytes)
    let byteCount = bytes.count
    guard byteCount <= limits.maxSourceBytes else {
      throw LuaError(
        kind: .validation,
        message:
          "\(chunkName): source is \(byteCount) bytes, more than the limit of \(limits.maxSourceBytes)",
        chunk: chunkName)
    }
    let status = bytes.withUnsafeBufferPointer { buffer in
      buffer.withMemoryRebound(to: CChar.self) {
        litige_loadbuffer(pointer, $0.baseAddress, $0.count, "@" + chunkName)
      }
    }
    guard status == LUA_OK else {
      let message = LuaStack(pointer: pointer, state: self).rawString(at: -1) ?? "cannot load \(chunkName)"
      litige_pop(pointer, 1)
      let kind: LuaError.Kind = status == LUA_ERRMEM ? .memory : .syntax
      throw LuaError(
        kind: kind, message: message, chunk: chunkName, line: Self.line(in: message, chunk: chunkName))
    }
    // Set the chunk's first upvalue (_ENV) to the environment.
    lua_rawgeti(pointer, litige_registry_index(), lua_Integer(environment.reference))
    _ = lua_setupvalue(pointer, -2, 1)
    return LuaReference(reference: luaL_ref(pointer, litige_registry_index()))
  }

  /// Calls `function` with `arguments` under the limits and returns its results copied out.
  ///
  /// Throws `LuaError` with the kind, location and traceback of whatever stopped the call. The state
  /// stays usable after any error.
  @discardableResult
  public func call(_ function: LuaReference, _ arguments: [LuaValue] = []) throws -> [LuaValue] {
    try call(function, argumentCount: arguments.count) { stack in
      for argument in arguments { stack.push(argument) }
    }
  }

  /// Calls `function` with arguments pushed by `pushArguments` (objects, functions, values).
  @discardableResult
  public func call(
    _ function: LuaReference, argumentCount: Int, pushArguments: (LuaStack) throws -> Void
  ) throws -> [LuaValue] {
    try call(reference: function.reference, argumentCount: argumentCount, pushArguments: pushArguments)
  }

  /// Calls `function` as `call(_:argumentCount:pushArguments:)` does and drops what it returns, which
  /// is neither checked nor copied out: for calls made for their effects (a hook's decisions).
  ///
  /// With `preparedByArguments`, `beforeCall` does not run: the caller's `pushArguments` does that
  /// work itself (a hook call brings the case views up to date as it pushes its case).
  public func callDiscardingResults(
    _ function: LuaReference, argumentCount: Int, preparedByArguments: Bool = false,
    pushArguments: (LuaStack) throws -> Void
  ) throws {
    _ = try call(
      reference: function.reference, argumentCount: argumentCount, resultCount: 0,
      runsBeforeCall: !preparedByArguments, pushArguments: pushArguments)
  }

  /// Compiles and runs `source` in `environment`; returns the chunk's results.
  @discardableResult
  public func run(source: String, chunkName: String, environment: LuaEnvironment) throws -> [LuaValue] {
    try run(bytes: Array(source.utf8), chunkName: chunkName, environment: environment)
  }

  /// `source` with a first line starting with `#` (`#!/usr/bin/env lua`) made empty, as
  /// `luaL_loadfilex` skips it; the newline stays, so line numbers do not move.
  public static func skippingFirstLineComment(_ source: [UInt8]) -> [UInt8] {
    guard source.first == UInt8(ascii: "#") else { return source }
    return Array(source[(source.firstIndex(of: UInt8(ascii: "\n")) ?? source.endIndex)...])
  }

  /// Compiles and runs source bytes in `environment` (see `load(bytes:...)`); returns the chunk's results.
  @discardableResult
  public func run(bytes: [UInt8], chunkName: String, environment: LuaEnvironment) throws -> [LuaValue] {
    let function = try load(bytes: bytes, chunkName: chunkName, environment: environment)
    defer { release(function) }
    return try call(function)
  }

  /// Compiles and runs `source` and keeps its first result alive in the registry.
  ///
  /// Returns a copy of that result and a reference to it (read function fields with `function(named:in:)`).
  public func runKeepingResult(source: String, chunkName: String, environment: LuaEnvironment) throws -> (
    value: LuaValue, reference: LuaReference
  ) {
    try runKeepingResult(bytes: Array(source.utf8), chunkName: chunkName, environment: environment)
  }

  /// `runKeepingResult(source:...)` for source bytes as they are on disk (see `load(bytes:...)`).
  public func runKeepingResult(bytes: [UInt8], chunkName: String, environment: LuaEnvironment) throws -> (
    value: LuaValue, reference: LuaReference
  ) {
    let function = try load(bytes: bytes, chunkName: chunkName, environment: environment)
    defer { release(function) }
    keepNextResult = true
    defer { keepNextResult = false }
    let values = try call(reference: function.reference, argumentCount: 0) { _ in }
    let kept = keptResult
    keptResult = LUA_NOREF  // the caller owns it now
    return (values.first ?? .nil, LuaReference(reference: kept))
  }

  /// The value stored under `key` in the table `table` refers to, kept alive (a raw read); nil when absent.
  public func reference(at key: LuaValue, in table: LuaReference) -> LuaReference? {
    lua_rawgeti(pointer, litige_registry_index(), lua_Integer(table.reference))
    defer { litige_pop(pointer, 1) }
    guard lua_type(pointer, -1) == LUA_TTABLE else { return nil }
    LuaStack(pointer: pointer, state: self).push(key)
    lua_rawget(pointer, -2)
    guard lua_type(pointer, -1) > LUA_TNIL else {
      litige_pop(pointer, 1)
      return nil
    }
    return LuaReference(reference: luaL_ref(pointer, litige_registry_index()))
  }

  /// The function stored under `name` in the table `table` refers to, if it is one (a raw read).
  public func function(named name: String, in table: LuaReference) -> LuaReference? {
    lua_rawgeti(pointer, litige_registry_index(), lua_Integer(table.reference))
    defer { litige_pop(pointer, 1) }
    guard lua_type(pointer, -1) == LUA_TTABLE else { return nil }
    lua_pushstring(pointer, name)
    lua_rawget(pointer, -2)
    guard lua_type(pointer, -1) == LUA_TFUNCTION else {
      litige_pop(pointer, 1)
      return nil
    }
    return LuaReference(reference: luaL_ref(pointer, litige_registry_index()))
  }

  /// Releases a reference; using it afterwards is a programming error.
  public func release(_ function: LuaReference) {
    luaL_unref(pointer, litige_registry_index(), function.reference)
  }

  func call(
    reference: Int32, argumentCount: Int, resultCount: Int32 = LUA_MULTRET, runsBeforeCall: Bool = true,
    pushArguments: (LuaStack) throws -> Void
  ) throws -> [LuaValue] {
    precondition(!inCall, "LuaState: a call into Lua started while another is running on this state")
    inCall = true
    callCount &+= 1
    if runsBeforeCall { beforeCall?() }
    defer { inCall = false }
    let stack = LuaStack(pointer: pointer, state: self)
    let base = lua_gettop(pointer)
    defer { lua_settop(pointer, base) }
    guard lua_checkstack(pointer, Int32(argumentCount) + 8) != 0 else {
      throw LuaError(kind: .runtime, message: "too many arguments")
    }
    // A call is charged only for what it makes: garbage an earlier call left is collected first when
    // it could matter. > lua_gc [-0, +0, -] does not raise (finalizer errors become warnings).
    if control.pointee.limit != 0, control.pointee.used > control.pointee.limit / 2 {
      litige_full_collect(pointer)
    }
    lua_rawgeti(pointer, litige_registry_index(), lua_Integer(messageHandler))
    lua_rawgeti(pointer, litige_registry_index(), lua_Integer(reference))
    try pushArguments(stack)
    lastRaised = nil
    litige_clear_interrupt(control)
    litige_set_running(control, pointer)
    let watched = timeoutNanoseconds
    if let watched { Watchdog.shared.arm(watchSlot, nanoseconds: watched) }
    control.pointee.host_depth -= 1
    let status = litige_pcall_host(pointer, Int32(argumentCount), resultCount, base + 1)
    control.pointee.host_depth += 1
    if watched != nil { Watchdog.shared.disarm(watchSlot) }
    let interrupt = litige_interrupt_reason(control)
    lua_sethook(pointer, nil, 0, 0)
    litige_clear_interrupt(control)
    litige_set_running(control, pointer)
    if status == LUA_OK {
      var results: [LuaValue] = []
      let top = lua_gettop(pointer)
      if keepNextResult, top > base + 1 {
        keepNextResult = false
        lua_pushvalue(pointer, base + 2)
        keptResult = luaL_ref(pointer, litige_registry_index())
      }
      do {
        if top > base + 1 {
          for index in (base + 2)...top { results.append(try stack.value(at: index)) }
        }
      } catch let raised as LuaRaisedError {
        throw LuaError(kind: raised.kind, message: "cannot read the results: \(raised.message)")
      }
      return results
    }
    throw error(status: status, interrupt: interrupt, stack: stack)
  }

  private func error(status: Int32, interrupt: Int32, stack: LuaStack) -> LuaError {
    var report = (try? stack.value(at: -1)) ?? .nil
    if case .string(let text) = report { report = .table([.string("message"): .string(text)]) }
    let message = report["message"].stringValue ?? "error in error handling"
    let chunk = report["source"].stringValue
    let line = report["line"].integerValue.map(Int.init)
    let traceback = report["traceback"].stringValue.map(scriptFrames)
    var kind: LuaError.Kind = .runtime
    var shown = message
    switch interrupt {
    case Int32(LITIGE_INTERRUPT_TIMEOUT):
      kind = .timeout
      let limit = limits.timeout.map(Self.describe) ?? "its deadline"
      shown = "time limit exceeded: the call ran longer than \(limit)" + Self.where(chunk, line)
    case Int32(LITIGE_INTERRUPT_MEMORY):
      kind = .memory
      shown =
        "memory limit exceeded: the state needed more than \(limits.memoryBytes >> 20) MB"
        + Self.where(chunk, line)
    case Int32(LITIGE_INTERRUPT_CANCEL):
      kind = .interrupted
      shown = "interrupted" + Self.where(chunk, line)
    default:
      // A memory error is known by the flag the allocator sets when it refuses; LUA_ERRMEM alone
      // may be a script's own `error("not enough memory")` or a real malloc failure.
      if let raised = lastRaised, raised.message == message {
        kind = raised.kind
      }
    }
    return LuaError(kind: kind, message: shown, chunk: chunk, line: line, traceback: traceback)
  }

  /// The chunk names of the host's own Lua code, as tracebacks show them.
  ///
  /// A traceback shown to people leaves their frames out. The REPL adds its helpers.
  public var hostChunkNames: Set<String> = ["sandbox"]

  /// `traceback` without the frames of the host's own chunks.
  private func scriptFrames(_ traceback: String) -> String {
    traceback.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
      let frame = line.drop { $0 == "\t" || $0 == " " }
      return !hostChunkNames.contains { frame.hasPrefix($0 + ":") }
    }.joined(separator: "\n")
  }

  /// A duration as people read it: `10 s`, `250 ms`.
  public static func describe(_ duration: Duration) -> String {
    let milliseconds =
      duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(milliseconds) ms"
  }

  private static func `where`(_ chunk: String?, _ line: Int?) -> String {
    guard let chunk, let line else { return "" }
    return " (at \(chunk):\(line))"
  }

  /// `chunk:line: ` of the innermost script line running on `thread`, skipping the sandbox's own Lua
  /// frames (an `__index` of the prelude calling into Swift), or "" when there is none.
  static func scriptLocation(_ thread: OpaquePointer) -> String {
    var record = lua_Debug()
    var level: Int32 = 1
    while lua_getstack(thread, level, &record) != 0 {
      level += 1
      guard lua_getinfo(thread, "Sl", &record) != 0, record.currentline > 0 else { continue }
      let source = record.source.map { String(cString: $0) } ?? ""
      guard !source.hasPrefix("=") else { continue }  // the host's own chunks ("=sandbox")
      let shortSource = withUnsafeBytes(of: record.short_src) { bytes in
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
      }
      return "\(shortSource):\(record.currentline): "
    }
    return ""
  }

  /// The line number in a message that starts with `chunk:LINE:`.
  static func line(in message: String, chunk: String) -> Int? {
    guard message.hasPrefix(chunk + ":") else { return nil }
    let rest = message.dropFirst(chunk.count + 1)
    return Int(rest.prefix { $0.isNumber })
  }

  // MARK: Interrupts

  /// A handle that stops this state's running call from another thread or a signal handler.
  public var interrupter: LuaInterrupter { LuaInterrupter(mainThread: pointer) }

  // MARK: Sandbox plumbing

  private func installSandbox() throws {
    let stack = LuaStack(pointer: pointer, state: self)
    // > luaL_openlibs [-0, +0, e]: it can only raise for lack of memory, and the allocator refuses
    // > nothing while the host runs (host_depth is 1 until the first call).
    luaL_openlibs(pointer)
    installBoundedLibraryFunctions()
    let status = Sandbox.prelude.withCString { litige_loadbuffer(pointer, $0, strlen($0), Sandbox.chunkName) }
    precondition(status == LUA_OK, "the sandbox prelude does not compile")
    let preludeFunction = luaL_ref(pointer, litige_registry_index())
    let write = register { [unowned self] stack in
      if let raw = self.rawOutput {
        raw(try stack.bytes(at: 1, function: "print"))
      } else {
        self.output(try stack.string(at: 1, function: "print"))
      }
      return 0
    }
    let results = try call(reference: preludeFunction, argumentCount: 2) { stack in
      lua_rawgeti(pointer, litige_registry_index(), lua_Integer(LUA_RIDX_GLOBALS))
      lua_createtable(pointer, 0, 8)
      stack.setField("pcall") { litige_pushcfunction($0, litige_pcall) }
      stack.setField("xpcall") { litige_pushcfunction($0, litige_xpcall) }
      stack.setField("resume") { litige_pushcfunction($0, litige_coroutine_resume) }
      stack.setField("wrap") { litige_pushcfunction($0, litige_coroutine_wrap) }
      stack.setField("close") { litige_pushcfunction($0, litige_coroutine_close) }
      let maxSource = limits.maxSourceBytes
      stack.setField("load") {
        lua_pushinteger($0, lua_Integer(maxSource))
        lua_pushcclosure($0, litige_load, 1)
      }
      stack.setField("write") { litige_push_host_function($0, write) }
      stack.setField("read_module") { litige_push_host_function($0, self.register(Sandbox.readModule)) }
    }
    luaL_unref(pointer, litige_registry_index(), preludeFunction)
    _ = results
    // The prelude left its table of operations in the registry field "litige.sandbox".
    lua_getfield(pointer, litige_registry_index(), "litige.sandbox")
    sandbox = luaL_ref(pointer, litige_registry_index())
    lua_rawgeti(pointer, litige_registry_index(), lua_Integer(sandbox))
    lua_getfield(pointer, -1, "pending_seed")
    pendingSeed = luaL_ref(pointer, litige_registry_index())
    litige_pop(pointer, 1)
    _ = stack
  }

  /// Bounds the library functions whose C loops no hook can stop.
  ///
  /// Replaces them, in the real library tables, by wrappers that bound their work before it starts
  /// (`litige_bounded` in shim.c). Raw reads and writes only.
  private func installBoundedLibraryFunctions() {
    let bounded: [(library: String, function: String, which: Int32)] = [
      ("string", "rep", Int32(LITIGE_BOUND_STRING_REP)), ("table", "move", Int32(LITIGE_BOUND_TABLE_MOVE)),
      ("table", "insert", Int32(LITIGE_BOUND_TABLE_INSERT)),
      ("table", "remove", Int32(LITIGE_BOUND_TABLE_REMOVE)),
    ]
    lua_rawgeti(pointer, litige_registry_index(), lua_Integer(LUA_RIDX_GLOBALS))
    for entry in bounded {
      lua_pushstring(pointer, entry.library)
      lua_rawget(pointer, -2)
      lua_pushstring(pointer, entry.function)
      lua_rawget(pointer, -2)
      let original = lua_tocfunction(pointer, -1)
      litige_pop(pointer, 1)
      if let original {
        lua_pushstring(pointer, entry.function)
        litige_push_bounded(pointer, original, entry.which)
        lua_rawset(pointer, -3)
      }
      litige_pop(pointer, 1)
    }
    litige_pop(pointer, 1)
  }

  /// Calls the sandbox operation `name` with arguments pushed by `push`; returns the first result
  /// as a registry reference when `keep` is true.
  func sandboxOperation(_ name: String, argumentCount: Int, keep: Bool, push: (LuaStack) throws -> Void)
    throws -> Int32?
  {
    lua_rawgeti(pointer, litige_registry_index(), lua_Integer(sandbox))
    lua_getfield(pointer, -1, name)
    let reference = luaL_ref(pointer, litige_registry_index())
    litige_pop(pointer, 1)
    defer { luaL_unref(pointer, litige_registry_index(), reference) }
    var kept: Int32?
    _ = try call(reference: reference, argumentCount: argumentCount + (keep ? 1 : 0)) { stack in
      if keep {
        // A holder table receives the result, so it can be referenced after the call.
        lua_createtable(pointer, 1, 0)
        lua_pushvalue(pointer, -1)
        kept = luaL_ref(pointer, litige_registry_index())
      }
      try push(stack)
    }
    guard let holder = kept else { return nil }
    lua_rawgeti(pointer, litige_registry_index(), lua_Integer(holder))
    lua_rawgeti(pointer, -1, 1)
    let result = luaL_ref(pointer, litige_registry_index())
    litige_pop(pointer, 1)
    luaL_unref(pointer, litige_registry_index(), holder)
    return result
  }

  /// The `ctx` maker of one plugin's hook (see `LuaHookContext`).
  ///
  /// `config` is made read-only once (nested tables too) and shared by the calls.
  public func hookContext(config: LuaValue, plugin: String, version: String, hookName: String) throws
    -> LuaHookContext
  {
    guard
      let reference = try sandboxOperation(
        "make_hook_context", argumentCount: 4, keep: true,
        push: { stack in
          stack.push(config)
          stack.push(.string(plugin))
          stack.push(.string(version))
          stack.push(.string(hookName))
        })
    else { throw LuaError(kind: .runtime, message: "cannot make the ctx of \(hookName)") }
    return LuaHookContext(metatable: reference)
  }

  /// Creates a fresh global environment for a script or a plugin.
  ///
  /// `moduleRoot` is the only folder its `require` may load files from (nil: standard libraries only);
  /// `displayRoot` is how chunk names show that folder in messages.
  public func makeEnvironment(moduleRoot: URL? = nil, displayRoot: String? = nil) throws -> LuaEnvironment {
    let reference = try sandboxOperation("new_environment", argumentCount: 2, keep: true) { stack in
      stack.push(moduleRoot.map { .string($0.path) } ?? .nil)
      stack.push(displayRoot.map { .string($0) } ?? .nil)
    }
    return LuaEnvironment(reference: reference ?? LUA_NOREF)
  }

  /// Adds a global visible to every environment; a table becomes a read-only library.
  ///
  /// `push` must push exactly one value.
  public func defineGlobal(_ name: String, push: (LuaStack) throws -> Void) throws {
    _ = try sandboxOperation("define_global", argumentCount: 2, keep: false) { stack in
      stack.push(.string(name))
      try push(stack)
    }
  }

  /// Seeds `math.random` so that a replay draws the same numbers.
  ///
  /// The seed applies at the first `math.random` of the script: setting it costs a table write, not a
  /// call into Lua, which matters when it is set before every hook call of a night.
  public func seedRandom(_ seed: Int64) throws {
    lua_rawgeti(pointer, litige_registry_index(), lua_Integer(pendingSeed))
    lua_pushinteger(pointer, seed)
    lua_rawseti(pointer, -2, 1)
    litige_pop(pointer, 1)
  }

  /// Reads a global of `environment` (raw, then the shared globals), copied out.
  public func global(_ name: String, in environment: LuaEnvironment) throws -> LuaValue {
    let stack = LuaStack(pointer: pointer, state: self)
    lua_rawgeti(pointer, litige_registry_index(), lua_Integer(environment.reference))
    defer { litige_pop(pointer, 2) }
    lua_pushstring(pointer, name)
    lua_rawget(pointer, -2)
    return try stack.value(at: -1)
  }

  func retainObject(_ object: AnyObject, className: String, metatable: Int32) -> Int {
    if classMetatables[className] != metatable { classMetatables[className] = metatable }
    nextObjectHandle += 1
    objects[nextObjectHandle] = object
    return nextObjectHandle
  }

  func classMetatable(named name: String) -> Int32 { classMetatables[name] ?? LUA_NOREF }

  /// Pushes a value stored in the registry (an environment, a function) on `stack`.
  func pushReference(_ reference: Int32, on stack: LuaStack) {
    lua_rawgeti(stack.pointer, litige_registry_index(), lua_Integer(reference))
  }
}

/// A script's global environment inside a `LuaState`, valid for that state's lifetime.
public struct LuaEnvironment: Sendable, Hashable {
  /// The registry reference that keeps the environment table alive.
  public let reference: Int32
}

/// A Lua value (a function, a plugin's table) kept alive in the registry until released with
/// `LuaState.release`.
public struct LuaReference: Sendable, Hashable {
  /// The registry reference.
  public let reference: Int32
}

/// Stops the running call of one state (or of several, of which one runs at a time); usable from any
/// thread and from a signal handler.
public struct LuaInterrupter: @unchecked Sendable {
  let mainThreads: [OpaquePointer]

  init(mainThread: OpaquePointer) { mainThreads = [mainThread] }

  /// One interrupter for all of `interrupters`' states (a plugin host's, one per plugin).
  public init(combining interrupters: [LuaInterrupter]) { mainThreads = interrupters.flatMap(\.mainThreads) }

  /// Makes the running call fail with `.interrupted` at its next Lua instruction.
  ///
  /// A state with no call running is left alone: `call` clears the request when its next call starts.
  public func interrupt() {
    for mainThread in mainThreads { litige_request_interrupt(mainThread, Int32(LITIGE_INTERRUPT_CANCEL)) }
  }
}

private let hostDispatch: litige_host_dispatch = { thread, id in
  guard let thread, let control = litige_control_of(thread), let host = control.pointee.host else { return 0 }
  return Unmanaged<LuaState>.fromOpaque(host).takeUnretainedValue().dispatch(thread, id)
}

/// Makes the `ctx` argument of one plugin's hook calls: `config`, `plugin`, `version`, `hook`,
/// `run_id` and `now`.
///
/// Each call gets a fresh empty table whose metatable reads those fields from one table kept per
/// plugin and hook, so what a hook stores in its `ctx` never reaches another call, and making it costs
/// no key insertions. Belongs to the state that made it (`LuaState.hookContext`); it lives as long as
/// that state.
public final class LuaHookContext {
  private let metatable: Int32
  private var runId: String?
  private var now: Int64?

  init(metatable: Int32) { self.metatable = metatable }

  /// Pushes a fresh `ctx` for a call of run `runId` at `now` (seconds since 1970, UTC).
  ///
  /// Must be called on the stack of the state that made it, from the host (it makes no call that can
  /// raise: the host's allocations are never refused).
  public func push(on stack: LuaStack, runId: String, now: Int64) {
    let pointer = stack.pointer
    _ = lua_checkstack(pointer, 4)
    lua_createtable(pointer, 0, 0)
    lua_rawgeti(pointer, litige_registry_index(), lua_Integer(metatable))
    if runId != self.runId || now != self.now {
      // The shared fields change once per run, not per call.
      lua_pushstring(pointer, "__index")
      lua_rawget(pointer, -2)
      lua_pushstring(pointer, "run_id")
      stack.push(.string(runId))
      lua_rawset(pointer, -3)
      lua_pushstring(pointer, "now")
      lua_pushinteger(pointer, now)
      lua_rawset(pointer, -3)
      litige_pop(pointer, 1)
      (self.runId, self.now) = (runId, now)
    }
    _ = lua_setmetatable(pointer, -2)
  }
}

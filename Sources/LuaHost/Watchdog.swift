import CLuaShim
import Foundation

/// The one thread that enforces call deadlines for every Lua state of the process.
///
/// A call registers its deadline when it starts and removes it when it ends; nothing runs per Lua
/// instruction. When a deadline passes, the watchdog asks the state to stop (`litige_request_interrupt`,
/// which only stores the reason and installs a hook, as lua.c does for Ctrl-C); the hook then raises on
/// every instruction until the call has unwound, so a `pcall` in the script cannot swallow it.
final class Watchdog: @unchecked Sendable {
  /// The process-wide watchdog, started on first use.
  static let shared = Watchdog()

  private struct Entry {
    var deadline: UInt64  // DispatchTime uptime, in nanoseconds
    var mainThread: OpaquePointer
    var limit: Duration
    var interrupted = false  // the soft deadline passed; `deadline` is now the hard one
  }

  private let condition = NSCondition()
  private var entries: [Int: Entry] = [:]
  private var nextToken = 0
  /// The deadline the watchdog thread sleeps until; `.max` when it sleeps until signalled.
  private var sleepingUntil: UInt64 = .max

  private init() {
    let thread = Thread { [unowned self] in self.loop() }
    thread.name = "litige-lua-watchdog"
    thread.start()
  }

  private static func nanoseconds(_ duration: Duration) -> UInt64 {
    let components = duration.components
    return UInt64(max(0, min(components.seconds, 1 << 32))) * 1_000_000_000
      + UInt64(max(0, components.attoseconds / 1_000_000_000))
  }

  /// Starts watching a call; returns the token that `disarm` takes.
  func arm(mainThread: OpaquePointer, after duration: Duration) -> Int {
    let deadline = DispatchTime.now().uptimeNanoseconds &+ Self.nanoseconds(duration)
    condition.lock()
    defer { condition.unlock() }
    nextToken += 1
    entries[nextToken] = Entry(deadline: deadline, mainThread: mainThread, limit: duration)
    // Wake the thread only if it would otherwise sleep past this deadline. Calls are short and
    // deadlines long, so in a batch run this signals about once per timeout period, not once per call.
    if deadline < sleepingUntil { condition.signal() }
    return nextToken
  }

  /// Stops watching a call.
  ///
  /// After it returns the watchdog will not touch that call again. It does not wake the thread: when
  /// the thread wakes at that call's deadline it finds nothing due and sleeps until the next one.
  func disarm(_ token: Int) {
    condition.lock()
    entries[token] = nil
    condition.unlock()
  }

  private func loop() {
    condition.lock()
    while true {
      guard let earliest = entries.values.map(\.deadline).min() else {
        sleepingUntil = .max
        condition.wait()
        continue
      }
      let now = DispatchTime.now().uptimeNanoseconds
      if now >= earliest {
        for (token, entry) in entries where entry.deadline <= now {
          if entry.interrupted {
            // The call ignored its interrupt for as long again plus a second: it is stuck in a C
            // call that no hook reaches. Only the process boundary can end it.
            entries[token] = nil
            let action = LuaHardDeadline.action
            condition.unlock()
            action(entry.limit)
            condition.lock()
            continue
          }
          litige_request_interrupt(entry.mainThread, Int32(LITIGE_INTERRUPT_TIMEOUT))
          entries[token]?.interrupted = true
          entries[token]?.deadline = now &+ Self.nanoseconds(entry.limit) &+ 1_000_000_000
        }
      } else {
        sleepingUntil = earliest
        _ = condition.wait(until: Date().addingTimeInterval(Double(earliest - now) / 1e9))
        sleepingUntil = 0  // awake: the next arm need not signal until the thread sleeps again
      }
    }
  }
}

/// What happens when a call outlives its time limit twice over plus a second: it sits in a single C
/// call (a backtracking pattern) that no hook can interrupt, and no thread can be stopped from outside.
///
/// The default ends the process with status 1 after one line on standard error: `litige run` and the
/// commands that run hooks write a call's decisions only once it has returned, so nothing is half
/// written (`case open` has stored the case itself before its triage hooks run). The REPL replaces it (it starts a new session); a batch worker disables it (its supervisor
/// kills it and records the case).
public enum LuaHardDeadline {
  nonisolated(unsafe) private static var current: @Sendable (Duration) -> Void = exitProcess
  private static let lock = NSLock()

  /// The action in force; called from the watchdog thread with the call's time limit.
  public static var action: @Sendable (Duration) -> Void {
    get { lock.withLock { current } }
    set { lock.withLock { current = newValue } }
  }

  /// The default: one line on standard error, then `_exit(1)`.
  public static let exitProcess: @Sendable (Duration) -> Void = { limit in
    let message =
      "litige: a script's call into the C library ran past twice its time limit of "
      + "\(LuaState.describe(limit)) and cannot be interrupted (a pattern that backtracks?); "
      + "the process stops here; what that call decided is not written\n"
    fflush(nil)  // flushes every stream: what the command printed before (`Opened case 121`) is kept
    FileHandle.standardError.write(Data(message.utf8))
    _exit(1)
  }

  /// Does nothing: the process's supervisor bounds the call.
  public static let ignore: @Sendable (Duration) -> Void = { _ in }
}

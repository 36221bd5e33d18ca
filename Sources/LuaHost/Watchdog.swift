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

  /// Starts watching a call; returns the token that `disarm` takes.
  func arm(mainThread: OpaquePointer, after duration: Duration) -> Int {
    let components = duration.components
    let nanoseconds =
      UInt64(max(0, components.seconds)) * 1_000_000_000
      + UInt64(max(0, components.attoseconds / 1_000_000_000))
    let deadline = DispatchTime.now().uptimeNanoseconds &+ nanoseconds
    condition.lock()
    defer { condition.unlock() }
    nextToken += 1
    entries[nextToken] = Entry(deadline: deadline, mainThread: mainThread)
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
          litige_request_interrupt(entry.mainThread, Int32(LITIGE_INTERRUPT_TIMEOUT))
          entries[token] = nil
        }
      } else {
        sleepingUntil = earliest
        _ = condition.wait(until: Date().addingTimeInterval(Double(earliest - now) / 1e9))
        sleepingUntil = 0  // awake: the next arm need not signal until the thread sleeps again
      }
    }
  }
}

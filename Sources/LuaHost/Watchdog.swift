import CLuaShim
import Foundation
import Synchronization

/// The one thread that enforces call deadlines for every Lua state of the process.
///
/// Each state has a slot (`Watchdog.Slot`), registered when the state is made and removed when it is
/// closed. A call stores its deadline in its state's slot when it starts and clears it when it ends:
/// two atomic operations and a clock read, no lock and no allocation (a night makes millions of calls;
/// a dictionary of deadlines under a lock was a twentieth of each). Nothing runs per Lua instruction.
/// When a deadline passes, the watchdog asks the state to stop (`litige_request_interrupt`, which only
/// stores the reason and installs a hook, as lua.c does for Ctrl-C); the hook then raises on every
/// instruction until the call has unwound, so a `pcall` in the script cannot swallow it.
final class Watchdog: @unchecked Sendable {
  /// The process-wide watchdog, started on first use.
  static let shared = Watchdog()

  /// One state's call deadline, shared by the state's thread and the watchdog's.
  final class Slot: @unchecked Sendable {
    /// The deadline of the running call in `Watchdog.now()` nanoseconds, 0 when no call is watched;
    /// with `interruptedFlag` once the soft deadline passed (it is then the hard one); with `busyFlag`
    /// while the watchdog is interrupting the call.
    let deadline = Atomic<UInt64>(0)
    /// The running call's time limit in nanoseconds, for the hard deadline and its message.
    let limit = Atomic<UInt64>(0)
    /// The state's main thread; set once, before the slot is registered.
    let mainThread: OpaquePointer

    init(mainThread: OpaquePointer) { self.mainThread = mainThread }
  }

  static let interruptedFlag: UInt64 = 1 << 62
  static let busyFlag: UInt64 = 1 << 63
  private static let flags = interruptedFlag | busyFlag

  private let condition = NSCondition()
  private var slots: [ObjectIdentifier: Slot] = [:]
  /// The deadline the watchdog thread sleeps until; `.max` when it sleeps until signalled, 0 awake.
  private let sleepingUntil = Atomic<UInt64>(0)

  private init() {
    let thread = Thread { [unowned self] in self.loop() }
    thread.name = "litige-lua-watchdog"
    thread.start()
  }

  /// The coarse monotonic clock, in nanoseconds: it reads a value the kernel keeps (a few
  /// nanoseconds, against about twenty for the precise clock, at every hook call), and moves in steps
  /// of `resolution`.
  static func now() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC_COARSE, &time)
    return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
  }

  /// The coarse clock's step (4 ms on most kernels): deadlines are set this much later, so that a call
  /// is never stopped before its limit (at most two steps after it).
  static let resolution: UInt64 = {
    var step = timespec()
    guard clock_getres(CLOCK_MONOTONIC_COARSE, &step) == 0 else { return 10_000_000 }
    return min(UInt64(step.tv_sec) &* 1_000_000_000 &+ UInt64(step.tv_nsec), 100_000_000)
  }()

  /// `duration` in nanoseconds, at most 2^32 seconds.
  static func nanoseconds(_ duration: Duration) -> UInt64 {
    let components = duration.components
    return UInt64(max(0, min(components.seconds, 1 << 32))) * 1_000_000_000
      + UInt64(max(0, components.attoseconds / 1_000_000_000))
  }

  /// Watches the calls of the state whose slot this is, until `unregister`.
  func register(_ slot: Slot) {
    condition.lock()
    slots[ObjectIdentifier(slot)] = slot
    condition.unlock()
  }

  /// Stops watching a slot; after it returns the watchdog will not touch that state again.
  func unregister(_ slot: Slot) {
    condition.lock()
    slots[ObjectIdentifier(slot)] = nil
    condition.unlock()
  }

  /// Starts watching a call of `slot`'s state that may run `nanoseconds`.
  func arm(_ slot: Slot, nanoseconds: UInt64) {
    let deadline = (Self.now() &+ max(nanoseconds, 1) &+ Self.resolution) & ~Self.flags
    slot.limit.store(nanoseconds, ordering: .relaxed)
    slot.deadline.store(deadline, ordering: .sequentiallyConsistent)
    // Wake the thread only if it would otherwise sleep past this deadline. Calls are short and
    // deadlines long, so in a batch run this signals about once per timeout period, not once per call.
    if deadline < sleepingUntil.load(ordering: .sequentiallyConsistent) {
      condition.lock()
      condition.signal()
      condition.unlock()
    }
  }

  /// Stops watching the call of `slot`'s state.
  ///
  /// After it returns the watchdog will not touch that call again: if it is interrupting the call at
  /// that moment, this waits until it is done. It does not wake the thread: when the thread wakes at
  /// that call's deadline it finds nothing due and sleeps until the next one.
  func disarm(_ slot: Slot) {
    let previous = slot.deadline.exchange(0, ordering: .sequentiallyConsistent)
    if previous & Self.busyFlag != 0 {
      // The watchdog interrupts while holding the lock.
      condition.lock()
      condition.unlock()
    }
  }

  private func loop() {
    condition.lock()
    scan: while true {
      // Published before the scan, so an `arm` the scan misses sees it and signals (it waits for the
      // lock, which this thread holds until it sleeps).
      sleepingUntil.store(.max, ordering: .sequentiallyConsistent)
      var earliest = UInt64.max
      let now = Self.now()
      for slot in slots.values {
        let deadline = slot.deadline.load(ordering: .sequentiallyConsistent)
        guard deadline != 0 else { continue }
        let due = deadline & ~Self.flags
        guard now >= due else {
          earliest = min(earliest, due)
          continue
        }
        let limit = slot.limit.load(ordering: .relaxed)
        if deadline & Self.interruptedFlag != 0 {
          // The call ignored its interrupt for as long again plus a second: it is stuck in a C call
          // that no hook reaches. Only the process boundary can end it.
          guard
            slot.deadline.compareExchange(expected: deadline, desired: 0, ordering: .sequentiallyConsistent)
              .exchanged
          else { continue }
          let action = LuaHardDeadline.action
          condition.unlock()
          action(.nanoseconds(Int64(limit)))
          condition.lock()
          continue scan  // states may have come and gone meanwhile: scan them again
        }
        guard
          slot.deadline.compareExchange(
            expected: deadline, desired: deadline | Self.busyFlag, ordering: .sequentiallyConsistent
          ).exchanged
        else { continue }  // the call ended (or another began) meanwhile
        litige_request_interrupt(slot.mainThread, Int32(LITIGE_INTERRUPT_TIMEOUT))
        let hard = (now &+ limit &+ 1_000_000_000) & ~Self.flags
        if slot.deadline.compareExchange(
          expected: deadline | Self.busyFlag, desired: hard | Self.interruptedFlag,
          ordering: .sequentiallyConsistent
        ).exchanged {
          earliest = min(earliest, hard)
        }
      }
      if earliest == .max {
        condition.wait()
      } else {
        sleepingUntil.store(earliest, ordering: .sequentiallyConsistent)
        let now = Self.now()
        if earliest > now {
          let remaining = earliest - now
          _ = condition.wait(until: Date().addingTimeInterval(Double(remaining) / 1e9))
        }
      }
      sleepingUntil.store(0, ordering: .sequentiallyConsistent)  // awake: an arm need not signal
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
    // write(2), not FileHandle: a closed standard error must not trap before the exit.
    _ = message.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
    _exit(1)
  }

  /// Does nothing: the process's supervisor bounds the call.
  public static let ignore: @Sendable (Duration) -> Void = { _ in }
}

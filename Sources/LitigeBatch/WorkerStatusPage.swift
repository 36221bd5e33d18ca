import Foundation

/// A page of memory shared by a batch worker and its supervisor: which hook call the worker is running
/// and since when.
///
/// The worker writes it at the start and end of every call (a few stores into mapped memory, no system
/// call); the supervisor reads it while it waits for a chunk. Times are CLOCK_MONOTONIC nanoseconds,
/// which both processes share.
final class WorkerStatusPage: @unchecked Sendable {
  private let base: UnsafeMutablePointer<Int64>
  private static let size = 4096
  // Slots: 0 plugin index (-1 idle), 1 case id, 2 start time in ns, 3 hook index.

  /// Maps the page at `path`, creating it when `create` is set.
  init(path: String, create: Bool) throws {
    let descriptor = open(path, create ? (O_RDWR | O_CREAT | O_TRUNC) : O_RDWR, 0o600)
    guard descriptor >= 0 else { throw BatchSupervisorError("cannot open the status page \(path)") }
    defer { close(descriptor) }
    guard ftruncate(descriptor, off_t(Self.size)) == 0,
      let mapped = mmap(nil, Self.size, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0),
      mapped != MAP_FAILED
    else { throw BatchSupervisorError("cannot map the status page \(path)") }
    base = mapped.assumingMemoryBound(to: Int64.self)
    if create { base[0] = -1 }
  }

  deinit { munmap(base, Self.size) }

  /// Publishes that plugin `plugin` started hook `hook` (indices) on case `caseId` (nil: none runs).
  func publish(plugin: Int?, hook: Int, caseId: Int64) {
    store(0, -1)
    guard let plugin else { return }
    store(1, caseId)
    store(2, Int64(bitPattern: DispatchTime.now().uptimeNanoseconds))
    store(3, Int64(hook))
    store(0, Int64(plugin))
  }

  /// The call running now and how long it has run, if any.
  func runningCall() -> (plugin: Int, hook: Int, caseId: Int64, seconds: Double)? {
    let plugin = load(0)
    guard plugin >= 0 else { return nil }
    let caseId = load(1)
    let started = UInt64(bitPattern: load(2))
    let hook = load(3)
    guard load(0) == plugin else { return nil }  // changed while reading: look again next time
    let now = DispatchTime.now().uptimeNanoseconds
    return (Int(plugin), Int(hook), caseId, now > started ? Double(now - started) / 1e9 : 0)
  }

  // Aligned 8-byte stores and loads into the shared mapping are single-copy atomic on the platforms
  // Litige runs on; the supervisor tolerates a stale read (it looks again 50 ms later).
  private func store(_ slot: Int, _ value: Int64) {
    UnsafeMutableRawPointer(base + slot).storeBytes(of: value, as: Int64.self)
  }

  private func load(_ slot: Int) -> Int64 {
    UnsafeRawPointer(base + slot).load(as: Int64.self)
  }
}

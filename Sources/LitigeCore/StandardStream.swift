#if canImport(Glibc)
  import Glibc
  private let systemWrite = Glibc.write
#elseif canImport(Darwin)
  import Darwin
  private let systemWrite = Darwin.write
#endif

/// Standard output or standard error, written without ever stopping the program.
///
/// Foundation's `FileHandle.write` traps when a write fails: `litige batch 2>&1 | head -2` ended the
/// night with SIGILL once `head` had closed the pipe. A night must finish whoever stopped reading its
/// progress, so a write to a closed pipe (EPIPE, with SIGPIPE ignored as the batch does) or to a full
/// disk is dropped; an interrupted write is retried.
public enum StandardStream: Sendable {
  /// File descriptor 1.
  case output
  /// File descriptor 2.
  case error

  /// Writes `text` as UTF-8, all of it unless the stream refuses; a refusal is silent (see the type).
  public func write(_ text: String) {
    var text = text
    text.withUTF8 { bytes in _ = write(bytes) }
  }

  /// Writes `bytes`, all of them unless the stream refuses, and returns whether it took them all.
  ///
  /// Progress and messages ignore the answer (see the type); data written to standard output (an
  /// export to `-`) must not: a full disk would leave a cut file and a success.
  @discardableResult
  public func write(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard var next = bytes.baseAddress else { return true }
    var left = bytes.count
    let descriptor: Int32 = self == .output ? 1 : 2
    while left > 0 {
      let written = systemWrite(descriptor, next, left)
      if written < 0 {
        if errno == EINTR { continue }
        return false
      }
      next += written
      left -= written
    }
    return true
  }

  /// Writes `bytes`, all of them unless the stream refuses, and returns whether it took them all.
  @discardableResult
  public func write(_ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBufferPointer { write($0) }
  }
}

import CPseudoTerminal
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The real `litige` executable on a pseudo-terminal, typed at as a person would.
///
/// Output is accumulated as the terminal shows it; `waitFor` reads until a text appears (with a generous
/// deadline for a slow machine: it returns as soon as the text is there, it never sleeps).
final class TerminalSession {
  let pid: pid_t
  private let master: Int32
  private(set) var screen = ""
  private var consumed = 0

  static var executable: String {
    var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    if directory.lastPathComponent == "MacOS" { directory = directory.deletingLastPathComponent() }
    return directory.appendingPathComponent("litige").path
  }

  init(arguments: [String], directory: String, environment: [String: String]) throws {
    let argv = ([Self.executable] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      for pointer in argv { free(pointer) }
      for pointer in envp { free(pointer) }
    }
    var master: Int32 = -1
    let pid = litige_spawn_on_pseudo_terminal(Self.executable, argv, envp, directory, 100, 30, &master)
    guard pid > 0 else { throw POSIXError(.ECHILD) }
    self.pid = pid
    self.master = master
  }

  deinit {
    kill(pid, SIGKILL)
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    close(master)
  }

  /// Types `text` (use "\r" for Enter, "\t" for Tab, "\u{03}" for Ctrl-C, "\u{04}" for Ctrl-D).
  ///
  /// Like a person, at the prompt: waits until the line editor reads, unless `atPrompt` is false.
  func type(_ text: String, atPrompt: Bool = true) {
    if atPrompt { waitUntilEditing(true) }
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
  }

  /// Reads until `text` shows after what earlier waits consumed; returns the output up to it, or nil when
  /// the program ended or `seconds` passed first.
  @discardableResult
  func waitFor(_ text: String, seconds: Double = 20) -> String? {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
      let visible = Self.plain(screen)
      let start = visible.index(visible.startIndex, offsetBy: min(consumed, visible.count))
      if let range = visible.range(of: text, range: start..<visible.endIndex) {
        consumed = visible.distance(from: visible.startIndex, to: range.upperBound)
        return String(visible[start..<range.upperBound])
      }
      let remaining = deadline.timeIntervalSinceNow
      guard remaining > 0 else { return nil }
      var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
      guard poll(&descriptor, 1, Int32(remaining * 1_000)) > 0 else { return nil }
      var buffer = [UInt8](repeating: 0, count: 4_096)
      let count = read(master, &buffer, buffer.count)
      guard count > 0 else { return nil }
      screen += String(decoding: buffer[..<count], as: UTF8.self)
    }
  }

  /// Waits until the line editor reads (`editing`) or has handed the line over (not `editing`).
  ///
  /// The editor reads with the terminal out of canonical mode. A person sees the cursor at a fresh
  /// prompt, or a statement that hangs. Typing before that would race with the terminal driver, which discards
  /// typed-ahead input on Ctrl-C. Returns false if that state does not come within `seconds`.
  @discardableResult
  func waitUntilEditing(_ editing: Bool, seconds: Double = 20) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    var buffer = [UInt8](repeating: 0, count: 4_096)
    while Date() < deadline {
      var settings = termios()
      if tcgetattr(master, &settings) == 0, (settings.c_lflag & tcflag_t(ICANON) == 0) == editing {
        return true
      }
      // Nothing to observe yet: wait for output (or 10 ms) and check again.
      var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
      if poll(&descriptor, 1, 10) > 0 {
        let count = read(master, &buffer, buffer.count)
        if count > 0 { screen += String(decoding: buffer[..<count], as: UTF8.self) }
      }
    }
    return false
  }

  /// Waits for the program to exit; its status, or nil if it is still running after `seconds`.
  func exitStatus(seconds: Double = 20) -> Int32? {
    let deadline = Date().addingTimeInterval(seconds)
    var buffer = [UInt8](repeating: 0, count: 4_096)
    while Date() < deadline {
      var status: Int32 = 0
      if waitpid(pid, &status, WNOHANG) == pid { return (status >> 8) & 0xFF }
      // Drain the terminal so the program never blocks writing to it.
      var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
      if poll(&descriptor, 1, 100) > 0 {
        let count = read(master, &buffer, buffer.count)
        if count > 0 { screen += String(decoding: buffer[..<count], as: UTF8.self) }
      }
    }
    return nil
  }

  /// `text` without terminal control sequences and carriage returns: what a person reads.
  static func plain(_ text: String) -> String {
    var result = ""
    var iterator = text.unicodeScalars.makeIterator()
    while let scalar = iterator.next() {
      if scalar == "\u{1B}" {
        guard let next = iterator.next() else { break }
        if next == "[" {
          while let final = iterator.next(), !(0x40...0x7E).contains(final.value) {}
        }
        continue
      }
      if scalar == "\r" || scalar == "\u{07}" || scalar == "\u{08}" { continue }
      result.unicodeScalars.append(scalar)
    }
    return result
  }
}

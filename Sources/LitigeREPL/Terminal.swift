import CEditLine
import Foundation
import LitigeCore
import LuaHost
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// One read from the user.
public enum LineInput: Equatable {
  /// A line, without its newline.
  case line(String)
  /// Ctrl-C at the prompt: drop what was typed.
  case interrupted
  /// Ctrl-D on an empty line, or the end of piped input.
  case end
}

// MARK: Ctrl-C

/// Set by the SIGINT handler; read and cleared by the line reader and the loop.
private let interruptCount = Atomic<Int>(0)
/// The states a Ctrl-C must stop, as set before each evaluation.
///
/// Read from the signal handler: plain loads of values written before the evaluation starts.
nonisolated(unsafe) private var interruptTargets: [LuaInterrupter] = []

/// The thread that reads the terminal: a SIGINT delivered to another thread is sent on to it, so that
/// its blocked `read` returns.
nonisolated(unsafe) private var readingThread = pthread_self()

private let onInterrupt: @convention(c) (Int32) -> Void = { signal in
  guard pthread_equal(pthread_self(), readingThread) != 0 else {
    pthread_kill(readingThread, signal)  // async-signal-safe, as is pthread_self
    return
  }
  interruptCount.add(1, ordering: .relaxed)
  for target in interruptTargets { target.interrupt() }
}

/// Routes Ctrl-C (SIGINT) to the REPL: at the prompt it cancels the line; while a statement runs it
/// interrupts the Lua call, which fails with `.interrupted` and leaves the session intact.
enum InterruptHandling {
  /// Installs the handler, without `SA_RESTART` so that a blocked `read` returns `EINTR`.
  static func install() {
    readingThread = pthread_self()
    var action = sigaction()
    action.__sigaction_handler.sa_handler = onInterrupt
    sigemptyset(&action.sa_mask)
    action.sa_flags = 0
    sigaction(SIGINT, &action, nil)
    // A parent may have started us with SIGINT blocked (blocked signals survive exec): unblock it.
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
  }

  /// The states Ctrl-C interrupts from now on.
  static func target(_ interrupters: [LuaInterrupter]) { interruptTargets = interrupters }

  /// Whether Ctrl-C was pressed since the last `takeInterrupt`, without clearing it.
  static func interruptPending() -> Bool { interruptCount.load(ordering: .relaxed) > 0 }

  /// Whether Ctrl-C was pressed since the last call; clears it.
  static func takeInterrupt() -> Bool { interruptCount.exchange(0, ordering: .relaxed) > 0 }
}

// MARK: Line editor

/// The completion source of the one line editor of the process (libedit calls back without context).
nonisolated(unsafe) private var activeCompleter: ((String) -> [String])?
/// The prompt libedit shows, kept alive as a C string.
nonisolated(unsafe) private var promptBuffer: UnsafeMutablePointer<CChar>? = strdup("> ")

private let promptFunction: litige_prompt_function = { _ in UnsafePointer(promptBuffer) }

/// Reads one character for libedit: UTF-8 decoded, and Ctrl-C (a read interrupted by SIGINT) reported as
/// an error so that `el_gets` returns at once.
private let readCharacter: litige_getc_function = { _, character in
  func readByte() -> Int32 {
    var byte: UInt8 = 0
    while true {
      // A SIGINT that lands just before `read` blocks would not interrupt it: wait in short polls and
      // look at the flag between them (EINTR still ends a poll at once in the usual case).
      if interruptCount.load(ordering: .relaxed) > 0 { return -2 }
      var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
      let ready = poll(&descriptor, 1, 100)
      if ready == 0 || (ready < 0 && errno == EINTR) { continue }
      let count = read(STDIN_FILENO, &byte, 1)
      if count == 1 { return Int32(byte) }
      if count == 0 { return -1 }
      if errno == EINTR {
        if interruptCount.load(ordering: .relaxed) > 0 { return -2 }
        continue
      }
      return -3
    }
  }
  let first = readByte()
  if first == -1 { return 0 }
  if first < 0 { return -1 }
  var scalar = UInt32(first)
  var following = 0
  switch first {
  case 0xC0...0xDF: (scalar, following) = (UInt32(first) & 0x1F, 1)
  case 0xE0...0xEF: (scalar, following) = (UInt32(first) & 0x0F, 2)
  case 0xF0...0xF7: (scalar, following) = (UInt32(first) & 0x07, 3)
  default: break
  }
  for _ in 0..<following {
    let next = readByte()
    if next < 0 { return next == -1 ? 0 : -1 }
    scalar = scalar << 6 | (UInt32(next) & 0x3F)
  }
  character?.pointee = wchar_t(bitPattern: scalar)
  return 1
}

/// Tab: completes the word before the cursor; lists the candidates when there are several.
private let completeFunction: litige_key_function = { editLine, _ in
  guard let editLine, let completer = activeCompleter else { return UInt8(CC_ERROR) }
  var cursor: Int32 = 0
  var length: Int32 = 0
  guard let buffer = litige_el_line(editLine, &cursor, &length) else { return UInt8(CC_ERROR) }
  let bytes = UnsafeRawBufferPointer(start: buffer, count: Int(cursor))
  let before = String(decoding: bytes, as: UTF8.self)
  let candidates = completer(before)
  guard let first = candidates.first else { return UInt8(CC_REFRESH_BEEP) }
  let word = String(
    before.reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == ":" }.reversed())
  var common = first
  for candidate in candidates.dropFirst() {
    common = String(zip(common, candidate).prefix { $0 == $1 }.map(\.0))
  }
  if common.count > word.count, common.hasPrefix(word) {
    el_insertstr(editLine, String(common.dropFirst(word.count)))
  }
  if candidates.count == 1 {
    // A meta command's argument completed whole: the next one follows after a space.
    if before.hasPrefix("."), before.contains(" ") { el_insertstr(editLine, " ") }
    return UInt8(CC_REFRESH)
  }
  StandardStream.output.write("\n" + columns(candidates, limit: 200))
  return UInt8(CC_REDISPLAY)
}

/// `candidates` in columns across the terminal's width, as a shell lists completions; at most `limit`.
func columns(_ candidates: [String], limit: Int, width given: Int? = nil) -> String {
  var size = winsize()
  let width =
    given ?? (ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 80)
  let shown = Array(candidates.prefix(limit))
  let cell = (shown.map(\.count).max() ?? 0) + 2
  let perLine = max(1, width / max(1, cell))
  let lines = (shown.count + perLine - 1) / perLine
  var text = ""
  for line in 0..<lines {
    // Down the columns, as ls does.
    var row = ""
    for column in 0..<perLine {
      let index = column * lines + line
      guard index < shown.count else { continue }
      let item = shown[index]
      row +=
        column + 1 < perLine && index + lines < shown.count
        ? item.padding(toLength: cell, withPad: " ", startingAt: 0) : item
    }
    text += row + "\n"
  }
  if candidates.count > limit { text += "... (\(candidates.count - limit) more)\n" }
  return text
}

/// Ctrl-C typed as a character (when the terminal does not turn it into SIGINT): the same as SIGINT.
private let interruptFunction: litige_key_function = { editLine, _ in
  interruptCount.add(1, ordering: .relaxed)
  if let editLine { litige_el_clear_line(editLine) }
  return UInt8(CC_NEWLINE)
}

/// Line editing on a terminal through libedit: emacs keys, history kept in a file, tab completion.
///
/// One per process (libedit's callbacks reach it through globals). Reads from standard input, which
/// must be a terminal.
final class LineEditor {
  private let editLine: OpaquePointer
  private let history: OpaquePointer
  private let historyPath: String?

  /// An editor whose history is loaded from and saved to `historyPath` (at most `historySize` lines).
  init?(historyPath: String?, historySize: Int32, completer: @escaping (String) -> [String]) {
    Self.useUTF8Locale()
    guard let editLine = litige_el_init("litige"), let history = litige_history_init(historySize) else {
      return nil
    }
    self.editLine = editLine
    self.history = history
    self.historyPath = historyPath
    activeCompleter = completer
    litige_el_set_prompt(editLine, promptFunction)
    litige_el_set_editor(editLine, "emacs")
    litige_el_set_history(editLine, history)
    litige_el_set_getc(editLine, readCharacter)
    litige_el_add_function(
      editLine, "litige-complete", "Complete the word before the cursor", completeFunction)
    litige_el_bind(editLine, "^I", "litige-complete")
    litige_el_add_function(editLine, "litige-interrupt", "Cancel the line", interruptFunction)
    litige_el_bind(editLine, "^C", "litige-interrupt")
    // Home, End and Delete as tmux, screen, rxvt and the Linux console send them.
    for (sequence, function) in [
      ("\\e[1~", "ed-move-to-beg"), ("\\e[4~", "ed-move-to-end"), ("\\e[7~", "ed-move-to-beg"),
      ("\\e[8~", "ed-move-to-end"), ("\\e[H", "ed-move-to-beg"), ("\\e[F", "ed-move-to-end"),
      ("\\eOH", "ed-move-to-beg"), ("\\eOF", "ed-move-to-end"), ("\\e[3~", "ed-delete-next-char"),
    ] {
      litige_el_bind(editLine, sequence, function)
    }
    _ = litige_el_source_default(editLine)  // the user's ~/.editrc, if any
    if let historyPath { _ = litige_history_load(history, historyPath) }
  }

  /// Sets a UTF-8 locale for libedit's characters.
  ///
  /// libedit keeps wide characters and converts them to and from bytes with the C library's locale:
  /// without one ("C", LANG unset) every letter beyond ASCII was dropped. The locale comes from the
  /// environment, and is C.UTF-8 when that is not UTF-8; only LC_CTYPE changes (numbers keep their
  /// dot, for Lua).
  static func useUTF8Locale() {
    if setlocale(LC_CTYPE, "") != nil, let codeset = nl_langinfo(nl_item(CODESET)) {
      let name = String(cString: codeset).uppercased().filter { $0 != "-" }
      if name == "UTF8" { return }
    }
    if setlocale(LC_CTYPE, "C.UTF-8") == nil { _ = setlocale(LC_CTYPE, "C.utf8") }
  }

  deinit {
    save()
    history_end(history)
    el_end(editLine)
    activeCompleter = nil
  }

  /// Shows `prompt` and reads a line.
  func read(prompt: String) -> LineInput {
    free(promptBuffer)
    promptBuffer = strdup(prompt)
    var count: Int32 = 0
    guard let line = el_gets(editLine, &count) else {
      if InterruptHandling.takeInterrupt() || count < 0 {
        el_reset(editLine)
        StandardStream.output.write("^C\n")
        return .interrupted
      }
      StandardStream.output.write("\n")
      return .end
    }
    var text = String(cString: line)
    if text.hasSuffix("\n") { text.removeLast() }
    // Ctrl-C read as a key cleared the line. A Ctrl-C that comes with a line (typed just after Enter)
    // stays pending: the statement starts interrupted, which is what the user asked for.
    if text.isEmpty, InterruptHandling.takeInterrupt() {
      StandardStream.output.write("^C\n")
      return .interrupted
    }
    return .line(text)
  }

  /// Adds a whole statement to the history (the lines of a multi-line one together, recalled as one).
  func remember(_ statement: String) {
    if !statement.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
      litige_history_enter(history, statement)
    }
  }

  /// Writes the history file (also done when the editor goes away).
  func save() {
    if let historyPath { _ = litige_history_save(history, historyPath) }
  }
}

/// An error from Lua code or from the host while running it, safe to pass between threads.
///
/// `message` is what Lua produced, location prefix included
/// (`plugins/acme/triage.lua:12: attempt to compare nil with number`); `chunk` and `line` locate the
/// innermost Lua line that was running. Messages from scripts may quote customer data, so callers
/// decide whether to print `traceback`.
public struct LuaError: Error, Sendable, Equatable, CustomStringConvertible {
  /// What went wrong, as an extensible set of named constants.
  public struct Kind: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The constant's name, as shown to users.
    public var rawValue: String
    /// Creates a kind from its name.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// The source did not parse.
    public static let syntax = Kind(rawValue: "syntax")
    /// The script raised an error or broke a rule of the language.
    public static let runtime = Kind(rawValue: "runtime")
    /// The state's memory ceiling was reached.
    public static let memory = Kind(rawValue: "memory")
    /// The call ran past its deadline.
    public static let timeout = Kind(rawValue: "timeout")
    /// The call was interrupted from outside (Ctrl-C).
    public static let interrupted = Kind(rawValue: "interrupted")
    /// The host refused something the script asked for (a decision, an argument).
    public static let validation = Kind(rawValue: "validation")
    /// The name shown to users.
    public var description: String { rawValue }
  }

  /// What went wrong.
  public var kind: Kind
  /// The message, with Lua's `chunk:line:` prefix when Lua added one.
  public var message: String
  /// The chunk (file) of the innermost Lua line running when the error happened, if known.
  public var chunk: String?
  /// The line in `chunk`, if known.
  public var line: Int?
  /// Lua's stack traceback, if one was taken.
  public var traceback: String?

  /// Creates an error value; `chunk`, `line` and `traceback` are optional context.
  public init(
    kind: Kind, message: String, chunk: String? = nil, line: Int? = nil, traceback: String? = nil
  ) {
    self.kind = kind
    self.message = message
    self.chunk = chunk
    self.line = line
    self.traceback = traceback
  }

  /// The one-line message.
  public var description: String { message }
}

/// An error a Swift function exposed to Lua throws to raise a Lua error with a given kind.
///
/// Any other Swift error raised from such a function becomes a runtime error with its description.
public struct LuaRaisedError: Error, Sendable, CustomStringConvertible {
  /// How the host reports the error when the script does not catch it.
  public var kind: LuaError.Kind
  /// The message; the host prefixes it with the calling script's `chunk:line:`.
  public var message: String
  /// Creates an error to raise in the calling script.
  public init(_ message: String, kind: LuaError.Kind = .runtime) {
    self.kind = kind
    self.message = message
  }
  /// The message.
  public var description: String { message }
}

import Foundation
import LitigeCore

/// A value of a configuration file, with the line it was written on (for error messages).
public struct ConfigValue: Sendable, Equatable {
  /// The value's kinds: TOML's scalars and arrays.
  public enum Kind: Sendable, Equatable {
    /// A string.
    case string(String)
    /// An integer.
    case integer(Int64)
    /// A float.
    case float(Double)
    /// A boolean.
    case boolean(Bool)
    /// An array of values.
    case array([ConfigValue])
  }

  /// The value.
  public var kind: Kind
  /// The 1-based line of the file it comes from.
  public var line: Int

  /// The value as a number, when it is an integer or a float; nil otherwise.
  public var number: Double? {
    switch kind {
    case .integer(let integer): return Double(integer)
    case .float(let float): return float
    default: return nil
    }
  }

  /// How TOML names the value's type, for messages.
  public var typeName: String {
    switch kind {
    case .string: return "a string"
    case .integer: return "an integer"
    case .float: return "a float"
    case .boolean: return "a boolean"
    case .array: return "an array"
    }
  }
}

/// A configuration error: the file, line and key, and what was expected.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The message, starting with `file:line:`.
  public var message: String
  /// Creates an error.
  public init(_ message: String) { self.message = message }
  /// The message.
  public var description: String { message }
}

/// Reads the subset of TOML that `litige.toml` uses: `[table]` and `[a.b]` headers, `key = value`
/// with bare or quoted keys, strings ("basic" with TOML's escapes, 'literal'), integers, floats, booleans,
/// and arrays of those (on one line or several), and `#` comments.
///
/// Anything else (inline tables, multi-line strings, dates) is refused with its line, never guessed.
public enum TOMLSubset {
  /// The tables of `text` by dotted name (`""` for the top level), each key -> value.
  ///
  /// Throws `ConfigError` naming `file` and the line.
  public static func parse(_ text: String, file: String) throws -> [String: [String: ConfigValue]] {
    try parseWithLines(text, file: file).tables
  }

  /// `parse`, also returning the line of each table header.
  public static func parseWithLines(_ text: String, file: String) throws -> (
    tables: [String: [String: ConfigValue]], headerLines: [String: Int]
  ) {
    var tables: [String: [String: ConfigValue]] = ["": [:]]
    var headerLines: [String: Int] = [:]
    var current = ""
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    var index = 0
    func fail(_ line: Int, _ message: String) -> ConfigError { ConfigError("\(file):\(line): \(message)") }
    while index < lines.count {
      let number = index + 1
      var line = stripComment(lines[index]).trimmingCharacters(in: .whitespaces)
      index += 1
      if line.isEmpty { continue }
      if line.hasPrefix("[") {
        guard line.hasSuffix("]"), !line.hasPrefix("[[") else {
          throw fail(number, "expected a table header such as [plugins.triage]")
        }
        let name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map {
          $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        guard !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty }) else {
          throw fail(number, "empty table name")
        }
        current = parts.joined(separator: ".")
        guard tables[current] == nil || current.isEmpty else {
          throw fail(number, "table [\(current)] is defined twice")
        }
        tables[current] = [:]
        headerLines[current] = number
        continue
      }
      guard let equals = line.firstIndex(of: "=") else { throw fail(number, "expected key = value") }
      var key = line[..<equals].trimmingCharacters(in: .whitespaces)
      if key.hasPrefix("\""), key.hasSuffix("\""), key.count >= 2 { key = String(key.dropFirst().dropLast()) }
      guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
        throw fail(number, "invalid key '\(key)' (letters, digits, '_' and '-')")
      }
      var valueText = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
      // Arrays may continue over several lines until their brackets balance.
      while valueText.hasPrefix("["), !balanced(valueText), index < lines.count {
        valueText += " " + stripComment(lines[index]).trimmingCharacters(in: .whitespaces)
        index += 1
      }
      line = valueText
      var cursor = line.startIndex
      let value = try parseValue(line, &cursor, line: number) { fail($0, "\(key): \($1)") }
      guard line[cursor...].trimmingCharacters(in: .whitespaces).isEmpty else {
        throw fail(number, "unexpected text after the value of '\(key)'")
      }
      guard tables[current]?[key] == nil else { throw fail(number, "key '\(key)' is set twice") }
      tables[current, default: [:]][key] = value
    }
    return (tables, headerLines)
  }

  private static func stripComment(_ line: String) -> String {
    var inString: Character?
    var escaped = false
    for (offset, character) in line.enumerated() {
      if let quote = inString {
        if escaped {
          escaped = false
        } else if character == "\\" && quote == "\"" {
          escaped = true
        } else if character == quote {
          inString = nil
        }
      } else if character == "\"" || character == "'" {
        inString = character
      } else if character == "#" {
        return String(line.prefix(offset))
      }
    }
    return line
  }

  private static func balanced(_ text: String) -> Bool {
    var depth = 0
    var inString: Character?
    for character in stripComment(text) {
      if let quote = inString {
        if character == quote { inString = nil }
      } else if character == "\"" || character == "'" {
        inString = character
      } else if character == "[" {
        depth += 1
      } else if character == "]" {
        depth -= 1
      }
    }
    return depth <= 0
  }

  private static func parseValue(
    _ text: String, _ cursor: inout String.Index, line: Int, fail: (Int, String) -> ConfigError
  ) throws -> ConfigValue {
    while cursor < text.endIndex, text[cursor] == " " { cursor = text.index(after: cursor) }
    guard cursor < text.endIndex else { throw fail(line, "missing value") }
    let first = text[cursor]
    if first == "\"" || first == "'" {
      if text[cursor...].hasPrefix("\"\"\"") || text[cursor...].hasPrefix("'''") {
        throw fail(line, "multi-line strings are not supported in litige.toml")
      }
      cursor = text.index(after: cursor)
      var result = ""
      while cursor < text.endIndex, text[cursor] != first {
        var character = text[cursor]
        if first == "\"", character == "\\" {
          cursor = text.index(after: cursor)
          guard cursor < text.endIndex else { break }
          // TOML 1.0's escapes in a basic string (toml.io/en/v1.0.0#string).
          switch text[cursor] {
          case "b": character = "\u{08}"
          case "t": character = "\t"
          case "n": character = "\n"
          case "f": character = "\u{0C}"
          case "r": character = "\r"
          case "\"": character = "\""
          case "\\": character = "\\"
          case "u", "U":
            let digits = text[cursor] == "u" ? 4 : 8
            let start = text.index(after: cursor)
            guard let end = text.index(start, offsetBy: digits, limitedBy: text.endIndex),
              text[start..<end].allSatisfy(\.isHexDigit),
              let scalar = UInt32(text[start..<end], radix: 16).flatMap(Unicode.Scalar.init)
            else {
              throw fail(
                line,
                "escape '\\\(text[cursor])' needs \(digits) hexadecimal digits naming a Unicode scalar value")
            }
            character = Character(scalar)
            cursor = text.index(before: end)
          default:
            throw fail(
              line,
              "unsupported escape '\\\(text[cursor])' (TOML's are \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX)"
            )
          }
        }
        result.append(character)
        cursor = text.index(after: cursor)
      }
      guard cursor < text.endIndex else { throw fail(line, "unterminated string") }
      cursor = text.index(after: cursor)
      return ConfigValue(kind: .string(result), line: line)
    }
    if first == "[" {
      cursor = text.index(after: cursor)
      var elements: [ConfigValue] = []
      while true {
        while cursor < text.endIndex, text[cursor] == " " || text[cursor] == "," {
          cursor = text.index(after: cursor)
        }
        guard cursor < text.endIndex else { throw fail(line, "unterminated array") }
        if text[cursor] == "]" {
          cursor = text.index(after: cursor)
          return ConfigValue(kind: .array(elements), line: line)
        }
        elements.append(try parseValue(text, &cursor, line: line, fail: fail))
      }
    }
    if first == "{" { throw fail(line, "inline tables are not supported in litige.toml; use a [table]") }
    let end = text[cursor...].firstIndex { $0 == "," || $0 == "]" || $0 == " " } ?? text.endIndex
    let token = String(text[cursor..<end])
    cursor = end
    switch token {
    case "true": return ConfigValue(kind: .boolean(true), line: line)
    case "false": return ConfigValue(kind: .boolean(false), line: line)
    default: break
    }
    let digits = token.replacingOccurrences(of: "_", with: "")
    if let integer = Int64(digits) { return ConfigValue(kind: .integer(integer), line: line) }
    if digits.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let float = Double(digits) {
      return ConfigValue(kind: .float(float), line: line)
    }
    throw fail(line, "cannot read the value '\(token)' (strings need quotes)")
  }
}

/// A workspace's policy configuration: where plugins are found and which are enabled with what settings.
///
/// Read from `litige.toml` beside the workspace database:
/// ```toml
/// [workspace]
/// plugin_paths = ["company-plugins"]   # searched before the bundled plugins
///
/// [plugins.triage]
/// first_response_hours = 24
/// ```
/// A `[plugins.NAME]` table enables NAME unless it says `enabled = false`.
public struct WorkspaceConfiguration: Sendable {
  /// A plugin enabled by the file, with its settings and the line of its table.
  public struct Enabled: Sendable {
    /// The plugin's name.
    public var name: String
    /// The line of its `[plugins.NAME]` header.
    public var line: Int
    /// Its settings, as written.
    public var settings: [String: ConfigValue]
  }

  /// The configuration file as messages name it.
  public var file: String
  /// Folders holding plugin folders, in search order, with how messages show them.
  public var pluginPaths: [(url: URL, display: String)]
  /// The enabled plugins, in file order.
  public var enabled: [Enabled]
  /// The company's settings (`[company]`, `[approvers]`, `[gestures.caps]`); the defaults without them.
  public var company: CompanySettings
  /// Whether the file has a `[company]`, `[approvers]` or `[gestures.caps]` table.
  public var definesCompany: Bool
  /// A digest of the file's bytes (empty without a file): the night's wake-up index is recomputed when
  /// it changes.
  public var digest = ContentDigest()

  /// Creates a configuration directly (tests, `litige test`).
  public init(
    file: String, pluginPaths: [(url: URL, display: String)], enabled: [Enabled],
    company: CompanySettings = CompanySettings(), definesCompany: Bool = false
  ) {
    self.file = file
    self.pluginPaths = pluginPaths
    self.enabled = enabled
    self.company = company
    self.definesCompany = definesCompany
  }

  /// The bytes of the configuration file at `url`, or nil when there is none.
  ///
  /// A path that exists but is not a readable regular file (a folder, a FIFO that would block the
  /// command or feed it anything, a device, a file it may not read) is an error: read as "no file",
  /// it would run the night with no plugin and no company settings, saying nothing.
  static func readConfiguration(_ url: URL, display: String) throws -> Data? {
    // Opened once without blocking (a FIFO would wait for a writer), then checked on what was opened:
    // no window for the path to change between the check and the read.
    let descriptor = open(url.path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard descriptor >= 0 else {
      let reason = errno
      var link = stat()
      if reason == ENOENT {
        // No file is no plugin; a link to nowhere is a mistake.
        guard lstat(url.path, &link) == 0 else { return nil }
        throw ConfigError("\(display): the link leads to no file (\(String(cString: strerror(ENOENT))))")
      }
      throw ConfigError("\(display): cannot be read (\(String(cString: strerror(reason))))")
    }
    let file = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    var status = stat()
    guard fstat(descriptor, &status) == 0 else {
      throw ConfigError("\(display): cannot be read (\(String(cString: strerror(errno))))")
    }
    guard status.st_mode & S_IFMT == S_IFREG else {
      let kind =
        switch status.st_mode & S_IFMT {
        case S_IFDIR: "a folder"
        case S_IFIFO: "a named pipe (FIFO)"
        case S_IFSOCK: "a socket"
        default: "a device"
        }
      throw ConfigError("\(display): is \(kind), not a file (expected the workspace's TOML settings)")
    }
    // A settings file is a few kilobytes: a huge one (a log written there by mistake) would be read
    // whole and parsed for minutes before its first line is refused.
    guard status.st_size <= 1 << 20 else {
      throw ConfigError(
        "\(display): \(status.st_size) bytes; a settings file is at most 1 MB (is it the right file?)")
    }
    do {
      return try file.readToEnd() ?? Data()
    } catch {
      throw ConfigError("\(display): cannot be read (\(error.localizedDescription))")
    }
  }

  /// Reads `litige.toml` in `folder`, if any; `bundled` is the folder of the plugins that ship with Litige.
  ///
  /// Without a file, no plugin is enabled. Throws `ConfigError` naming the file, line and key.
  public static func load(folder: URL, bundled: URL?) throws -> WorkspaceConfiguration {
    let url = folder.appendingPathComponent("litige.toml")
    let display = relativeDisplay(url)
    var paths: [(url: URL, display: String)] = []
    var enabled: [Enabled] = []
    var company = CompanySettings()
    var definesCompany = false
    var digest = ContentDigest()
    if let data = try readConfiguration(url, display: display) {
      digest.add(data)
      guard let text = String(data: data, encoding: .utf8) else {
        throw ConfigError(
          "\(display):\(Self.firstLineNotUTF8(data)): the file is not UTF-8 text (save it as UTF-8)")
      }
      let (tables, headerLines) = try TOMLSubset.parseWithLines(text, file: display)
      for (name, table) in tables where !(name.isEmpty && table.isEmpty) {
        guard name == "workspace" || name.hasPrefix("plugins.") || CompanyConfiguration.tables.contains(name)
        else {
          throw ConfigError(
            "\(display):\(headerLines[name] ?? 1): unknown table [\(name)] (expected [workspace], [company], "
              + "[company.ecb_rates], [company.legal_rates], [approvers], [gestures.caps] or [plugins.NAME])"
          )
        }
      }
      definesCompany = !CompanyConfiguration.tables.isDisjoint(with: tables.keys)
      company = try CompanyConfiguration.settings(from: tables, headerLines: headerLines, file: display)
      for (key, value) in tables["workspace"] ?? [:] {
        guard key == "plugin_paths", case .array(let entries) = value.kind else {
          throw ConfigError(
            "\(display):\(value.line): [workspace] \(key): expected plugin_paths = [\"folder\", ...]")
        }
        for entry in entries {
          guard case .string(let path) = entry.kind else {
            throw ConfigError("\(display):\(entry.line): [workspace] plugin_paths: expected strings")
          }
          let resolved =
            path.hasPrefix("/") ? URL(fileURLWithPath: path) : folder.appendingPathComponent(path)
          guard FileManager.default.fileExists(atPath: resolved.path) else {
            throw ConfigError("\(display):\(entry.line): [workspace] plugin_paths: no folder '\(path)'")
          }
          paths.append((resolved, relativeDisplay(resolved)))
        }
      }
      let pluginTables = tables.keys.filter { $0.hasPrefix("plugins.") }.sorted {
        headerLines[$0, default: 0] < headerLines[$1, default: 0]
      }
      for table in pluginTables {
        let name = String(table.dropFirst("plugins.".count))
        let settings = tables[table] ?? [:]
        if let flag = settings["enabled"] {
          guard case .boolean(let on) = flag.kind else {
            throw ConfigError(
              "\(display):\(flag.line): [\(table)] enabled: expected true or false, got \(flag.typeName)")
          }
          if !on { continue }
        }
        enabled.append(Enabled(name: name, line: headerLines[table] ?? 1, settings: settings))
      }
    }
    if let bundled { paths.append((bundled, relativeDisplay(bundled))) }
    // One folder named twice (plugin_paths = ["plugins"] when the bundled plugins are found as
    // ./plugins, or a path written two ways) is searched once: its plugins are not duplicates.
    var seen = Set<String>()
    paths = paths.filter { seen.insert($0.url.standardizedFileURL.resolvingSymlinksInPath().path).inserted }
    var configuration = WorkspaceConfiguration(
      file: display, pluginPaths: paths, enabled: enabled, company: company, definesCompany: definesCompany)
    configuration.digest = digest
    return configuration
  }

  /// The 1-based line of the first line of `data` that is not valid UTF-8.
  static func firstLineNotUTF8(_ data: Data) -> Int {
    let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    for (offset, line) in lines.enumerated() where String(data: Data(line), encoding: .utf8) == nil {
      return offset + 1
    }
    return 1
  }

  /// The bundled plugins: `$LITIGE_PLUGINS`, else `share/litige/plugins` beside the executable's `bin`
  /// (an installed product), else a `plugins` folder beside or above the executable (a source
  /// checkout), else `./plugins`.
  public static func bundledPluginsFolder() -> URL? {
    if let path = ProcessInfo.processInfo.environment["LITIGE_PLUGINS"] { return URL(fileURLWithPath: path) }
    // The executable's real path: argv[0] is only the name typed when litige is found through PATH.
    let executable =
      (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
      ?? Bundle.main.executablePath ?? CommandLine.arguments[0]
    var folder = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
    // Installed (make install): PREFIX/bin/litige and PREFIX/share/litige/plugins.
    let installed = folder.deletingLastPathComponent().appendingPathComponent("share/litige/plugins")
    if FileManager.default.fileExists(atPath: installed.appendingPathComponent("triage/init.lua").path) {
      return installed
    }
    for _ in 0..<5 {
      let candidate = folder.appendingPathComponent("plugins")
      if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("triage/init.lua").path) {
        return candidate
      }
      folder = folder.deletingLastPathComponent()
    }
    let local = URL(fileURLWithPath: "plugins")
    return FileManager.default.fileExists(atPath: local.path) ? local : nil
  }

  /// `url` relative to the current folder when it is below it, else its absolute path.
  public static func relativeDisplay(_ url: URL) -> String {
    let current = FileManager.default.currentDirectoryPath + "/"
    let path = url.standardizedFileURL.path
    return path.hasPrefix(current) ? String(path.dropFirst(current.count)) : path
  }
}

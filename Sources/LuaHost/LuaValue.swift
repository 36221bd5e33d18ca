/// A Lua value copied out of (or into) a Lua state: plain data only, safe to keep and share.
///
/// Functions, threads and userdata have no copy; reading one yields `.opaque` with its type name.
/// Tables are read raw (no metamethods) with caps on depth and size, so reading a hostile table can
/// neither run script code nor exhaust the host.
public enum LuaValue: Sendable, Hashable {
  /// Lua's nil.
  case `nil`
  /// A boolean.
  case boolean(Bool)
  /// An integer subtype number.
  case integer(Int64)
  /// A float subtype number.
  case number(Double)
  /// A string; bytes that are not valid UTF-8 are repaired with U+FFFD.
  case string(String)
  /// A table, as keys and values.
  case table([LuaValue: LuaValue])
  /// A value that cannot be copied out (function, thread, userdata), by its type name.
  case opaque(String)

  /// A table with keys 1...n holding `elements`, as Lua sequences are.
  public static func array(_ elements: [LuaValue]) -> LuaValue {
    var table: [LuaValue: LuaValue] = [:]
    for (offset, element) in elements.enumerated() { table[.integer(Int64(offset + 1))] = element }
    return .table(table)
  }

  /// Lua's name for the type of this value (`nil`, `number`, `string`...).
  public var typeName: String {
    switch self {
    case .nil: return "nil"
    case .boolean: return "boolean"
    case .integer, .number: return "number"
    case .string: return "string"
    case .table: return "table"
    case .opaque(let name): return name
    }
  }

  /// The field `key` of a table, or nil for other values.
  public subscript(key: String) -> LuaValue {
    if case .table(let table) = self { return table[.string(key)] ?? .nil }
    return .nil
  }

  /// The elements 1...n of a sequence, stopping at the first nil.
  public var sequence: [LuaValue] {
    guard case .table(let table) = self else { return [] }
    var result: [LuaValue] = []
    var index: Int64 = 1
    while let element = table[.integer(index)] {
      result.append(element)
      index += 1
    }
    return result
  }

  /// The string, if this is one.
  public var stringValue: String? {
    if case .string(let text) = self { return text }
    return nil
  }

  /// The number as a Double, for integer and float values alike.
  public var doubleValue: Double? {
    switch self {
    case .integer(let value): return Double(value)
    case .number(let value): return value
    default: return nil
    }
  }

  /// The number as an exact integer: an integer value, or a float with no fractional part.
  public var integerValue: Int64? {
    switch self {
    case .integer(let value): return value
    case .number(let value):
      guard value.rounded() == value, let exact = Int64(exactly: value) else { return nil }
      return exact
    default: return nil
    }
  }

  /// Lua's truth: everything but nil and false.
  public var isTruthy: Bool {
    switch self {
    case .nil, .boolean(false): return false
    default: return true
    }
  }
}

extension LuaValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
  ExpressibleByFloatLiteral, ExpressibleByNilLiteral
{
  /// A string value.
  public init(stringLiteral value: String) { self = .string(value) }
  /// An integer value.
  public init(integerLiteral value: Int64) { self = .integer(value) }
  /// A boolean value.
  public init(booleanLiteral value: Bool) { self = .boolean(value) }
  /// A float value.
  public init(floatLiteral value: Double) { self = .number(value) }
  /// Lua's nil.
  public init(nilLiteral: ()) { self = .nil }
}

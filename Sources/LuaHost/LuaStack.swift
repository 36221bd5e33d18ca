import CLuaShim

/// The Lua stack of the running thread, as a Swift function called from Lua (or the host preparing a
/// call) sees it.
///
/// Only valid during the callback it was handed to. Every read is raw (no metamethods) and every push
/// happens while the allocator grants memory unconditionally (the ceiling is checked again once the
/// Swift frame has returned), so nothing here can raise a Lua error.
public struct LuaStack {
  /// The running thread (the main thread or a coroutine).
  public let pointer: OpaquePointer
  /// The state this thread belongs to.
  public unowned let state: LuaState

  /// How many values are on the stack (the argument count, at the start of a callback).
  public var count: Int32 { lua_gettop(pointer) }

  /// Lua's type name of the value at `index` (`"nil"` past the top).
  public func typeName(at index: Int32) -> String {
    String(cString: lua_typename(pointer, lua_type(pointer, index)))
  }

  /// Whether the value at `index` is nil or absent.
  public func isNil(at index: Int32) -> Bool { lua_type(pointer, index) <= LUA_TNIL }

  // MARK: Reading

  /// The string at `index` without conversion: nil unless the value is a string.
  func rawString(at index: Int32) -> String? {
    guard lua_type(pointer, index) == LUA_TSTRING else { return nil }
    var length = 0
    guard let bytes = litige_tostring(pointer, index, &length) else { return nil }
    let buffer = UnsafeBufferPointer(
      start: UnsafeRawPointer(bytes).assumingMemoryBound(to: UInt8.self), count: length)
    return String(decoding: buffer, as: UTF8.self)
  }

  /// The bytes of the string at `index`, unchanged: nil unless the value is a string.
  func rawBytes(at index: Int32) -> [UInt8]? {
    guard lua_type(pointer, index) == LUA_TSTRING else { return nil }
    var length = 0
    guard let bytes = litige_tostring(pointer, index, &length) else { return nil }
    return Array(UnsafeRawBufferPointer(start: bytes, count: length))
  }

  /// Copies the value at `index` out of Lua; tables are read raw with the state's depth and size caps.
  ///
  /// Throws `LuaRaisedError` (validation) when a table nests too deep or holds too many entries.
  public func value(at index: Int32) throws -> LuaValue {
    var budget = Budget(entries: state.limits.maxTableEntries, bytes: state.limits.maxCopyBytes)
    return try value(at: lua_absindex(pointer, index), depth: 0, budget: &budget)
  }

  /// What one copy out of Lua may still take: table entries, and bytes of text (a table of 80,000
  /// references to one 8 KB string is 8 KB in Lua and 640 MB once copied).
  private struct Budget {
    var entries: Int
    var bytes: Int
  }

  private func value(at index: Int32, depth: Int, budget: inout Budget) throws -> LuaValue {
    switch lua_type(pointer, index) {
    case LUA_TNIL, LUA_TNONE: return .nil
    case LUA_TBOOLEAN: return .boolean(lua_toboolean(pointer, index) != 0)
    case LUA_TNUMBER:
      if litige_isinteger(pointer, index) != 0 { return .integer(lua_tointegerx(pointer, index, nil)) }
      return .number(lua_tonumberx(pointer, index, nil))
    case LUA_TSTRING:
      budget.bytes -= Int(lua_rawlen(pointer, index))
      guard budget.bytes >= 0 else {
        throw LuaRaisedError(
          "the value holds more than \(state.limits.maxCopyBytes >> 20) MB of text to copy out of Lua",
          kind: .validation)
      }
      return .string(rawString(at: index) ?? "")
    case LUA_TTABLE:
      guard depth < state.limits.maxTableDepth else {
        throw LuaRaisedError(
          "table nested more than \(state.limits.maxTableDepth) levels deep (a cycle?)", kind: .validation)
      }
      guard lua_checkstack(pointer, 3) != 0 else { throw LuaRaisedError("stack overflow reading a table") }
      var table: [LuaValue: LuaValue] = [:]
      lua_pushnil(pointer)
      while lua_next(pointer, index) != 0 {
        budget.entries -= 1
        guard budget.entries >= 0 else {
          litige_pop(pointer, 2)
          throw LuaRaisedError(
            "table holds more than \(state.limits.maxTableEntries) entries", kind: .validation)
        }
        let top = lua_gettop(pointer)
        do {
          let key = try value(at: top - 1, depth: depth + 1, budget: &budget)
          table[key] = try value(at: top, depth: depth + 1, budget: &budget)
        } catch {
          litige_pop(pointer, 2)
          throw error
        }
        litige_pop(pointer, 1)
      }
      return .table(table)
    default:
      return .opaque(typeName(at: index))
    }
  }

  // MARK: Arguments, with stock-style messages

  private func argumentError(_ position: Int32, _ function: String, _ expected: String) -> LuaRaisedError {
    LuaRaisedError(
      "bad argument #\(position) to '\(function)' (\(expected) expected, got \(typeName(at: position)))")
  }

  /// The string argument at `position` (numbers are not converted: a policy passing a number where
  /// text is expected is a mistake worth reporting).
  public func string(at position: Int32, function: String) throws -> String {
    guard let text = rawString(at: position) else { throw argumentError(position, function, "string") }
    return text
  }

  /// The string argument at `position` as bytes, whatever their encoding.
  public func bytes(at position: Int32, function: String) throws -> [UInt8] {
    guard let bytes = rawBytes(at: position) else { throw argumentError(position, function, "string") }
    return bytes
  }

  /// The optional string argument at `position`: nil when absent or nil.
  public func optionalString(at position: Int32, function: String) throws -> String? {
    isNil(at: position) ? nil : try string(at: position, function: function)
  }

  /// The integer argument at `position`; a float with an exact integer value is accepted.
  public func integer(at position: Int32, function: String) throws -> Int64 {
    var isNumber: Int32 = 0
    let value = lua_tointegerx(pointer, position, &isNumber)
    guard lua_type(pointer, position) == LUA_TNUMBER, isNumber != 0 else {
      if lua_type(pointer, position) == LUA_TNUMBER {
        // As stock Lua words it, with the value: 1.5, 1e+300, nan.
        let number = lua_tonumberx(pointer, position, nil)
        throw LuaRaisedError(
          "bad argument #\(position) to '\(function)' (number has no integer representation: \(number))")
      }
      throw argumentError(position, function, "integer")
    }
    return value
  }

  /// The number argument at `position`.
  public func number(at position: Int32, function: String) throws -> Double {
    guard lua_type(pointer, position) == LUA_TNUMBER else {
      throw argumentError(position, function, "number")
    }
    return lua_tonumberx(pointer, position, nil)
  }

  /// The table argument at `position`, copied out.
  public func table(at position: Int32, function: String) throws -> LuaValue {
    guard lua_type(pointer, position) == LUA_TTABLE else { throw argumentError(position, function, "table") }
    return try value(at: position)
  }

  // MARK: Pushing

  /// Pushes a copy of `value`.
  public func push(_ value: LuaValue) {
    _ = lua_checkstack(pointer, 4)
    switch value {
    case .nil, .opaque: lua_pushnil(pointer)
    case .boolean(let flag): lua_pushboolean(pointer, flag ? 1 : 0)
    case .integer(let number): lua_pushinteger(pointer, number)
    case .number(let number): lua_pushnumber(pointer, number)
    case .string(let text):
      var text = text
      text.withUTF8 { buffer in
        buffer.withMemoryRebound(to: CChar.self) { _ = lua_pushlstring(pointer, $0.baseAddress, $0.count) }
      }
    case .table(let table):
      lua_createtable(pointer, 0, Int32(min(table.count, 1 << 16)))
      for (key, element) in table {
        if case .nil = key { continue }
        if case .number(let number) = key, number.isNaN { continue }
        push(key)
        push(element)
        lua_rawset(pointer, -3)
      }
    }
  }

  /// Pushes a string of arbitrary bytes (source text in any encoding).
  public func push(bytes: [UInt8]) {
    _ = lua_checkstack(pointer, 2)
    bytes.withUnsafeBufferPointer { buffer in
      buffer.withMemoryRebound(to: CChar.self) { _ = lua_pushlstring(pointer, $0.baseAddress, $0.count) }
    }
  }

  /// Pushes a new empty table with room for `arrayCount` items and `fieldCount` named fields.
  ///
  /// With `setField` and `setIndex` it builds a table in place, without the hashing of a `LuaValue`
  /// dictionary: the way to push records read on every hook call.
  public func pushTable(arrayCount: Int = 0, fieldCount: Int = 0) {
    _ = lua_checkstack(pointer, 4)
    lua_createtable(pointer, Int32(min(arrayCount, 1 << 16)), Int32(min(fieldCount, 1 << 16)))
  }

  /// Pops the top value into field `name` of the table just below it (a raw set).
  public func setField(_ name: String) {
    push(.string(name))
    lua_rotate(pointer, -2, 1)
    lua_rawset(pointer, -3)
  }

  /// Pushes the value `reference` keeps alive.
  public func push(reference: LuaReference) {
    _ = lua_checkstack(pointer, 2)
    lua_rawgeti(pointer, litige_registry_index(), lua_Integer(reference.reference))
  }

  /// Pushes the globals table of `environment`.
  public func push(environment: LuaEnvironment) {
    _ = lua_checkstack(pointer, 2)
    lua_rawgeti(pointer, litige_registry_index(), lua_Integer(environment.reference))
  }

  /// Pops the top value into index `index` of the table just below it (a raw set).
  public func setIndex(_ index: Int) { lua_rawseti(pointer, -2, lua_Integer(index)) }

  /// Pushes a Swift function registered with `LuaState.register`.
  public func pushFunction(id: Int32) { litige_push_host_function(pointer, id) }

  /// Pushes a new empty table and fills field `name` of it (or of the table on top) with what
  /// `push` pushes.
  func setField(_ name: String, push: (OpaquePointer) -> Void) {
    push(pointer)
    lua_setfield(pointer, -2, name)
  }

  /// Pushes a table of named Swift functions (a library such as `litige`).
  public func pushLibrary(_ functions: [String: LuaHostFunction]) {
    lua_createtable(pointer, 0, Int32(functions.count))
    for (name, function) in functions.sorted(by: { $0.key < $1.key }) {
      litige_push_host_function(pointer, state.register(function))
      lua_setfield(pointer, -2, name)
    }
  }
}

extension LuaStack {
  /// Keeps the value on top of the stack alive in the registry (it stays on the stack); release the
  /// reference with `LuaState.release`.
  public func referenceTop() -> LuaReference {
    lua_pushvalue(pointer, -1)
    return LuaReference(reference: luaL_ref(pointer, litige_registry_index()))
  }

  /// Removes the top `count` values.
  public func pop(_ count: Int32 = 1) { litige_pop(pointer, count) }
}

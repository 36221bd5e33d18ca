import CLuaShim

/// A kind of host object that scripts see as read-only fields plus methods (a case, an invoice).
///
/// Objects are userdata holding a handle to a Swift value; their fields are computed on access by
/// `fields`, assigning any field is an error, and `getmetatable` shows only the class name.
public final class LuaObjectClass {
  /// The name scripts see in messages (`case`).
  public let name: String
  let metatable: Int32

  init(name: String, metatable: Int32) {
    self.name = name
    self.metatable = metatable
  }
}

extension LuaState {
  /// The host functions every class of host objects needs: a field's value (an unknown one is an error
  /// naming the closest of `known`), the refusal of an assignment, the collection of an object's
  /// handle, and its description.
  fileprivate func registerClassFunctions(
    name: String, fields: @escaping (LuaStack, AnyObject, String) throws -> Bool, hasMethods: Bool,
    describe: @escaping (AnyObject) -> String, known: [String]
  ) -> (resolve: Int32, newIndex: Int32, collect: Int32, show: Int32) {
    let resolve = register { [unowned self] stack in
      let object = try self.object(on: stack, at: 1, className: name, function: "index")
      let key = try stack.fieldName(at: 2, of: name)
      guard try fields(stack, object, key) else { throw LuaStack.noField(key, of: name, among: known) }
      return 1
    }
    let newIndex = register { stack in
      let key = stack.rawString(at: 2) ?? "?"
      throw LuaRaisedError(
        "field \(LuaStack.shownKey(key)) of \(name) is read-only"
          + (hasMethods ? " (decisions go through methods such as \(name):tag(...))" : ""))
    }
    let collect = register { [unowned self] stack in
      if let handle = lua_touserdata(stack.pointer, 1)?.load(as: Int.self) { self.objects[handle] = nil }
      return 0
    }
    let show = register { [unowned self] stack in
      let object = try self.object(on: stack, at: 1, className: name, function: "tostring")
      stack.push(.string(describe(object)))
      return 1
    }
    return (resolve, newIndex, collect, show)
  }

  /// Defines a class of host objects seen as userdata (a case cursor): every field read asks the host.
  ///
  /// - `fields(stack, object, key)` pushes the value of field `key` of `object` and returns true, or
  ///   returns false when there is no such field (the script then gets an error naming the field).
  /// - `methods` are called with the object as first argument.
  /// - `describe` gives `tostring(object)`; it must not include personal data.
  ///
  /// Objects a script reads many fields of are views instead (`defineViewClass`).
  public func defineClass(
    name: String,
    fields: @escaping (LuaStack, AnyObject, String) throws -> Bool,
    methods: [String: LuaHostFunction],
    describe: @escaping (AnyObject) -> String, fieldNames: [String] = []
  ) throws -> LuaObjectClass {
    let (resolve, newIndex, collect, show) = registerClassFunctions(
      name: name, fields: fields, hasMethods: !methods.isEmpty, describe: describe,
      known: fieldNames + methods.keys.sorted())
    let reference = try sandboxOperation("make_class", argumentCount: 6, keep: true) { stack in
      stack.push(.string(name))
      stack.pushLibrary(methods)
      stack.pushFunction(id: resolve)
      stack.pushFunction(id: newIndex)
      stack.pushFunction(id: collect)
      stack.pushFunction(id: show)
    }
    return LuaObjectClass(name: name, metatable: reference ?? LUA_NOREF)
  }

  /// The host object at `position` whatever its class (a view's object too), or nil for any other value.
  public func objectOrNil(on stack: LuaStack, at position: Int32) -> AnyObject? {
    let pointer = stack.pointer
    if lua_type(pointer, position) == LUA_TTABLE {
      // A view: its object is kept in its metatable, which scripts cannot reach.
      guard lua_getmetatable(pointer, position) != 0 else { return nil }
      defer { litige_pop(pointer, 2) }
      lua_pushstring(pointer, "__litige_object")
      lua_rawget(pointer, -2)
      guard lua_type(pointer, -1) == LUA_TUSERDATA, let raw = lua_touserdata(pointer, -1) else { return nil }
      return objects[raw.load(as: Int.self)]
    }
    guard lua_type(pointer, position) == LUA_TUSERDATA,
      let raw = lua_touserdata(pointer, position)
    else {
      return nil
    }
    return objects[raw.load(as: Int.self)]
  }

  func object(on stack: LuaStack, at position: Int32, className: String, function: String) throws -> AnyObject
  {
    if let raw = lua_touserdata(stack.pointer, position), lua_getmetatable(stack.pointer, position) != 0 {
      lua_rawgeti(stack.pointer, litige_registry_index(), lua_Integer(classMetatable(named: className)))
      let same = lua_rawequal(stack.pointer, -1, -2) != 0
      litige_pop(stack.pointer, 2)
      if same, let object = objects[raw.load(as: Int.self)] { return object }
    }
    throw LuaRaisedError(
      "bad argument #\(position) to '\(function)' (\(className) expected, got \(stack.typeName(at: position)))"
        + (position == 1 ? "; call methods with ':' as in \(className):\(function)(...)" : ""))
  }
}

extension LuaStack {
  /// Pushes `object` as an instance of `objectClass`.
  ///
  /// The object stays alive while Lua holds it.
  ///
  /// `hostBytes` is what the Swift object holds on the script's behalf (a cursor's list of ids): the
  /// userdata is made that much larger, so the state's memory ceiling counts it and a script cannot
  /// pile up host memory outside it. Every object is also charged a fixed 64 bytes for itself.
  public func pushObject(_ object: AnyObject, of objectClass: LuaObjectClass, hostBytes: Int = 0) {
    let handle = state.retainObject(object, className: objectClass.name, metatable: objectClass.metatable)
    let block = lua_newuserdatauv(pointer, MemoryLayout<Int>.size + 64 + max(0, hostBytes), 0)
    block?.storeBytes(of: handle, as: Int.self)
    lua_rawgeti(pointer, litige_registry_index(), lua_Integer(objectClass.metatable))
    lua_setmetatable(pointer, -2)
  }

  /// The object of class `objectClass` at `position` (the receiver of a method is at 1).
  ///
  /// Throws a stock-style "bad argument" error naming `function` otherwise.
  public func object(at position: Int32, of objectClass: LuaObjectClass, function: String) throws -> AnyObject
  {
    try state.object(on: self, at: position, className: objectClass.name, function: function)
  }
}

/// A kind of host object that scripts see as a read-only table (issue 14): a case, an invoice.
///
/// A view is built once from the object's plain fields (strings, numbers, booleans, nil) and read
/// through a proxy whose `__index` is that table: a field read costs a table lookup, not a call into
/// the host. Other fields are asked of the host on first read and kept; methods refresh the table
/// after they run. Assigning a field raises at the script's line; reading one that does not exist
/// raises with the closest name. The host decides how long a view stays current: `detachView` makes
/// an old view read everything from the host again.
public final class LuaViewClass {
  /// The name scripts see in messages (`case`).
  public let name: String
  let parts: Int32
  let handleMetatable: Int32
  let plainFields: [String]
  let fill: (LuaStack, AnyObject) throws -> Void

  init(
    name: String, parts: Int32, handleMetatable: Int32, plainFields: [String],
    fill: @escaping (LuaStack, AnyObject) throws -> Void
  ) {
    self.name = name
    self.parts = parts
    self.handleMetatable = handleMetatable
    self.plainFields = plainFields
    self.fill = fill
  }
}

extension LuaState {
  /// Defines a class of host objects seen as read-only tables (see `LuaViewClass`).
  ///
  /// - `fill(stack, object)` pushes the values of `plainFields`, in that order.
  /// - `fields(stack, object, key)` pushes any other field and returns true, or returns false when
  ///   there is no such field; its value is kept in the view until a method runs.
  /// - `methods` receive the host object as their first argument (`case:tag("vip")`).
  /// - `describe` gives `tostring(view)`; it must not include personal data.
  /// - `keepsFields`: other fields are kept in the view once read (until a method refreshes it); a
  ///   class without methods whose fields move with other objects' decisions (an invoice's amounts)
  ///   asks the host at every read instead.
  public func defineViewClass(
    name: String, plainFields: [String], fill: @escaping (LuaStack, AnyObject) throws -> Void,
    fields: @escaping (LuaStack, AnyObject, String) throws -> Bool, methods: [String: LuaHostFunction],
    describe: @escaping (AnyObject) -> String, fieldNames: [String], keepsFields: Bool = true
  ) throws -> LuaViewClass {
    let (resolve, newIndex, collect, show) = registerClassFunctions(
      name: name, fields: fields, hasMethods: !methods.isEmpty, describe: describe,
      known: fieldNames + plainFields + methods.keys.sorted())
    let fillFunction = register { [unowned self] stack in
      let object = try self.object(on: stack, at: 1, className: name, function: "index")
      _ = lua_checkstack(stack.pointer, Int32(plainFields.count) + 4)
      try fill(stack, object)
      return plainFields.count
    }
    guard
      let parts = try sandboxOperation(
        "make_view_class", argumentCount: 10, keep: true,
        push: { stack in
          stack.push(.string(name))
          stack.pushLibrary(methods)
          stack.pushFunction(id: resolve)
          stack.pushFunction(id: newIndex)
          stack.pushFunction(id: collect)
          stack.pushFunction(id: show)
          stack.pushFunction(id: fillFunction)
          stack.push(.array(plainFields.map { .string($0) }))
          stack.push(.boolean(keepsFields))
          stack.push(.array(fieldNames.map { .string($0) }))
        })
    else { throw LuaError(kind: .runtime, message: "cannot define the view class \(name)") }
    lua_rawgeti(pointer, litige_registry_index(), lua_Integer(parts))
    lua_getfield(pointer, -1, "handle_mt")
    let handleMetatable = luaL_ref(pointer, litige_registry_index())
    litige_pop(pointer, 1)
    return LuaViewClass(
      name: name, parts: parts, handleMetatable: handleMetatable, plainFields: plainFields, fill: fill)
  }
}

extension LuaStack {
  /// Pushes a new view of `object` (see `LuaViewClass`).
  ///
  /// Throws what the class's `fill` throws (nothing is left on the stack then).
  public func pushView(_ object: AnyObject, of viewClass: LuaViewClass) throws {
    let top = lua_gettop(pointer)
    _ = lua_checkstack(pointer, Int32(viewClass.plainFields.count) + 12)
    lua_rawgeti(pointer, litige_registry_index(), lua_Integer(viewClass.parts))  // parts
    let parts = lua_gettop(pointer)
    // The handle the methods receive.
    let handle = state.retainObject(object, className: viewClass.name, metatable: viewClass.handleMetatable)
    let block = lua_newuserdatauv(pointer, MemoryLayout<Int>.size + 64, 0)
    block?.storeBytes(of: handle, as: Int.self)
    lua_rawgeti(pointer, litige_registry_index(), lua_Integer(viewClass.handleMetatable))
    lua_setmetatable(pointer, -2)
    let userdata = lua_gettop(pointer)
    // The fields table, filled at once.
    lua_createtable(pointer, 0, Int32(viewClass.plainFields.count) + 4)
    let fields = lua_gettop(pointer)
    do {
      try viewClass.fill(self, object)
    } catch {
      lua_settop(pointer, top)
      throw error
    }
    // The names are Lua strings made once (parts.plain_keys): no C string and no interning per view.
    lua_getfield(pointer, parts, "plain_keys")
    let keys = lua_gettop(pointer)
    for position in stride(from: Int32(1), through: Int32(viewClass.plainFields.count), by: 1) {
      lua_rawgeti(pointer, keys, lua_Integer(position))
      lua_pushvalue(pointer, fields + position)
      lua_rawset(pointer, fields)
    }
    lua_settop(pointer, fields)
    lua_getfield(pointer, parts, "fields_mt")
    lua_setmetatable(pointer, fields)
    lua_getfield(pointer, parts, "object_of")
    lua_pushvalue(pointer, fields)
    lua_pushvalue(pointer, userdata)
    lua_rawset(pointer, -3)
    litige_pop(pointer, 1)
    // The proxy and its own metatable (its `__index` is this view's fields table).
    lua_createtable(pointer, 0, 0)
    let proxy = lua_gettop(pointer)
    lua_createtable(pointer, 0, 7)
    lua_pushvalue(pointer, fields)
    lua_setfield(pointer, -2, "__index")
    lua_getfield(pointer, parts, "newindex")
    lua_setfield(pointer, -2, "__newindex")
    lua_getfield(pointer, parts, "tostring")
    lua_setfield(pointer, -2, "__tostring")
    lua_getfield(pointer, parts, "pairs")
    lua_setfield(pointer, -2, "__pairs")
    lua_pushstring(pointer, viewClass.name)
    lua_setfield(pointer, -2, "__name")
    lua_pushstring(pointer, viewClass.name)
    lua_setfield(pointer, -2, "__metatable")
    lua_pushvalue(pointer, userdata)
    lua_setfield(pointer, -2, "__litige_object")
    lua_setmetatable(pointer, proxy)
    lua_getfield(pointer, parts, "fields_of")
    lua_pushvalue(pointer, proxy)
    lua_pushvalue(pointer, fields)
    lua_rawset(pointer, -3)
    litige_pop(pointer, 1)
    // rawset(view, ...) is refused like a write into a library table.
    lua_getfield(pointer, parts, "frozen")
    lua_pushvalue(pointer, proxy)
    lua_pushboolean(pointer, 1)
    lua_rawset(pointer, -3)
    litige_pop(pointer, 1)
    // Leave only the proxy.
    lua_copy(pointer, proxy, top + 1)
    lua_settop(pointer, top + 1)
  }

  /// Makes the view at `position` read every field from the host from now on (it is no longer kept
  /// current by its owner); does nothing to other values.
  public func detachView(at position: Int32, of viewClass: LuaViewClass) {
    let index = lua_absindex(pointer, position)
    guard lua_type(pointer, index) == LUA_TTABLE, lua_getmetatable(pointer, index) != 0 else { return }
    lua_rawgeti(pointer, litige_registry_index(), lua_Integer(viewClass.parts))
    lua_getfield(pointer, -1, "live")
    lua_setfield(pointer, -3, "__index")
    litige_pop(pointer, 2)
  }
}

/// The shape of the plain records a view's heavy fields hold (a history entry, a message, a gesture):
/// their field names, so that reading a misspelt one is an error naming the closest, as a view's is.
///
/// A record stays a plain table (a read costs a table lookup): its metatable's `__index` runs only for a
/// key the table lacks, answering nil for a field the shape names (an empty one) and raising, at the
/// script's line, for any other. Belongs to the state that made it (`LuaState.defineRecordShape`).
public final class LuaRecordShape {
  /// What scripts read of the record in messages (`history entry`).
  public let name: String
  let metatable: Int32

  init(name: String, metatable: Int32) {
    self.name = name
    self.metatable = metatable
  }
}

extension LuaState {
  /// Defines the shape of records named `name` with the fields `fields` (see `LuaRecordShape`).
  public func defineRecordShape(name: String, fields: [String]) -> LuaRecordShape {
    let known = Set(fields)
    let index = register { stack in
      let key = try stack.fieldName(at: 2, of: name)
      guard known.contains(key) else { throw LuaStack.noField(key, of: name, among: fields, listing: true) }
      stack.push(.nil)
      return 1
    }
    let stack = LuaStack(pointer: pointer, state: self)
    _ = lua_checkstack(pointer, 3)
    lua_createtable(pointer, 0, 1)
    stack.pushFunction(id: index)
    lua_setfield(pointer, -2, "__index")
    return LuaRecordShape(name: name, metatable: luaL_ref(pointer, litige_registry_index()))
  }
}

extension LuaStack {
  /// The key at `index` of a read of an object of kind `kind`: a string, or the error a script gets.
  func fieldName(at index: Int32, of kind: String) throws -> String {
    guard let key = rawString(at: index) else {
      throw LuaRaisedError("\(kind) fields are named by strings, not by a \(typeName(at: index))")
    }
    return key
  }

  /// `key` as an error about a field shows it.
  ///
  /// Quoted when it is written as field names are (ASCII letters, digits, `_`, at most 40
  /// characters), else only counted: a script indexing a case by a customer's name or message would
  /// otherwise put that text in the night's report (personal data). The rule of LitigeCore's
  /// `RefusedValue` for field names (this module does not depend on LitigeCore).
  public static func shownKey(_ key: String) -> String {
    let isName =
      !key.isEmpty && key.utf8.count <= 40
      && key.unicodeScalars.allSatisfy {
        ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
      }
    return isName ? "'\(key)'" : "of \(key.count) characters (not shown: it may be personal data)"
  }

  /// The error of a read of field `key`, which an object of kind `kind` does not have: it names the
  /// closest of `known` (and, with `listing`, all of them).
  static func noField(_ key: String, of kind: String, among known: [String], listing: Bool = false)
    -> LuaRaisedError
  {
    LuaRaisedError(
      "\(kind) has no field \(shownKey(key))\(Suggestion.phrase(for: key, among: known))"
        + (listing ? " (fields: \(known.sorted().joined(separator: ", ")))" : ""))
  }

  /// Gives the table on top of the stack the metatable of `shape` (see `LuaRecordShape`).
  public func setShape(_ shape: LuaRecordShape) {
    _ = lua_checkstack(pointer, 2)
    lua_rawgeti(pointer, litige_registry_index(), lua_Integer(shape.metatable))
    lua_setmetatable(pointer, -2)
  }

  /// Gives each table of the list on top of the stack the metatable of `shape`.
  public func setShapeOfItems(_ shape: LuaRecordShape) {
    _ = lua_checkstack(pointer, 3)
    let count = lua_rawlen(pointer, -1)
    guard count > 0 else { return }
    for position in 1...count {
      if lua_rawgeti(pointer, -1, lua_Integer(position)) == LUA_TTABLE { setShape(shape) }
      litige_pop(pointer, 1)
    }
  }
}

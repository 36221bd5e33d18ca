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
  /// Defines a class of host objects.
  ///
  /// - `fields(stack, object, key)` pushes the value of field `key` of `object` and returns true, or
  ///   returns false when there is no such field (the script then gets an error naming the field).
  /// - `methods` are called with the object as first argument (`case:tag("vip")`).
  /// - `describe` gives `tostring(object)`; it must not include personal data.
  /// - `fill(stack, object)`, if given, pushes the values of the object's `plainFields` (strings,
  ///   numbers, booleans or nil), in that order, at once. Reads of those fields are then served from it until the
  ///   next call into Lua or the next method call, whichever comes first; `fields` is never asked for
  ///   them. Fields that hold tables or objects are not plain: each read gets a fresh one from
  ///   `fields`, as without a cache.
  public func defineClass(
    name: String,
    fields: @escaping (LuaStack, AnyObject, String) throws -> Bool,
    methods: [String: LuaHostFunction],
    describe: @escaping (AnyObject) -> String,
    fill: ((LuaStack, AnyObject) throws -> Void)? = nil, plainFields: [String] = [], fieldNames: [String] = []
  ) throws -> LuaObjectClass {
    // A misspelt field gets the closest known name (a field or a method) in its error.
    let known = fieldNames + plainFields + methods.keys.sorted()
    let resolve = register { [unowned self] stack in
      let object = try self.object(on: stack, at: 1, className: name, function: "index")
      guard let key = stack.rawString(at: 2) else {
        throw LuaRaisedError("\(name) fields are named by strings, not by a \(stack.typeName(at: 2))")
      }
      guard try fields(stack, object, key) else {
        throw LuaRaisedError("\(name) has no field '\(key)'\(Suggestion.phrase(for: key, among: known))")
      }
      return 1
    }
    let newIndex = register { stack in
      let key = stack.rawString(at: 2) ?? "?"
      throw LuaRaisedError(
        "field '\(key)' of \(name) is read-only (decisions go through methods such as \(name):tag(...))")
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
    let fillFunction = fill.map { fill in
      register { [unowned self] stack in
        let object = try self.object(on: stack, at: 1, className: name, function: "index")
        _ = lua_checkstack(stack.pointer, Int32(plainFields.count) + 4)
        try fill(stack, object)
        return plainFields.count
      }
    }
    let reference = try sandboxOperation("make_class", argumentCount: 8, keep: true) { stack in
      stack.push(.string(name))
      stack.pushLibrary(methods)
      stack.pushFunction(id: resolve)
      stack.pushFunction(id: newIndex)
      stack.pushFunction(id: collect)
      stack.pushFunction(id: show)
      if let fillFunction { stack.pushFunction(id: fillFunction) } else { stack.push(.nil) }
      stack.push(.array(plainFields.map { .string($0) }))
    }
    return LuaObjectClass(name: name, metatable: reference ?? LUA_NOREF)
  }

  /// The host object at `position` whatever its class, or nil for any other value.
  public func objectOrNil(on stack: LuaStack, at position: Int32) -> AnyObject? {
    guard lua_type(stack.pointer, position) == LUA_TUSERDATA,
      let raw = lua_touserdata(stack.pointer, position)
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

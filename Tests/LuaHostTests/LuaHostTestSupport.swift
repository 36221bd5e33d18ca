import LuaHost

/// A state with short limits, and a helper to run a chunk in a fresh environment.
final class Harness {
  let state: LuaState
  let environment: LuaEnvironment
  var printed = ""

  init(memoryBytes: Int = 32 << 20, timeout: Duration = .seconds(20)) throws {
    state = try LuaState(limits: .init(memoryBytes: memoryBytes, timeout: timeout))
    environment = try state.makeEnvironment()
    state.output = { [unowned self] in self.printed += $0 }
  }

  @discardableResult
  func run(_ source: String, chunk: String = "test.lua") throws -> [LuaValue] {
    try state.run(source: source, chunkName: chunk, environment: environment)
  }

  func error(_ source: String, chunk: String = "test.lua") -> LuaError? {
    do {
      try run(source, chunk: chunk)
      return nil
    } catch let error as LuaError {
      return error
    } catch {
      return LuaError(kind: .init(rawValue: "unexpected"), message: "\(error)")
    }
  }
}

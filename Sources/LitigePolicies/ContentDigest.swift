import Foundation

/// A 64-bit FNV-1a digest of bytes: enough to notice that a plugin's files or the workspace
/// configuration changed between two nights (the night's wake-up index is then recomputed).
///
/// Not a cryptographic hash: it guards against edits, not against an attacker choosing collisions
/// (who could edit the plugin anyway).
public struct ContentDigest: Sendable, Equatable, CustomStringConvertible {
  /// The digest so far.
  public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

  /// An empty digest.
  public init() {}

  /// Adds `bytes`, then a separator, so that ("ab", "c") and ("a", "bc") differ.
  public mutating func add<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
    for byte in bytes {
      value = (value ^ UInt64(byte)) &* 0x100_0000_01b3
    }
    value = (value ^ 0xff) &* 0x100_0000_01b3
  }

  /// Adds the UTF-8 of `text`.
  public mutating func add(_ text: String) { add(text.utf8) }

  /// Adds every regular file below `folder` (its path relative to the folder, then its bytes), in path
  /// order; files that cannot be read add their path only.
  public mutating func addFiles(below folder: URL) {
    let root = folder.resolvingSymlinksInPath().path
    guard let walker = FileManager.default.enumerator(atPath: root) else { return }
    var paths: [String] = []
    while let path = walker.nextObject() as? String { paths.append(path) }
    for path in paths.sorted() {
      let full = root + "/" + path
      var isFolder: ObjCBool = false
      guard FileManager.default.fileExists(atPath: full, isDirectory: &isFolder), !isFolder.boolValue else {
        continue
      }
      add(path)
      if let data = FileManager.default.contents(atPath: full) { add(data) }
    }
  }

  /// Sixteen hexadecimal digits.
  public var description: String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
  }
}

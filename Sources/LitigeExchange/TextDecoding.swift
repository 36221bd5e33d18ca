import Foundation

/// How a data file's bytes are read as text.
public enum TextEncoding: String, Sendable, CaseIterable {
  /// UTF-8 when the bytes are valid UTF-8; Windows-1252 when they hold no UTF-8 sequence at all and
  /// every byte is a Windows-1252 character (what French Excel writes); otherwise an error.
  case auto
  /// UTF-8, with or without a byte-order mark; any invalid byte is an error.
  case utf8 = "utf-8"
  /// Windows-1252 (Western European, "ANSI" in French Excel).
  case windows1252 = "windows-1252"

  /// Reads `--encoding`: `auto`, `utf-8` (or `utf8`), `windows-1252` (or `cp1252`).
  public static func parse(_ text: String) -> TextEncoding? {
    switch text.lowercased() {
    case "auto": return .auto
    case "utf-8", "utf8": return .utf8
    case "windows-1252", "cp1252", "win1252": return .windows1252
    default: return nil
    }
  }
}

/// Decodes a data file's bytes into text, naming the line and column of the first byte it cannot read.
///
/// A UTF-8 byte-order mark is dropped. NUL bytes are refused in any encoding: no field of a record
/// may hold one, and a file with them is not text.
public enum TextDecoding {
  /// The text of `bytes`, and the encoding it was read in (`utf-8` or `windows-1252`).
  ///
  /// Throws `DataProblem` (with `file`, line and column) on invalid UTF-8, on a byte Windows-1252 does
  /// not define, or on a NUL byte.
  public static func decode(_ bytes: [UInt8], as encoding: TextEncoding, file: String) throws
    -> (text: String, encoding: TextEncoding)
  {
    var start = 0
    if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
    let body = bytes[start...]
    if encoding != .windows1252 {
      let scan = scanUTF8(body)
      if let invalid = scan.firstInvalid {
        // A file with no UTF-8 sequence at all whose bytes are all Windows-1252 is one.
        if encoding == .auto, scan.multiByteSequences == 0, start == 0, undefinedWindows1252(body) == nil {
          return (try windows1252(body, file: file), .windows1252)
        }
        let (line, column) = position(of: invalid, in: body)
        throw DataProblem(
          file: file, line: line, column: column,
          message:
            "invalid UTF-8 (byte 0x\(String(body[invalid], radix: 16, uppercase: true))): save the file as UTF-8, "
            + "or pass --encoding windows-1252 if it comes from French Excel")
      }
      if let nul = body.firstIndex(of: 0) {
        let (line, column) = position(of: nul, in: body)
        throw DataProblem(
          file: file, line: line, column: column, message: "a NUL byte: this is not a text file")
      }
      return (String(decoding: body, as: UTF8.self), .utf8)
    }
    return (try windows1252(body, file: file), .windows1252)
  }

  /// The Windows-1252 characters of bytes 0x80 to 0x9F (0 where the code page defines none); the
  /// other bytes are Latin-1.
  private static let high: [UInt32] = [
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,
    0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
    0x0153, 0, 0x017E, 0x0178,
  ]

  private static func undefinedWindows1252(_ bytes: ArraySlice<UInt8>) -> Int? {
    bytes.firstIndex { $0 == 0 || ($0 >= 0x80 && $0 <= 0x9F && high[Int($0 - 0x80)] == 0) }
  }

  private static func windows1252(_ bytes: ArraySlice<UInt8>, file: String) throws -> String {
    if let bad = undefinedWindows1252(bytes) {
      let (line, column) = position(of: bad, in: bytes)
      throw DataProblem(
        file: file, line: line, column: column,
        message: bytes[bad] == 0
          ? "a NUL byte: this is not a text file"
          : "byte 0x\(String(bytes[bad], radix: 16, uppercase: true)) is not a Windows-1252 character")
    }
    var scalars = String.UnicodeScalarView()
    scalars.reserveCapacity(bytes.count)
    for byte in bytes {
      let value = byte < 0x80 || byte > 0x9F ? UInt32(byte) : high[Int(byte - 0x80)]
      if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
    }
    return String(scalars)
  }

  /// The index of the first byte that is not valid UTF-8, and how many valid multi-byte sequences the
  /// whole file holds (a file with some is UTF-8 with errors, not Windows-1252).
  static func scanUTF8(_ bytes: ArraySlice<UInt8>) -> (firstInvalid: Int?, multiByteSequences: Int) {
    var index = bytes.startIndex
    var sequences = 0
    var firstInvalid: Int?
    let end = bytes.endIndex
    func invalid() {
      if firstInvalid == nil { firstInvalid = index }
      index += 1
    }
    while index < end {
      let lead = bytes[index]
      if lead < 0x80 {
        index += 1
        continue
      }
      let length: Int
      var low: UInt8 = 0x80, highest: UInt8 = 0xBF
      switch lead {
      case 0xC2...0xDF: length = 2
      case 0xE0:
        length = 3
        low = 0xA0
      case 0xE1...0xEC, 0xEE...0xEF: length = 3
      case 0xED:
        length = 3
        highest = 0x9F
      case 0xF0:
        length = 4
        low = 0x90
      case 0xF1...0xF3: length = 4
      case 0xF4:
        length = 4
        highest = 0x8F
      default:
        invalid()
        continue
      }
      guard index + length <= end, bytes[index + 1] >= low, bytes[index + 1] <= highest,
        (2..<length).allSatisfy({ (0x80...0xBF).contains(bytes[index + $0]) })
      else {
        invalid()
        continue
      }
      sequences += 1
      index += length
    }
    return (firstInvalid, sequences)
  }

  /// The 1-based line and column (in characters, counting bytes of ASCII and sequences) of `index`.
  static func position(of index: Int, in bytes: ArraySlice<UInt8>) -> (line: Int, column: Int) {
    var line = 1
    var column = 1
    var cursor = bytes.startIndex
    while cursor < index {
      let byte = bytes[cursor]
      if byte == 0x0A {
        line += 1
        column = 1
      } else if byte == 0x0D {
        if cursor + 1 < index, bytes[cursor + 1] == 0x0A { cursor += 1 }
        line += 1
        column = 1
      } else if byte & 0xC0 != 0x80 {
        column += 1
      }
      cursor += 1
    }
    return (line, column)
  }
}

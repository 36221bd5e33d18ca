import Foundation
import LitigeCore
import PropertyBased
import Testing

@testable import LitigeExchange

/// Writes `bytes` to a temporary file named `name` and returns its path.
func temporaryFile(_ name: String, _ bytes: [UInt8]) throws -> String {
  let folder = FileManager.default.temporaryDirectory.appendingPathComponent("litige-exchange-\(UUID())")
  try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  let url = folder.appendingPathComponent(name)
  try Data(bytes).write(to: url)
  return url.path
}

func temporaryFile(_ name: String, _ text: String) throws -> String {
  try temporaryFile(name, Array(text.utf8))
}

@Suite("Reading data files")
struct DataFileTests {
  let columns = ColumnSet(required: ["a", "b"], optional: ["c"])

  @Test("records keep the line they start on, across quoted newlines and CRLF")
  func linesOfRecords() throws {
    let text = "a;b;c\r\n1;\"deux\r\nlignes\";x\r\n\r\n2;\"trois\nli\ngnes\";\"\"\"q\"\"\"\r\n3;z;\n"
    let table = try DataFileReader.readCSV(text, file: "f.csv", columns: columns)
    #expect(table.delimiter == ";")
    #expect(table.records.map(\.line) == [2, 5, 8])
    #expect(table.records[0]["b"] == "deux\r\nlignes")
    #expect(table.records[1]["c"] == "\"q\"")
    #expect(table.records[2]["c"] == nil)
    #expect(table.problems.total == 0)
  }

  @Test("a record with the wrong number of fields is reported at its line, the others kept")
  func wrongFieldCount() throws {
    let table = try DataFileReader.readCSV("a,b\n1,2\n1,2,3\n4,5\n", file: "f.csv", columns: columns)
    #expect(table.records.map(\.line) == [2, 4])
    #expect(table.problems.problems.map(\.line) == [3])
    #expect(table.problems.problems.first?.message.contains("3 fields, expected 2") == true)
  }

  @Test("an unclosed quote is named as such")
  func unclosedQuote() throws {
    let table = try DataFileReader.readCSV("a,b,c\n1,\"open,2\n3,4,5\n", file: "f.csv", columns: columns)
    #expect(table.problems.problems.first?.line == 2)
    #expect(table.problems.problems.first?.message.contains("a quoted field may not be closed") == true)
  }

  @Test("unknown, doubled and missing columns are refused at the header")
  func header() throws {
    do {
      _ = try DataFileReader.readCSV("a,x,a\n1,2,3\n", file: "f.csv", columns: columns)
      Issue.record("expected problems")
    } catch let problems as DataProblems {
      let text = problems.description
      #expect(text.contains("f.csv:1:2: x: unknown column (expected: a, b, c)"))
      #expect(text.contains("f.csv:1:3: a: column named twice"))
      #expect(text.contains("f.csv:1: b: required column missing"))
    }
  }

  @Test("Windows-1252 is read when the bytes hold no UTF-8; mixed bytes are invalid UTF-8 at their place")
  func encodings() throws {
    let latin: [UInt8] = Array("a;b\n".utf8) + [0x45, 0x6D, 0x69, 0x6C, 0x65, 0x3B, 0xC9, 0x74, 0x80, 0x0A]
    let path = try temporaryFile("latin.csv", latin)
    let table = try DataFileReader.read(path: path, file: "latin.csv", columns: columns)
    #expect(table.encoding == .windows1252)
    #expect(table.records.first?["b"] == "Ét€")

    let mixed: [UInt8] = Array("a;b\nÉmile;".utf8) + [0xE9, 0x0A]
    let mixedPath = try temporaryFile("mixed.csv", mixed)
    #expect {
      try DataFileReader.read(path: mixedPath, file: "mixed.csv", columns: columns)
    } throws: { error in
      (error as? DataProblem)?.description.hasPrefix("mixed.csv:2:7: invalid UTF-8 (byte 0xE9)") == true
    }

    let bom: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("a,b\nÉ,1\n".utf8)
    let bomTable = try DataFileReader.read(
      path: try temporaryFile("bom.csv", bom), file: "bom.csv", columns: columns)
    #expect(bomTable.encoding == .utf8)
    #expect(bomTable.records.first?["a"] == "É")
  }

  @Test("an empty file, a NUL byte and a 100 MB line are refused before any record")
  func hostileFiles() throws {
    #expect {
      try DataFileReader.read(path: try temporaryFile("e.csv", "\n  \n"), file: "e.csv", columns: columns)
    } throws: { ($0 as? DataProblem)?.message.hasPrefix("is empty") == true }
    #expect {
      try DataFileReader.read(
        path: try temporaryFile("n.csv", Array("a,b\n1,".utf8) + [0, 0x0A]), file: "n.csv", columns: columns)
    } throws: { ($0 as? DataProblem)?.description.hasPrefix("n.csv:2:3: a NUL byte") == true }
    var huge = Array("a,b\n1,2\n".utf8)
    huge += [UInt8](repeating: UInt8(ascii: "x"), count: 100 << 20)
    huge += Array("\n".utf8)
    let path = try temporaryFile("huge.csv", huge)
    #expect {
      try DataFileReader.read(path: path, file: "huge.csv", columns: columns)
    } throws: {
      ($0 as? DataProblem)?.description.hasPrefix("huge.csv:3: the line is 104857600 bytes long") == true
    }
  }

  @Test("JSON records know their line; nested values are refused")
  func json() throws {
    let text = """
      [
        {"a": "1", "b": 2.5},
        {"a": "x",
         "b": true, "c": null},
        {"a": "y", "b": {"nested": 1}}
      ]
      """
    do {
      _ = try DataFileReader.readJSON(text, file: "f.json", columns: columns)
    } catch let problems as DataProblems {
      Issue.record("unexpected \(problems)")
    }
    let table = try DataFileReader.readJSON(text, file: "f.json", columns: columns)
    #expect(table.records.map(\.line) == [2, 3, 5])
    #expect(table.records[0]["b"] == "2.5")
    #expect(table.records[1]["b"] == "true")
    #expect(table.records[1]["c"] == nil)
    #expect(table.problems.problems.map(\.line) == [5])
  }

  /// RFC 4180 text of `rows`, quoting what needs it, with `separator` and `newline`.
  static func csv(_ rows: [[String]], separator: Character, newline: String) -> String {
    rows.map { row in
      row.map { field -> String in
        let needsQuotes =
          field.contains(separator) || field.contains("\"") || field.contains("\n")
          || field.contains("\r") || field.isEmpty
        return needsQuotes ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
      }.joined(separator: String(separator))
    }.joined(separator: newline) + newline
  }

  @Test("fuzz: any records written as RFC 4180 read back the same, each at its line")
  func fuzzRoundTrip() async {
    let alphabet = Gen.element(of: Array("ab;,\"\n\r é€ 1\t"))
    let field = alphabet.map { String($0 ?? "a") }.array(of: 0...8).map { $0.joined() }
    let record = field.array(of: 3...3)
    let separators: [Character] = [",", ";", "\t"]
    await propertyCheck(
      count: 300, input: record.array(of: 1...12), Gen.element(of: separators), Gen.bool()
    ) { rows, separator, crlf in
      let separator: Character = separator ?? ","
      let newline = crlf ? "\r\n" : "\n"
      // "\r\n" inside a field is one character in Swift: keep fields of lone CR or LF for counting.
      let rows = rows.map { $0.map { $0.replacingOccurrences(of: "\r\n", with: "\n") } }
      let text = Self.csv([["a", "b", "c"]] + rows, separator: separator, newline: newline)
      guard
        let table = try? DataFileReader.readCSV(text, file: "f.csv", columns: columns, delimiter: separator)
      else {
        Issue.record("cannot read \(text.debugDescription)")
        return
      }
      #expect(table.problems.total == 0, "\(table.problems.problems)")
      let read = table.records.map { record in ["a", "b", "c"].map { record[$0] ?? "" } }
      #expect(read == rows, "\(text.debugDescription)")
      var line = 2
      var expectedLines: [Int] = []
      for row in rows {
        expectedLines.append(line)
        // Each CR, LF or CRLF inside a field is one more line (counted by character: a CR and an LF
        // that end up side by side in a filtered string would merge into one).
        for field in row {
          for character in field where character == "\n" || character == "\r" || character == "\r\n" {
            line += 1
          }
        }
        line += 1
      }
      #expect(table.records.map(\.line) == expectedLines)
    }
  }
}

import Foundation
import GRDB
import LitigeCore
import PropertyBased
import Testing

@testable import LitigeStore

/// `Store.load` keeps the cases it can in memory from their opening (`readingBack: false`); these
/// tests hold it to what reading every case back from the database writes, table by table.
@Suite("Loading generated data")
struct DemoLoadTests {
  private static let reference = Date(timeIntervalSince1970: 1_790_000_000)
  private static let provenance = Provenance(source: "user:generate", hook: "import", runId: "generate-1")

  /// Every row of every table, in rowid order; an opening balance's `recorded_at` (the wall clock
  /// when it was loaded) left out.
  private static func tables(of store: Store) throws -> [String: [[DatabaseValue]]] {
    try store.database.read { db in
      var tables: [String: [[DatabaseValue]]] = [:]
      let names = try String.fetchAll(
        db,
        sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      for name in names {
        let sql =
          name == "payments"
          ? """
          SELECT id, invoice_number, paid_on, currency, amount_minor, reference, method, recorded_by,
            CASE reference WHEN 'opening-balance' THEN NULL ELSE recorded_at END FROM payments ORDER BY rowid
          """
          : "SELECT * FROM \(name) ORDER BY rowid"
        tables[name] = try Row.fetchAll(db, sql: sql).map { Array($0.databaseValues) }
      }
      return tables
    }
  }

  /// How many invoices of `data` its cases name once, and how many they name more than once.
  private static func namings(_ data: DemoData) -> (once: Int, shared: Int) {
    var namings: [String: Int] = [:]
    for item in data.cases { for number in item.invoiceNumbers { namings[number, default: 0] += 1 } }
    return (namings.values.filter { $0 == 1 }.count, namings.values.filter { $0 > 1 }.count)
  }

  @Test("a load keeping its cases in memory writes every row that reading each case back writes")
  func keptCasesWriteWhatReadingBackWrites() async throws {
    // Few invoices for many cases: some cases share theirs (read back), the others are kept.
    let sizes = Gen.int(in: 4...40).array(of: 3...3)
    await propertyCheck(count: 12, input: Gen.int(in: 1...1_000_000), sizes, Gen.bool) { seed, sizes, fresh in
      let data = DemoData.generate(
        seed: UInt64(seed), reference: Self.reference, customerCount: sizes[0], invoiceCount: sizes[1] * 2,
        caseCount: sizes[2] * 2)
      let kept = try Store.inMemory(
        settings: CompanySettings(approvers: ["claire": Money(minorUnits: 500_000, currency: .euro)]))
      let readBack = try Store.inMemory(settings: kept.settings)
      try kept.load(data, provenance: Self.provenance, freshWorkspace: fresh)
      try readBack.load(data, provenance: Self.provenance, freshWorkspace: fresh, readingBack: true)
      let keptTables = try Self.tables(of: kept)
      let readTables = try Self.tables(of: readBack)
      #expect(keptTables.keys.sorted() == readTables.keys.sorted())
      for (name, rows) in readTables {
        #expect(keptTables[name] == rows, "table \(name), seed \(seed), sizes \(sizes)")
      }
      #expect(readTables["events"]?.isEmpty == false)
    }
  }

  /// Three slices of a generated workspace, with distinct ids, as `litige generate` makes them.
  private static func slices(seed: UInt64) -> [DemoData] {
    (0..<3).map { index in
      DemoData.generate(
        seed: seed &+ UInt64(index * 30), reference: Self.reference, customerCount: 10, invoiceCount: 75,
        caseCount: 30, offset: index * 30)
    }
  }

  private static let schema =
    "SELECT type || ' ' || name || ': ' || sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name"

  @Test(
    "a bulk load of slices writes what loading each in turn writes, and puts every trigger and index back")
  func bulkLoadOfSlices() throws {
    let slices = Self.slices(seed: 21)
    let bulk = try Store.inMemory()
    let schemaBefore = try bulk.database.read { db in try String.fetchAll(db, sql: Self.schema) }
    var remaining = slices[...]
    try bulk.bulkLoad(provenance: Self.provenance) { remaining.popFirst() }
    let oneByOne = try Store.inMemory()
    for slice in slices { try oneByOne.load(slice, provenance: Self.provenance, freshWorkspace: true) }
    #expect(try Self.tables(of: bulk) == Self.tables(of: oneByOne))
    #expect(try bulk.database.read { db in try String.fetchAll(db, sql: Self.schema) } == schemaBefore)
    #expect(try bulk.counts()["cases"] == 90)
    let marker = "SELECT COUNT(*) FROM settings WHERE key = 'unfinished_load'"
    #expect(try bulk.database.read { db in try Int.fetchOne(db, sql: marker) } == 0)
  }

  @Test("a bulk load is refused on a workspace that has run a night, and changes nothing")
  func bulkLoadNeedsAWorkspaceWithoutNights() throws {
    let store = try Store.inMemory()
    try store.database.write { db in
      try db.execute(
        sql: """
          INSERT INTO runs (id, started_at, as_of, dry_run, chunk_size, last_case_id, status)
          VALUES ('night-1', '2026-03-02T01:00:00Z', '2026-03-02', 0, 500, 0, 'completed')
          """)
    }
    let schemaBefore = try store.database.read { db in try String.fetchAll(db, sql: Self.schema) }
    var remaining = Self.slices(seed: 8)[...]
    #expect(throws: StoreError.self) {
      try store.bulkLoad(provenance: Self.provenance) { remaining.popFirst() }
    }
    #expect(remaining.count == 3, "no slice was asked for")
    #expect(try store.counts()["cases"] == 0)
    #expect(try store.database.read { db in try String.fetchAll(db, sql: Self.schema) } == schemaBefore)
  }

  @Test("a generation that fails half-way leaves a workspace that opening refuses, its indexes put back")
  func interruptedBulkLoadIsRefused() throws {
    struct Interrupted: Error {}
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("litige-bulk-\(UUID())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("w.sqlite").path
    let store = try Store.open(path: path)
    let schemaBefore = try store.database.read { db in try String.fetchAll(db, sql: Self.schema) }
    var remaining = Self.slices(seed: 5)[...]
    #expect(throws: Interrupted.self) {
      try store.bulkLoad(provenance: Self.provenance) {
        guard remaining.count > 1 else { throw Interrupted() }
        return remaining.popFirst()
      }
    }
    #expect(try store.database.read { db in try String.fetchAll(db, sql: Self.schema) } == schemaBefore)
    #expect(try store.counts()["cases"] == 60)
    let error = #expect(throws: StoreError.self) { try Store.open(path: path) }
    #expect(error?.message.contains("generation did not finish") == true, "\(String(describing: error))")
    #expect(error?.message.contains(path) == true, "the message names the workspace")
  }

  @Test("the demo data set has cases alone on their invoices and cases sharing one, so both paths run")
  func demoDataExercisesBothPaths() {
    let crowded = DemoData.generate(
      seed: 3, reference: Self.reference, customerCount: 10, invoiceCount: 30, caseCount: 60)
    let (once, shared) = Self.namings(crowded)
    #expect(once > 0 && shared > 0)
  }
}

import Foundation
import LitigeCore
import LitigeStore

/// One import of a file into a workspace, as `litige import` runs it: read, check, write all or nothing.
public struct Importer {
  /// How the file is read and written.
  public struct Options: Sendable {
    /// csv or json; nil for the file's extension.
    public var format: DataFormat?
    /// The CSV separator; nil for the header's.
    public var delimiter: Character?
    /// How bytes are read.
    public var encoding: TextEncoding = .auto
    /// Check and count, write nothing.
    public var dryRun = false
    /// Who imports (`user:NAME`), for the journal.
    public var source = "user:import"
    /// When.
    public var now = Date()

    /// The defaults: format from the extension, separator from the header, encoding detected.
    public init() {}
  }

  /// What an import read and did.
  public struct Outcome: Sendable {
    /// The file as read.
    public var table: DataTable
    /// What was written (or would be, in a dry run).
    public var summary: ImportSummary
    /// The import's id in the journal of changes.
    public var importId: String
  }

  /// Imports `path` (shown as `file`) as `kind` into `store`.
  ///
  /// Throws `DataProblem` when the file cannot be read at all, `DataProblems` with every problem of its
  /// records (their values, then what the workspace refuses of the rest: unknown references, payments
  /// recorded otherwise), sorted by line, and `StoreError` when the workspace refuses the write. Nothing
  /// is written unless everything is right.
  public static func run(
    _ kind: ImportKind, path: String, file: String, into store: Store, options: Options = Options()
  ) throws -> Outcome {
    let table = try DataFileReader.read(
      path: path, file: file, columns: kind.columns, format: options.format, delimiter: options.delimiter,
      encoding: options.encoding)
    var reader = ImportReader(table: table, kind: kind, settings: store.settings)
    let rows = reader.readRows()
    var problems = reader.found
    let importId = "import-\(Timestamp.utcText(options.now))-\(UUID().uuidString.prefix(8).lowercased())"
    var summary = ImportSummary()
    do {
      // The records that read well are checked against the workspace too (a dry run when others did
      // not), so that one report lists every problem of the file.
      summary = try store.importRows(
        rows, source: options.source, importId: importId, at: options.now,
        dryRun: options.dryRun || problems.total > 0)
    } catch let refused as ImportIssues {
      let positions = table.records.first?.columns ?? [:]
      for issue in refused.issues {
        problems.add(
          DataProblem(
            file: file, line: issue.line, column: issue.field.flatMap { positions[$0] }, field: issue.field,
            value: issue.value, message: issue.message))
      }
    }
    if problems.total > 0 {
      let sorted = problems.problems.sorted { ($0.line, $0.column ?? 0) < ($1.line, $1.column ?? 0) }
      throw DataProblems(problems: sorted, total: problems.total)
    }
    return Outcome(table: table, summary: summary, importId: importId)
  }
}

import Foundation
import LitigeCore
import LitigeStore
import PropertyBased
import Testing

@testable import LitigeExchange

/// The realistic files of Tests/Fixtures/import (written by its make.py: French customers in
/// Windows-1252 with ';', invoices with a BOM and decimal commas, cases in JSON, messages with quoted
/// newlines, payments).
enum Fixtures {
  static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/import")

  static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

  /// A store with every fixture imported, in order.
  static func importedStore() throws -> Store {
    let store = try Store.inMemory()
    for (kind, name) in [
      (ImportKind.customers, "customers.csv"), (.invoices, "invoices.csv"), (.cases, "cases.json"),
      (.communications, "communications.csv"), (.payments, "payments.csv"),
    ] {
      _ = try Importer.run(kind, path: path(name), file: name, into: store, options: options())
    }
    return store
  }

  static func options(dryRun: Bool = false) -> Importer.Options {
    var options = Importer.Options()
    options.now = Date(timeIntervalSince1970: 1_796_000_000)  // 2026-11-30
    options.dryRun = dryRun
    options.source = "user:test"
    return options
  }
}

/// The problems an import of `text` as `kind` reports, as their descriptions.
func problems(_ kind: ImportKind, _ name: String, _ bytes: [UInt8], store: Store? = nil) throws -> [String] {
  let path = try temporaryFile(name, bytes)
  do {
    _ = try Importer.run(
      kind, path: path, file: name, into: store ?? Store.inMemory(), options: Fixtures.options())
    return []
  } catch let problems as DataProblems {
    return problems.problems.map(\.description)
  } catch let problem as DataProblem {
    return [problem.description]
  }
}

@Suite("Importing a company's files")
struct ImportTests {
  @Test("the realistic files import with their values: accents, quotes, decimal commas, dates, lines")
  func realisticFiles() throws {
    let store = try Fixtures.importedStore()
    let counts = try store.counts()
    #expect(counts["customers"] == 200)
    #expect(counts["invoices"] == 400)
    #expect(counts["cases"] == 120)
    #expect(counts["communications"] == 200)

    // Every customer and invoice, field by field, against the files read by a simple reference reader.
    for line in try String(contentsOfFile: Fixtures.path("customers.csv"), encoding: .windowsCP1252)
      .components(separatedBy: "\r\n").dropFirst().filter({ !$0.isEmpty })
    {
      let fields = Self.splitSemicolons(line)
      let customer = try #require(try store.customer(id: fields[0]))
      #expect(customer.name == fields[1])
      #expect(customer.kind.rawValue == fields[2])
      #expect(customer.segment == fields[3])
      #expect(customer.vip == (fields[7] == "oui"))
      if !fields[8].isEmpty {
        let parts = fields[8].split(separator: "/")
        #expect(customer.since?.description == "\(parts[2])-\(parts[1])-\(parts[0])")
      }
    }
    let invoiceLines = try String(contentsOfFile: Fixtures.path("invoices.csv"), encoding: .utf8)
      .components(separatedBy: "\n").dropFirst().filter { !$0.isEmpty }
    #expect(invoiceLines.count == 400)
    for line in invoiceLines {
      let fields = line.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
      let invoice = try #require(try store.invoice(number: fields[0]))
      #expect(invoice.customerId == fields[1])
      #expect(invoice.issuedOn.description == fields[2])
      let due = fields[3].split(separator: "/")
      #expect(invoice.dueOn.description == "\(due[2])-\(due[1])-\(due[0])")
      #expect(invoice.total.minorUnits == Self.cents(fields[5]))
      let payments = try store.payments(ofInvoice: fields[0])
      let opening = payments.first { $0.payment.reference == "opening-balance" }
      #expect((opening?.payment.amount.minorUnits ?? 0) == (fields[6].isEmpty ? 0 : Self.cents(fields[6])))
    }

    // A case keeps the company's reference, its invoices and the amount; messages keep their lines.
    let id = try #require(try store.caseId(forReference: "L000003"))
    let disputeCase = try #require(try store.disputeCase(id: id))
    #expect(disputeCase.reference == "L000003")
    #expect(disputeCase.customerId.hasPrefix("CLI-"))
    let messages = try store.communications(ofCase: id)
    #expect(
      messages.first?.summary == "Bonjour,\r\nje n'ai toujours pas de réponse, \"urgent\".\r\nCordialement")
    #expect(messages.count == 2)
  }

  /// "1 234,56" (spaces or narrow no-break spaces) in cents, read by hand.
  static func cents(_ text: String) -> Int64 {
    Int64(String(text.filter(\.isNumber))) ?? -1
  }

  /// A `;` line with "quoted" fields (no newline inside), read by hand.
  static func splitSemicolons(_ line: String) -> [String] {
    var fields: [String] = []
    var current = ""
    var quoted = false
    var characters = Array(line)[...]
    while let character = characters.popFirst() {
      if character == "\"" {
        if quoted, characters.first == "\"" {
          current.append("\"")
          characters.removeFirst()
        } else {
          quoted.toggle()
        }
      } else if character == ";", !quoted {
        fields.append(current)
        current = ""
      } else {
        current.append(character)
      }
    }
    fields.append(current)
    return fields
  }

  @Test("importing the same files again changes nothing")
  func reimport() throws {
    let store = try Fixtures.importedStore()
    let before = try store.counts()
    for (kind, name) in [
      (ImportKind.customers, "customers.csv"), (.invoices, "invoices.csv"), (.cases, "cases.json"),
      (.communications, "communications.csv"), (.payments, "payments.csv"),
    ] {
      let outcome = try Importer.run(
        kind, path: Fixtures.path(name), file: name, into: store, options: Fixtures.options())
      #expect(outcome.summary.added == 0, "\(name)")
      #expect(outcome.summary.updated == 0, "\(name)")
      #expect(outcome.summary.changes == 0, "\(name)")
    }
    #expect(try store.counts() == before)
    #expect(try store.recordChanges().isEmpty)
  }

  @Test(
    "a language is read in ASCII only: FR is fr, a Kelvin sign is not a K; invisible characters spoil an e-mail"
  )
  func languagesAndInvisibleCharacters() throws {
    let store = try Store.inMemory()
    let bad =
      "id,name,kind,email,language\nC1,Émile,company,a@b.fr,FR\nC2,Zoé,person,,\u{212A}a\nC3,Noël,person,n\u{200B}@b.fr,fr\n"
    #expect {
      try Importer.run(
        .customers, path: try temporaryFile("c.csv", bad), file: "c.csv", into: store,
        options: Fixtures.options())
    } throws: { error in
      let text = "\(error)"
      return text.contains("c.csv:3") && text.contains("expected a language code") && text.contains("c.csv:4")
        && text.contains("expected an e-mail address")
    }
    #expect(try store.customer(id: "C1") == nil)  // nothing is written when a record is wrong
    _ = try Importer.run(
      .customers, path: try temporaryFile("c.csv", "id,name,kind,language\nC1,Émile,company,FR\n"),
      file: "c.csv",
      into: store, options: Fixtures.options())
    #expect(try store.customer(id: "C1")?.language == "fr")
  }

  @Test("an updated export updates what changed and journals each change")
  func updatedExport() throws {
    let store = try Store.inMemory()
    let first = "id,name,kind,email\nC1,Émile,company,a@b.fr\nC2,Zoé,person,\n"
    _ = try Importer.run(
      .customers, path: try temporaryFile("c.csv", first), file: "c.csv", into: store,
      options: Fixtures.options())
    let second =
      "id,name,kind,email\nC1,Émile & Fils,company,a@b.fr\nC2,Zoé,person,zoe@exemple.fr\nC3,Noël,person,\n"
    let outcome = try Importer.run(
      .customers, path: try temporaryFile("c.csv", second), file: "c.csv", into: store,
      options: Fixtures.options())
    #expect(outcome.summary.added == 1)
    #expect(outcome.summary.updated == 2)
    #expect(outcome.summary.changes == 2)
    #expect(try store.customer(id: "C1")?.name == "Émile & Fils")
    #expect(
      try store.recordChanges() == [
        RecordChange(record: "customer", key: "C1", field: "name", old: "Émile", new: "Émile & Fils"),
        RecordChange(record: "customer", key: "C2", field: "email", old: nil, new: "zoe@exemple.fr"),
      ])
  }

  @Test("a dry run checks and counts, and writes nothing")
  func dryRun() throws {
    let store = try Store.inMemory()
    let outcome = try Importer.run(
      .customers, path: Fixtures.path("customers.csv"), file: "customers.csv", into: store,
      options: Fixtures.options(dryRun: true))
    #expect(outcome.summary.added == 200)
    #expect(try store.counts()["customers"] == 0)
  }

  @Test("broken files: every problem at its line and column, with the column's name, and nothing written")
  func brokenFiles() throws {
    let store = try Store.inMemory()
    _ = try Importer.run(
      .customers, path: try temporaryFile("c.csv", "id;name;kind\nC1;Émile;company\n"), file: "c.csv",
      into: store, options: Fixtures.options())
    let invoices = """
      number;customer_id;issued_on;due_on;currency;total;paid
      F-1;C1;2026-01-01;2026-02-01;EUR;1 234,56;
      F-2;C1;2026-13-01;2026-02-01;EUR;10;
      F-3;C1;2026-01-01;2026-02-01;EUR;-5;
      F-4;C1;2026-01-01;2026-02-01;EUR;douze;
      F-5;C1;2026-01-01;2026-02-01;XYZ;10;
      F-6;C9;2026-01-01;2026-02-01;EUR;10;
      F-1;C1;2026-01-01;2026-02-01;EUR;10;
      F-7;C1;2026-01-01;2026-02-01;EUR;10
      F-8;C1;"2026-01-01
      ";2026-02-01;EUR;10;

      """
    let found = try problems(.invoices, "i.csv", Array(invoices.utf8), store: store)
    #expect(
      found == [
        "i.csv:3:3: issued_on '2026-13-01': expected a date as YYYY-MM-DD (or DD/MM/YYYY) between 1970 and 2199",
        "i.csv:4:6: total '-5': an amount in a data file is never negative (a credit is recorded apart)",
        "i.csv:5:6: total 'douze': expected a decimal amount such as 1234.56, got 'douze'",
        "i.csv:6:5: currency 'XYZ': the workspace keeps its books in EUR",
        "i.csv:7:2: customer_id 'C9': no such customer in the workspace (import the customers first)",
        "i.csv:8:1: number 'F-1': already on line 2: each record once",
        "i.csv:9: 6 fields, expected 7 (number;customer_id;issued_on;due_on;currency;total;paid)",
        "i.csv:10:3: issued_on '2026-01-01\\n': expected a date as YYYY-MM-DD (or DD/MM/YYYY) between 1970 and 2199",
      ], "\(found)")
    #expect(try store.counts()["invoices"] == 0)
  }

  @Test("unknown references across files are named with their line")
  func unknownReferences() throws {
    let store = try Fixtures.importedStore()
    let communications =
      "case_id,at,direction,channel,summary\nL999999,2026-10-01T10:00:00Z,in,email,Bonjour\n"
    #expect(
      try problems(.communications, "m.csv", Array(communications.utf8), store: store) == [
        "m.csv:2:1: case_id 'L999999': no such case in the workspace (import the cases first)"
      ])
    let payments = "invoice,paid_on,amount,reference\nF-0,2026-10-01,10,R1\nF-2026-00001,2030-01-01,10,R2\n"
    #expect(
      try problems(.payments, "p.csv", Array(payments.utf8), store: store) == [
        "p.csv:2:1: invoice 'F-0': no invoice F-0",
        "p.csv:3:2: paid_on '2030-01-01': is after today (2026-11-30)",
      ])
  }

  @Test("personal data is never shown in a problem")
  func personalData() throws {
    let text = "id,name,kind,email\nC1,\(String(repeating: "x", count: 300)),company,pas-une-adresse\n"
    let found = try problems(.customers, "c.csv", Array(text.utf8))
    #expect(
      found == [
        "c.csv:2:2: name: is 300 bytes long; at most 200 are allowed",
        "c.csv:2:4: email: expected an e-mail address (name@domain.fr)",
      ])
  }

  @Test("more than 100 problems: the first 100 and a count")
  func manyProblems() throws {
    let text = "id,name,kind\n" + (1...250).map { "C\($0),Nom,alien\n" }.joined()
    let path = try temporaryFile("c.csv", text)
    #expect {
      try Importer.run(
        .customers, path: path, file: "c.csv", into: Store.inMemory(), options: Fixtures.options())
    } throws: { error in
      guard let problems = error as? DataProblems else { return false }
      return problems.problems.count == 100 && problems.total == 250
        && problems.description.hasSuffix("... and 150 more problems")
    }
  }
}

/// What the first attack on imports and exports found, each kept as a test.
@Suite("Imports and exports, as an attacker tried them")
struct ExchangeAttackTests {
  @Test("writing over an existing export replaces it whole")
  func overwrite() throws {
    let path = try temporaryFile("led.csv", "old")
    try Exporter.write(Data("first".utf8), to: path)
    try Exporter.write(Data("second".utf8), to: path)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "second")
    let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["led.csv"])
  }

  @Test("a customer forgotten on request is not brought back by the next import")
  func forgottenStaysForgotten() throws {
    let store = try Fixtures.importedStore()
    _ = try store.forget(customer: "CLI-0003", by: "dpo", at: Date(timeIntervalSince1970: 1_796_000_000))
    let outcome = try Importer.run(
      .customers, path: Fixtures.path("customers.csv"), file: "customers.csv", into: store,
      options: Fixtures.options())
    #expect(outcome.summary.forgotten == 1)
    #expect(try store.customer(id: "CLI-0003")?.name == Store.forgottenName)
    #expect(try store.customer(id: "CLI-0003")?.email == nil)
    let messages = try Importer.run(
      .communications, path: Fixtures.path("communications.csv"), file: "communications.csv", into: store,
      options: Fixtures.options())
    #expect(messages.summary.added == 0)
  }

  @Test("parts with a decimal comma, an invoice named twice, a number that is another case's")
  func caseFiles() throws {
    let store = try Store.inMemory()
    for (kind, text) in [
      (ImportKind.customers, "id;name;kind\nC1;Émile;company\n"),
      (
        .invoices,
        "number;customer_id;issued_on;due_on;total\nF-1;C1;01/03/2026;31/03/2026;1 000,00\nF-2;C1;01/03/2026;31/03/2026;50\n"
      ),
    ] {
      _ = try Importer.run(
        kind, path: try temporaryFile("f.csv", text), file: "f.csv", into: store, options: Fixtures.options())
    }
    let cases = """
      id;customer_id;opened_at;reason;invoices
      L1;C1;2026-03-10 09:00;prix;"F-1=500,00;F-2=12,50"
      L2;C1;2026-03-10 09:00;double;"F-1;F-1"
      7;C1;2026-03-10 09:00;encore;"F-2=10,00"
      L4;C1;2030-01-01 09:00;futur;F-2

      """
    let found = try problems(.cases, "c.csv", Array(cases.utf8), store: store)
    #expect(
      found == [
        "c.csv:3:5: invoices 'F-1;F-1': names an invoice twice",
        "c.csv:5:3: opened_at '2030-01-01T08:00:00Z': is after now: a case cannot be opened in the future",
      ], "\(found)")
    let good =
      "id;customer_id;opened_at;reason;invoices\nL1;C1;2026-03-10 09:00;prix;\"F-1=500,00;F-2=12,50\"\n"
    _ = try Importer.run(
      .cases, path: try temporaryFile("c.csv", good), file: "c.csv", into: store, options: Fixtures.options())
    let opened = try #require(try store.caseId(forReference: "L1"))
    #expect(
      try store.disputeCase(id: opened)?.portions == [
        "F-1": Money(minorUnits: 50_000, currency: .euro), "F-2": Money(minorUnits: 1_250, currency: .euro),
      ])
    // Case 1 exists now: a company reference "1" would make `case show 1` ambiguous.
    let clash = "id;customer_id;opened_at;reason;invoices\n1;C1;2026-03-10 09:00;prix;F-2\n"
    #expect(
      try problems(.cases, "c.csv", Array(clash.utf8), store: store) == [
        "c.csv:2:1: id '1': is the number of another case of the workspace (case 1); a company reference that is a number must not be one of Litige's case numbers"
      ])
  }

  @Test("a spreadsheet formula is exported with an apostrophe before it, and imported back as it was")
  func formulas() throws {
    let store = try Store.inMemory()
    let text =
      "id,name,kind\nC1,\"=HYPERLINK(\"\"http://x\"\";\"\"Cliquez\"\")\",company\nC2,+33 1 02,person\nC3,'=déjà,company\n"
    _ = try Importer.run(
      .customers, path: try temporaryFile("c.csv", text), file: "c.csv", into: store,
      options: Fixtures.options())
    let csv = String(
      decoding: try Exporter.encode(try Exporter.table(.customers, store: store), format: .csv), as: UTF8.self
    )
    #expect(csv.contains("\"'=HYPERLINK(\"\"http://x\"\";\"\"Cliquez\"\")\""))
    #expect(csv.contains("'+33 1 02"))
    // An apostrophe before a formula in a file is the guard of another export: the text is "=déjà".
    #expect(try store.customer(id: "C3")?.name == "=déjà")
    #expect(csv.contains("C3,'=déjà,"))
    let copy = try Store.inMemory()
    _ = try Importer.run(
      .customers, path: try temporaryFile("c.csv", csv), file: "c.csv", into: copy,
      options: Fixtures.options())
    #expect(try copy.exportCustomers() == store.exportCustomers())
  }

  @Test("a quote never closed is named at its line, before the rest of the file is read")
  func unclosedQuoteInAHugeFile() throws {
    var bytes = Array(
      "case_id,at,direction,channel,summary\nL1,2026-03-10T09:00:00Z,in,email,\"Bonjour\n".utf8)
    bytes += [UInt8](repeating: UInt8(ascii: "x"), count: 3 << 20)
    let found = try problems(.communications, "m.csv", bytes)
    #expect(found == ["m.csv:2: a quoted field opened on this line is never closed"], "\(found)")
    var long = Array("case_id,at,direction,channel,summary\nL1,2026-03-10T09:00:00Z,in,email,\"".utf8)
    long += [UInt8](repeating: UInt8(ascii: "x"), count: 2 << 20) + Array("\"\n".utf8)
    #expect(
      try problems(.communications, "m.csv", long) == [
        "m.csv:2: the record is longer than 1048576 bytes (1 MiB): is a closing quote missing?"
      ])
  }

  @Test("payments beyond the invoice, before it was issued, or twice in a file")
  func payments() throws {
    let store = try Fixtures.importedStore()
    let text = """
      invoice,paid_on,amount,reference
      F-2026-00002,2026-11-20,99999,R1
      F-2026-00002,2020-01-01,10,R2
      F-2026-00002,2026-11-20,10,R3
      F-2026-00002,2026-11-20,10,R3

      """
    let found = try problems(.payments, "p.csv", Array(text.utf8), store: store)
    #expect(found.count == 3, "\(found)")
    #expect(found[0].hasPrefix("p.csv:2:3: amount '99999.00': is more than the invoice's total"))
    #expect(found[1].hasPrefix("p.csv:3:2: paid_on '2020-01-01': is before the invoice was issued"))
    #expect(found[2] == "p.csv:5:4: reference 'F-2026-00002 R3': already on line 4: each record once")
  }
}

@Suite("Imported field checks, against the patterns they replace")
struct ImportChecksPropertyTests {
  @Test("a language code is what [a-z]{2,3}(-[a-z]{2})? accepts")
  func languageCodes() async {
    let text = Gen.element(of: Array("afrz-AÉ 1")).map { String($0 ?? "a") }.array(of: 0...8).map {
      $0.joined()
    }
    await propertyCheck(count: 3_000, input: text) { code in
      #expect(
        ImportChecks.isLanguageCode(code) == (code.wholeMatch(of: /[a-z]{2,3}(-[a-z]{2})?/) != nil), "\(code)"
      )
    }
    for (code, valid) in [
      ("fr", true), ("fra", true), ("fr-be", true), ("FR", false), ("f", false), ("fr-", false),
    ] {
      #expect(ImportChecks.isLanguageCode(code) == valid, "\(code)")
    }
  }

  @Test("an e-mail address is what [^@\\s]+@[^@\\s]+\\.[^@\\s]+ accepts")
  func emailAddresses() async {
    let text = Gen.element(of: Array("a@.é \t\u{A0}x")).map { String($0 ?? "a") }.array(of: 0...9).map {
      $0.joined()
    }
    await propertyCheck(count: 3_000, input: text) { address in
      #expect(
        ImportChecks.isEmailAddress(address) == (address.wholeMatch(of: /[^@\s]+@[^@\s]+\.[^@\s]+/) != nil),
        "\(address.debugDescription)")
    }
    // Beyond the pattern: invisible characters are refused.
    #expect(!ImportChecks.isEmailAddress("a\u{200B}@b.fr") && !ImportChecks.isEmailAddress("a@b.fr\u{7}"))
    for (address, valid) in [
      ("compta@exemple.fr", true), ("a@b.c", true), ("a@.b", false), ("a@b.", false), ("@b.c", false),
      ("a b@c.d", false), ("a@b@c.d", false), ("élise@société.fr", true),
    ] {
      #expect(ImportChecks.isEmailAddress(address) == valid, "\(address)")
    }
  }
}

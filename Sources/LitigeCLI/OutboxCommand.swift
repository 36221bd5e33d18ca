import ArgumentParser
import Foundation
import LitigeCore
import LitigeExchange
import LitigeStore

extension OutboxStatus: ExpressibleByArgument {}

/// `litige outbox`: the letters and messages decided, until they are sent.
struct OutboxCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "outbox",
    abstract: "The letters and e-mails decided by policies and people, waiting to be sent.",
    subcommands: [List.self, Show.self, Export.self, MarkSent.self, MarkFailed.self])

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the outbox (pending items by default).")
    @OptionGroup var workspace: WorkspaceOptions
    @Option(help: "pending, sent or failed.") var status: OutboxStatus = .pending
    @Option(parsing: .unconditional, help: "Show at most this many.") var limit = 1_000
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
      guard limit > 0 else { throw ValidationError("--limit must be positive") }
    }

    func run() throws {
      let store = try workspace.openStore()
      let items = try store.outbox(status: status, limit: limit)
      let zone = store.settings.timeZone
      if json {
        print(
          jsonText(
            items.map { item -> [String: Any] in
              [
                "id": item.id, "case_id": item.caseId, "case_reference": item.caseReference ?? NSNull(),
                "template": item.template, "channel": item.channel.rawValue, "status": item.status.rawValue,
                "created_at": Timestamp.utcText(item.createdAt),
                "exported_at": item.exportedAt.map(Timestamp.utcText) ?? NSNull(),
                "sent_at": item.sentAt.map(Timestamp.utcText) ?? NSNull(),
                "reference": item.reference ?? NSNull(),
                "failure": item.failure ?? NSNull(), "has_recipient": item.recipient != nil,
              ]
            }))
        return
      }
      var table = TextTable(
        headers: ["ID", "CASE", "TEMPLATE", "CHANNEL", "DECIDED", "STATUS", "PROOF"], rightAligned: [0])
      for item in items {
        table.rows.append([
          String(item.id), item.caseReference ?? String(item.caseId), item.template, item.channel.rawValue,
          Timestamp.display(item.createdAt, in: zone),
          item.status.rawValue + (item.exportedAt != nil && item.status == .pending ? " (exported)" : ""),
          item.reference ?? item.failure.map { "failed: \($0.prefix(40))" } ?? "-",
        ])
      }
      print(table.render())
      print("\(items.count) \(status.rawValue) item\(items.count == 1 ? "" : "s")")
    }
  }

  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show one item with its text (personal data).")
    @OptionGroup var workspace: WorkspaceOptions
    @Argument(help: "The item's number.") var id: Int64
    @Flag(help: "Print JSON, with the text (personal data).") var json = false

    func run() throws {
      let store = try workspace.openStore()
      guard let item = try store.outboxItem(id: id) else {
        throw Failure("no outbox item \(id) (litige outbox list)")
      }
      if json {
        print(
          jsonText(
            [
              "id": item.id, "case_id": item.caseId, "case_reference": item.caseReference ?? NSNull(),
              "template": item.template, "channel": item.channel.rawValue, "status": item.status.rawValue,
              "recipient": item.recipient ?? NSNull(), "subject": OutboxFiles.subject(of: item),
              "created_at": Timestamp.utcText(item.createdAt),
              "sent_at": item.sentAt.map(Timestamp.utcText) ?? NSNull(),
              "reference": item.reference ?? NSNull(),
              "failure": item.failure ?? NSNull(), "body": item.body ?? NSNull(),
            ] as [String: Any]))
        return
      }
      let zone = store.settings.timeZone
      // Every field came from a plugin, a file or a person: control and invisible characters are
      // shown as escapes (the body keeps its line breaks).
      func print(_ line: String) { Swift.print(TerminalText.visible(line)) }
      print("Outbox item \(item.id) · \(item.status.rawValue) · \(item.template) by \(item.channel.rawValue)")
      print("  Case      \(item.caseReference ?? String(item.caseId)) (customer \(item.customerId))")
      print(
        "  To        \(item.channel == .email ? item.recipient ?? "no e-mail address" : item.customerName)")
      print("  Subject   \(OutboxFiles.subject(of: item))")
      print("  Decided   \(Timestamp.display(item.createdAt, in: zone))")
      if let sent = item.sentAt {
        print("  Sent      \(Timestamp.display(sent, in: zone)) (proof \(item.reference ?? "-"))")
      }
      if let failure = item.failure { print("  Failed    \(failure)") }
      print("")
      Swift.print(TerminalText.visibleLines(item.body ?? "(no text was kept)"))
    }
  }

  struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract:
        "Write the pending items to a folder: e-mails as .eml, letters as print-ready HTML, and index.json.",
      discussion: """
        E-mails become RFC 5322 messages (UTF-8) to the customer's address; letters (letter, \
        registered_letter) one A4 page each in letters.html, with the registered letter's number to \
        fill in. index.json lists every file with its item, case, channel and recipient, for the mailer \
        or the postal service's upload. Items already exported are left out unless --again. Record \
        what was sent with 'litige outbox mark-sent ID --reference PROOF'.
        """)
    @OptionGroup var workspace: WorkspaceOptions
    @Argument(help: "The folder to write into (created if needed).") var folder: String
    @Option(help: "The sender of the e-mails, as Name <address>.") var from: String?
    @Flag(help: "Export again the items already exported and not yet sent.") var again = false

    func run() throws {
      let store = try workspace.openStore()
      let now = try CommandClock.now()
      let pending = try store.outbox(status: .pending) + (again ? try store.outbox(status: .failed) : [])
      let items = pending.filter { again || $0.exportedAt == nil }
      let url = URL(fileURLWithPath: folder)
      do {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
      } catch {
        throw Failure("\(folder): cannot be created: \((error as NSError).localizedDescription)")
      }
      let profile = store.settings.profile
      let sender =
        from ?? "\"\(profile.name.isEmpty ? "Service client" : profile.name)\" <no-reply@litige.invalid>"
      var index: [[String: Any]] = []
      var letters: [OutboxItem] = []
      for item in items {
        var entry: [String: Any] = [
          "item": item.id, "case": item.caseReference ?? String(item.caseId), "template": item.template,
          "channel": item.channel.rawValue, "created_at": Timestamp.utcText(item.createdAt),
        ]
        if item.channel == .letter || item.channel == .registeredLetter {
          letters.append(item)
          entry["file"] = "letters.html"
          entry["page"] = letters.count
          entry["registered"] = item.channel == .registeredLetter
        } else {
          guard item.recipient != nil else {
            entry["file"] = NSNull()
            entry["problem"] = "the customer has no e-mail address"
            index.append(entry)
            continue
          }
          let name = "item-\(item.id).eml"
          try Exporter.write(
            OutboxFiles.eml(item, from: sender, company: profile.name, now: now),
            to: url.appendingPathComponent(name).path)
          entry["file"] = name
          entry["to"] = item.recipient
        }
        index.append(entry)
      }
      if !letters.isEmpty {
        let page = OutboxFiles.letterPages(letters, profile: profile, zone: store.settings.timeZone)
        try Exporter.write(Data(page.utf8), to: url.appendingPathComponent("letters.html").path)
      }
      try Exporter.write(
        Data((jsonText(index) + "\n").utf8), to: url.appendingPathComponent("index.json").path)
      try store.markExported(items.map(\.id), at: now)
      let emails = index.filter { ($0["file"] as? String)?.hasSuffix(".eml") == true }.count
      let skipped = index.filter { $0["problem"] != nil }.count
      print(
        "\(folder): \(emails) e-mail\(emails == 1 ? "" : "s"), \(letters.count) letter\(letters.count == 1 ? "" : "s")"
          + (letters.isEmpty ? "" : " (letters.html)") + ", index.json"
          + (skipped > 0
            ? "; \(skipped) e-mail\(skipped == 1 ? "" : "s") without an address (see index.json)" : "") + ".")
    }
  }

  struct MarkSent: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "mark-sent",
      abstract: "Record that an item was sent, with its proof (registered letter number, message id).")
    @OptionGroup var workspace: WorkspaceOptions
    @Argument(help: "The item's number.") var id: Int64
    @Option(help: "The proof of sending.") var reference: String
    @OptionGroup var author: AuthorOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
      let store = try workspace.openStore()
      do {
        try store.markSent(id, reference: reference, by: author.author, at: try CommandClock.now())
      } catch let error as DomainError {
        throw Failure("\(error)")
      } catch let error as StoreError {
        throw Failure("\(error)")
      }
      if json {
        print(jsonText(["id": id, "status": "sent", "reference": reference] as [String: Any]))
      } else {
        print("Outbox item \(id): sent (proof \(reference)), journaled on its case.")
      }
    }
  }

  struct MarkFailed: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "mark-failed", abstract: "Record that an item could not be sent, and why.")
    @OptionGroup var workspace: WorkspaceOptions
    @Argument(help: "The item's number.") var id: Int64
    @Option(help: "Why (a bounced e-mail, an unknown address).") var reason: String
    @OptionGroup var author: AuthorOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
      let store = try workspace.openStore()
      do {
        try store.markFailed(id, reason: reason, by: author.author, at: try CommandClock.now())
      } catch let error as DomainError {
        throw Failure("\(error)")
      } catch let error as StoreError {
        throw Failure("\(error)")
      }
      if json {
        print(jsonText(["id": id, "status": "failed", "failure": reason] as [String: Any]))
        return
      }
      print("Outbox item \(id): failed, journaled on its case; 'outbox export --again' exports it again.")
    }
  }
}

/// `litige customer forget ID`.
struct CustomerCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "customer", abstract: "A customer's personal data.", subcommands: [Forget.self])

  struct Forget: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Erase a customer's identifying data on request (name, e-mail, phone, address, texts).",
      discussion: """
        The right to erasure (RGPD article 17): the customer's name, e-mail, phone and address, the \
        reasons of their cases, the texts of their messages and of the letters sent to them are erased. \
        Amounts, invoices, payments, decisions and the journal's structure stay (the accounts are kept \
        ten years, Code de commerce L123-22). Each case journals it.
        """)
    @OptionGroup var workspace: WorkspaceOptions
    @Argument(help: "The customer's id.") var id: String
    @OptionGroup var author: AuthorOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
      let store = try workspace.openStore()
      let summary: ForgetSummary
      do {
        summary = try store.forget(customer: id, by: author.author, at: try CommandClock.now())
      } catch let error as StoreError {
        throw Failure("\(error)")
      }
      if json {
        print(
          jsonText(
            [
              "customer_id": id, "cases": summary.cases, "communications": summary.communications,
              "letters": summary.letters,
            ] as [String: Any]))
        return
      }
      print(
        "Customer \(id): personal data erased (\(summary.cases) case\(summary.cases == 1 ? "" : "s"), "
          + "\(summary.communications) message text\(summary.communications == 1 ? "" : "s"), "
          + "\(summary.letters) letter text\(summary.letters == 1 ? "" : "s")); amounts and the journal kept."
      )
    }
  }
}

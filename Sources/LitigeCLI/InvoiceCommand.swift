import ArgumentParser
import Foundation
import LitigeCore
import LitigeStore

/// `litige invoice show|write-off`: an invoice's ledger, and giving up part of it.
struct InvoiceCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "invoice", abstract: "Show an invoice's ledger; write off what will not be collected.",
    subcommands: [Show.self, WriteOff.self])

  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show an invoice's ledger: total, payments, credits, write-offs, and each case's portion.")
    @OptionGroup var workspace: WorkspaceOptions
    @Argument(help: "The invoice number.") var invoice: String
    @Flag(help: "Print JSON (amounts as decimal strings).") var json = false

    func run() throws {
      let store = try workspace.openStore()
      guard let ledger = try store.ledger(ofInvoice: invoice) else { throw Failure("no invoice \(invoice)") }
      let today = LocalDate(try CommandClock.now(), in: store.settings.timeZone)
      let text = { (amount: () throws -> Money) in (try? amount().decimalText) ?? "?" }
      var object: [String: Any] = [
        "number": ledger.invoice.number, "customer_id": ledger.invoice.customerId,
        "issued_on": ledger.invoice.issuedOn.description, "due_on": ledger.invoice.dueOn.description,
        "currency": ledger.invoice.total.currency.code, "total": ledger.invoice.total.decimalText,
        "paid": text { try ledger.paid() }, "credited": text { try ledger.credited() },
        "written_off": text { try ledger.writtenOff() }, "refunded": text { try ledger.refunded() },
        "owed": text { try ledger.owed() }, "frozen": text { try ledger.frozen() },
        "collectable": text { try ledger.collectable(on: today) },
        "refund_due": text { try ledger.refundDue() },
      ]
      object["adjustments"] = try store.adjustments(ofInvoice: invoice).map {
        [
          "kind": $0.adjustment.kind.rawValue, "on": $0.adjustment.on.description,
          "amount": $0.adjustment.amount.decimalText, "reference": $0.reference,
          "case": $0.caseId ?? NSNull(),
          "recorded_by": $0.recordedBy,
        ] as [String: Any]
      }
      object["disputes"] = ledger.disputes.map {
        [
          "case": $0.caseId, "amount": $0.amount.decimalText, "open": $0.open,
          "new_due_on": $0.newDueOn?.description ?? NSNull(),
        ] as [String: Any]
      }
      if json {
        print(jsonText(object))
        return
      }
      let rows: [(String, String)] = [
        ("Total", ledger.invoice.total.formatted), ("Due", ledger.invoice.dueOn.description),
        ("Paid", (try? ledger.paid().formatted) ?? "?"),
        ("Credited", (try? ledger.credited().formatted) ?? "?"),
        ("Written off", (try? ledger.writtenOff().formatted) ?? "?"),
        ("Refunded", (try? ledger.refunded().formatted) ?? "?"),
        ("Owed", (try? ledger.owed().formatted) ?? "?"),
        ("Frozen", (try? ledger.frozen().formatted) ?? "?"),
        ("Collectable", (try? ledger.collectable(on: today).formatted) ?? "?"),
      ]
      print("Invoice \(ledger.invoice.number) · customer \(ledger.invoice.customerId)")
      for (label, value) in rows {
        print("  " + label.padding(toLength: 12, withPad: " ", startingAt: 0) + value)
      }
      for portion in ledger.disputes {
        print(
          "  case \(portion.caseId) disputes \(portion.amount.formatted)"
            + (portion.open ? " (open)" : ", resolved" + (portion.newDueOn.map { ", due \($0)" } ?? "")))
      }
    }
  }

  struct WriteOff: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "write-off",
      abstract: "Write off part of an invoice: the company gives up collecting it (kept, never edited).")
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var author: AuthorOptions
    @Argument(help: "The invoice number.") var invoice: String
    @Argument(help: "The amount, in major units with a dot or a comma.") var amount: String
    @Option(help: "The day it is written off (YYYY-MM-DD; default: today).") var on: String?
    @Option(help: "The company's reference for it; recorded once per invoice.") var reference: String
    @Option(help: "Why, for the ledger.") var reason: String
    @Flag(help: "Print JSON: the invoice, the amount written off, its reference and what is still owed.")
    var json = false

    func run() throws {
      let store = try workspace.openStore()
      guard let found = try store.invoice(number: invoice) else { throw Failure("no invoice \(invoice)") }
      let now = try CommandClock.now()
      do {
        let money = try Money.typed(
          amount, currency: found.total.currency,
          field: "amount")
        let day =
          try on.map { try LocalDate(parsing: $0, field: "--on") }
          ?? LocalDate(now, in: store.settings.timeZone)
        try Plausible.check(text: reference, field: "--reference", maxBytes: 200)
        try Plausible.check(text: reason, field: "--reason", maxBytes: 4_000)
        try store.writeOff(
          invoice: found.number, amount: money, on: day, reference: reference, reason: reason,
          by: author.author,
          at: now)
        let owed = try store.ledger(ofInvoice: found.number)?.owed() ?? .zero(money.currency)
        if json {
          print(
            jsonText(
              [
                "invoice": found.number, "amount": money.decimalText, "currency": money.currency.code,
                "on": day.description, "reference": reference, "owed": owed.decimalText,
              ] as [String: Any]))
        } else {
          print("Wrote off \(money) of invoice \(found.number) (\(reference)); still owed: \(owed).")
        }
      } catch let error as DomainError {
        throw Failure("\(error)")
      } catch let error as StoreError {
        throw Failure("\(error)")
      }
    }
  }
}

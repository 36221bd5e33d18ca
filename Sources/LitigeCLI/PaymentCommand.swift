import ArgumentParser
import Foundation
import LitigeCore
import LitigeStore

/// `--verbose`: plugins' errors and log lines as they were written.
///
/// By default the case's personal data (the customer's name, e-mail, phone and address, the case's
/// reason, its messages' authors and texts) is masked wherever a plugin's own text quotes it
/// (`PersonalDataMask`): the night's summary, its report and the logs go to people who need the
/// failure, not the customer.
struct PersonalDataOptions: ParsableArguments {
  @Flag(
    help: """
      Show the plugins' errors and log lines as written, with the customer data they quote (masked by \
      default: ‹customer name›, ‹customer e-mail›...).
      """)
  var verbose = false
}

/// Who does what a person's command records: `--by`, else `$LITIGE_USER`, else the login name.
struct AuthorOptions: ParsableArguments {
  @Option(help: "Who does it, for the journal (default: $LITIGE_USER, else the login name).")
  var by: String?

  /// A name is one line of at most 64 characters, without ':' (the journal writes `user:NAME`), nor
  /// control characters, invisible marks or spaces other than the plain one: it is recorded for ever
  /// and printed back on terminals, where two names that look alike must be the same name.
  func validate() throws {
    if let by, by.trimmingCharacters(in: .whitespaces).isEmpty {
      throw ValidationError("--by is empty: give the name of who does it (or leave --by out)")
    }
    let name = author
    guard !name.isEmpty, name.count <= 64, name.unicodeScalars.count <= 128, !name.contains(":"),
      Self.scalarsMayBeInName(name), Self.looksLikeOneName(name)
    else {
      throw ValidationError(
        "--by (or $LITIGE_USER): a name of 1 to 64 characters of UTF-8 text on one line, without ':', "
          + "control characters, invisible marks, spaces other than single ' ' between words or "
          + "accents on nothing (got '"
          + "\(TerminalText.escaping(String(name.prefix(64))) { !Self.mayBeInName($0) })')")
    }
  }

  /// Whether each scalar of `name` may be in a name (`mayBeInName`).
  ///
  /// The zero-width non-joiner and joiner are allowed between two letters or marks of the scripts
  /// that use them: Persian (`علی‌رضا`) and Sinhala (`ශ්‍රී`) names are written with them.
  static func scalarsMayBeInName(_ name: String) -> Bool {
    let scalars = Array(name.unicodeScalars)
    return scalars.indices.allSatisfy { index in
      let scalar = scalars[index]
      guard scalar == "\u{200C}" || scalar == "\u{200D}" else { return mayBeInName(scalar) }
      guard index > 0, index + 1 < scalars.count else { return false }
      // Not in the alphabets that never need them (Latin, Greek, Cyrillic, Armenian: below U+0590),
      // where `bo\u{200D}b` would be another `bob`.
      return [scalars[index - 1], scalars[index + 1]].allSatisfy { neighbour in
        neighbour.value >= 0x0590 && (neighbour.properties.isAlphabetic || isMark(neighbour))
      }
    }
  }

  /// Whether `name` reads as itself: no space at either end nor two in a row (`Léa ` and `Léa` would
  /// be two authors who look alike), not beginning with a combining mark (an accent on nothing), and
  /// with at most three marks on one letter (`a` under a hundred accents).
  static func looksLikeOneName(_ name: String) -> Bool {
    guard !name.hasPrefix(" "), !name.hasSuffix(" "), !name.contains("  ") else { return false }
    guard let first = name.unicodeScalars.first, !isMark(first) else { return false }
    return name.allSatisfy { character in character.unicodeScalars.filter(isMark).count <= 3 }
  }

  private static func isMark(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.properties.generalCategory {
    case .nonspacingMark, .spacingMark, .enclosingMark: return true
    default: return false
    }
  }

  /// Whether `scalar` may be in a name: not a control or format character, a line or paragraph
  /// separator, a space other than U+0020, a private, unassigned or default-ignorable code point
  /// (zero-width joiner, soft hyphen, variation selector, Hangul filler...).
  private static func mayBeInName(_ scalar: Unicode.Scalar) -> Bool {
    if scalar == " " { return true }
    // Bytes that are not UTF-8 reach the arguments and the environment as U+FFFD: a name typed in
    // another encoding (Latin-1 `Hélène`) would be journaled as `H\u{FFFD}l\u{FFFD}ne` for ever.
    // U+2800 (Braille blank) looks like a space; U+FFFD: see above.
    guard scalar != "\u{FFFD}", scalar != "\u{2800}", !scalar.properties.isDefaultIgnorableCodePoint
    else { return false }
    switch scalar.properties.generalCategory {
    case .control, .format, .lineSeparator, .paragraphSeparator, .spaceSeparator, .privateUse, .surrogate,
      .unassigned:
      return false
    default: return true
    }
  }

  /// The author's name, never empty.
  var author: String {
    if let by, !by.trimmingCharacters(in: .whitespaces).isEmpty { return by }
    if let user = ProcessInfo.processInfo.environment["LITIGE_USER"], !user.isEmpty { return user }
    return ProcessInfo.processInfo.environment["USER"] ?? NSUserName()
  }
}

/// `litige payment add|list`: the money that comes in, each payment kept.
struct PaymentCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "payment", abstract: "Record and list the payments received on invoices.",
    subcommands: [Add.self, List.self])

  struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract:
        "Record a payment on an invoice; it is kept for ever and journaled on the cases that dispute it.")

    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var author: AuthorOptions

    @Argument(help: "The invoice number.") var invoice: String
    @Argument(help: "The amount, in major units with a dot or a comma (1234.56).") var amount: String
    @Option(help: "The day the money arrived (YYYY-MM-DD; default: today in the company's time zone).")
    var on: String?
    @Option(help: "The bank's or the company's reference; a payment is recorded once per reference.")
    var reference: String
    @Option(help: "How it was paid: transfer, card, cheque, cash, direct_debit...") var method = "transfer"
    @Flag(help: "Print the invoice's payments as JSON afterwards.") var json = false

    func run() throws {
      let store = try workspace.openStore()
      guard let invoice = try store.invoice(number: invoice) else {
        throw Failure("no invoice \(self.invoice) (see 'litige case show' for a case's invoices)")
      }
      let now = try CommandClock.now()
      let payment: Payment
      do {
        let money = try Money.typed(
          amount, currency: invoice.total.currency,
          field: "amount")
        let day =
          try on.map { try LocalDate(parsing: $0, field: "--on") }
          ?? LocalDate(now, in: store.settings.timeZone)
        try Plausible.check(text: reference, field: "--reference", maxBytes: 200)
        try Plausible.check(text: method, field: "--method", maxBytes: 40)
        payment = Payment(
          invoiceNumber: invoice.number, paidOn: day, amount: money, reference: reference, method: method)
        try store.record(payment, by: author.author, at: now)
      } catch let error as DomainError {
        throw Failure("\(error)")
      }
      if json {
        try PaymentCommand.printJSON(try store.payments(ofInvoice: invoice.number), store: store)
      } else {
        let owed = try store.ledger(ofInvoice: invoice.number)?.owed() ?? .zero(invoice.total.currency)
        print(
          "Recorded \(payment.amount) on invoice \(invoice.number) (\(payment.reference)); still owed: \(max(owed, .zero(owed.currency)))."
        )
        if owed.minorUnits < 0 {
          print(
            "Note: invoice \(invoice.number) is now overpaid by \(Money.zero(owed.currency) - owed): a refund is due."
          )
        }
      }
    }
  }

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the payments of an invoice.")

    @OptionGroup var workspace: WorkspaceOptions
    @Argument(help: "The invoice number.") var invoice: String
    @Flag(help: "Print JSON (snake_case keys, amounts as decimal strings).") var json = false

    func run() throws {
      let store = try workspace.openStore()
      guard let found = try store.invoice(number: invoice) else { throw Failure("no invoice \(invoice)") }
      let payments = try store.payments(ofInvoice: found.number)
      if json { return try PaymentCommand.printJSON(payments, store: store) }
      var table = TextTable(
        headers: ["PAID ON", "AMOUNT", "REFERENCE", "METHOD", "RECORDED BY"], rightAligned: [1])
      for recorded in payments {
        table.rows.append([
          recorded.payment.paidOn.description, recorded.payment.amount.formatted, recorded.payment.reference,
          recorded.payment.method, recorded.recordedBy,
        ])
      }
      print(table.render())
      let owed = try store.ledger(ofInvoice: found.number)?.owed() ?? found.outstanding
      print("Invoice \(found.number): total \(found.total), paid \(found.paid), owed \(owed).")
    }
  }

  static func printJSON(_ payments: [RecordedPayment], store: Store) throws {
    let rows: [[String: String]] = payments.map {
      [
        "invoice": $0.payment.invoiceNumber, "paid_on": $0.payment.paidOn.description,
        "amount": $0.payment.amount.decimalText, "currency": $0.payment.amount.currency.code,
        "reference": $0.payment.reference, "method": $0.payment.method,
        "recorded_at": Timestamp.utcText($0.recordedAt), "recorded_by": $0.recordedBy,
      ]
    }
    print(jsonText(rows))
  }
}

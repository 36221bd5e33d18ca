import Foundation

/// A payment received on an invoice, dated and kept for ever.
///
/// `paid` is the sum of payments; nothing overwrites one. domain.md §4: "track amounts separately:
/// original invoice total, disputed, paid, credited, written off".
public struct Payment: Hashable, Sendable, Codable {
  /// The invoice it pays.
  public var invoiceNumber: String
  /// The day the money arrived.
  public var paidOn: LocalDate
  /// The amount, positive.
  public var amount: Money
  /// The bank's or the company's reference: a payment is recorded once per reference.
  public var reference: String
  /// How it was paid (`transfer`, `card`, `cheque`...).
  public var method: String

  /// A payment record.
  public init(invoiceNumber: String, paidOn: LocalDate, amount: Money, reference: String, method: String) {
    self.invoiceNumber = invoiceNumber
    self.paidOn = paidOn
    self.amount = amount
    self.reference = reference
    self.method = method
  }
}

/// What lowers what an invoice's customer owes without money coming in.
public enum LedgerAdjustmentKind: String, Sendable, Codable, CaseIterable {
  /// A credit note or discount granted (a gesture).
  case credit
  /// An amount the company gave up collecting.
  case writeOff = "write_off"
  /// Money paid back to the customer (a granted refund, or an overpayment returned): it raises what
  /// the ledger says the customer owes back toward zero.
  case refund
}

/// A credit or a write-off on an invoice, dated.
public struct LedgerAdjustment: Hashable, Sendable, Codable {
  /// Credit or write-off.
  public var kind: LedgerAdjustmentKind
  /// The invoice it applies to.
  public var invoiceNumber: String
  /// The day it was granted.
  public var on: LocalDate
  /// The amount, positive.
  public var amount: Money
  /// The case whose gesture it comes from, if any: a credit granted on a case concedes that case's
  /// disputed portion first.
  public var caseId: Int64?

  /// An adjustment record.
  public init(
    kind: LedgerAdjustmentKind, invoiceNumber: String, on: LocalDate, amount: Money, caseId: Int64? = nil
  ) {
    self.kind = kind
    self.invoiceNumber = invoiceNumber
    self.on = on
    self.amount = amount
    self.caseId = caseId
  }
}

/// The part of an invoice one case disputes.
public struct DisputedPortion: Hashable, Sendable, Codable {
  /// The case.
  public var caseId: Int64
  /// The invoice.
  public var invoiceNumber: String
  /// How much of the invoice the case disputes.
  public var amount: Money
  /// Whether the case is still open (a resolved or closed case freezes nothing).
  public var open: Bool
  /// The due date resolution set for the disputed remainder; the invoice keeps its original one.
  public var newDueOn: LocalDate?

  /// A disputed portion.
  public init(
    caseId: Int64, invoiceNumber: String, amount: Money, open: Bool = true, newDueOn: LocalDate? = nil
  ) {
    self.caseId = caseId
    self.invoiceNumber = invoiceNumber
    self.amount = amount
    self.open = open
    self.newDueOn = newDueOn
  }
}

/// One invoice's money, computed in one place: what is owed, frozen, collectable and claimable.
///
/// The rules (domain.md §4, DESIGN.md "Core rules"):
/// - owed = original total - payments - credits - write-offs + money paid back; below zero the
///   customer overpaid and is owed a refund;
/// - only the disputed portions of open cases are frozen, less what a gesture granted on the case
///   already conceded of them, never more than what is owed; the rest stays due on the original due
///   date;
/// - a dispute on an invoice already paid freezes nothing: it is a claim for a refund;
/// - after resolution the disputed remainder falls due on the new due date, and the original due date
///   is kept (late penalties run from it when the setting says so).
public struct InvoiceLedger: Hashable, Sendable {
  /// The invoice as issued: its `total` and `dueOn` are the original ones and never change.
  public var invoice: Invoice
  /// Every payment, in the order recorded.
  public var payments: [Payment]
  /// Every credit and write-off.
  public var adjustments: [LedgerAdjustment]
  /// Every case's disputed portion of this invoice, open or not.
  public var disputes: [DisputedPortion]

  /// A ledger over `invoice` (its `paid` field is ignored: payments are the truth).
  public init(
    invoice: Invoice, payments: [Payment] = [], adjustments: [LedgerAdjustment] = [],
    disputes: [DisputedPortion] = []
  ) {
    self.invoice = invoice
    self.payments = payments
    self.adjustments = adjustments
    self.disputes = disputes
  }

  private var zero: Money { .zero(invoice.total.currency) }

  private func sum(_ amounts: [Money]) throws -> Money {
    try amounts.reduce(zero) { total, amount in
      guard let next = total.adding(amount) else {
        throw DomainError.invalid(field: "invoice \(invoice.number)", "amounts beyond the largest amount")
      }
      return next
    }
  }

  /// The sum of the payments.
  public func paid(through day: LocalDate? = nil) throws -> Money {
    try sum(payments.filter { payment in day.map { payment.paidOn <= $0 } ?? true }.map(\.amount))
  }

  /// The sum of the credits granted.
  public func credited() throws -> Money { try sum(adjustments.filter { $0.kind == .credit }.map(\.amount)) }

  /// The sum of the amounts written off.
  public func writtenOff() throws -> Money {
    try sum(adjustments.filter { $0.kind == .writeOff }.map(\.amount))
  }

  /// The money paid back to the customer.
  public func refunded() throws -> Money { try sum(adjustments.filter { $0.kind == .refund }.map(\.amount)) }

  /// What the customer still owes: negative when they paid more than is due (a refund is owed).
  ///
  /// A write-off gives up collecting what was owed; it never makes the invoice owe less than nothing,
  /// so money paid after it is a recovery of the written-off debt, not an overpayment.
  public func owed(through day: LocalDate? = nil) throws -> Money {
    let lowered = try sum([try paid(through: day), try credited()])
    guard let beforeWriteOff = (invoice.total - lowered).adding(try refunded()) else {
      throw DomainError.invalid(field: "invoice \(invoice.number)", "amounts beyond the largest amount")
    }
    let givenUp = min(try writtenOff(), max(beforeWriteOff, zero))
    return beforeWriteOff - givenUp
  }

  /// What of `portion` is still in dispute: its amount less the credits granted on its case.
  public func stillDisputed(_ portion: DisputedPortion) throws -> Money {
    let conceded = try sum(
      adjustments.filter { $0.kind == .credit && $0.caseId == portion.caseId }.map(\.amount))
    return max(zero, portion.amount - min(conceded, portion.amount))
  }

  /// What the open cases freeze: what is still in dispute of their portions, never more than what is owed.
  public func frozen() throws -> Money {
    let disputed = try sum(disputes.filter(\.open).map { try stillDisputed($0) })
    let owed = try owed()
    return owed.minorUnits <= 0 ? zero : min(disputed, owed)
  }

  /// What may be collected on `day`: what is owed and not frozen, once its due date has passed (the
  /// original one; for a resolved dispute's remainder, the new one).
  public func collectable(on day: LocalDate) throws -> Money {
    let owed = try owed()
    guard owed.minorUnits > 0 else { return zero }
    let unfrozen = owed - (try frozen())
    // The part a resolved case disputed falls due on its new date.
    var notYetDue = zero
    for portion in disputes where !portion.open {
      if let newDue = portion.newDueOn, day <= newDue {
        notYetDue = notYetDue.adding(try stillDisputed(portion)) ?? notYetDue
      }
    }
    let due = day > invoice.dueOn ? unfrozen - min(notYetDue, unfrozen) : zero
    return max(due, zero)
  }

  /// The first day after `day` on which `collectable(on:)` may differ from its value on `day` with
  /// nothing recorded meanwhile, or nil when it cannot.
  ///
  /// `collectable(on:)` reads the day only against the invoice's due date (collectable from the day
  /// after it) and a resolved dispute's new due date (its remainder collectable from the day after
  /// it): the earliest of those days still to come. A payment, a credit or a dispute changes it too,
  /// but those are recorded changes, which wake a case anyway (domain.md §4: nothing is demanded
  /// before it is due).
  public func collectableChanges(after day: LocalDate) -> LocalDate? {
    var candidates = [invoice.dueOn.adding(days: 1)]
    for portion in disputes where !portion.open {
      if let newDue = portion.newDueOn { candidates.append(newDue.adding(days: 1)) }
    }
    return candidates.filter { $0 > day }.min()
  }

  /// What a refund would give back: what was paid beyond what is due.
  ///
  /// Never more than the customer actually paid and was not given back: a credit beyond what is owed
  /// on an unpaid invoice leaves nothing owed, not money to pay out.
  public func refundDue() throws -> Money {
    let owed = try owed()
    guard owed.minorUnits < 0 else { return zero }
    let heldPayments = max(zero, try paid() - (try refunded()))
    return min(zero - owed, heldPayments)
  }

  /// Checks that `portion` may be added.
  ///
  /// It must be positive, at most the invoice's total, and together with the other open cases'
  /// portions at most the total. Throws `DomainError.refused` naming the invoice.
  public func checkNewDispute(_ portion: DisputedPortion) throws {
    guard portion.amount.currency == invoice.total.currency else {
      throw DomainError.refused(
        "invoice \(invoice.number) is in \(invoice.total.currency), the dispute in \(portion.amount.currency)"
      )
    }
    guard portion.amount.minorUnits > 0 else {
      throw DomainError.refused("a disputed amount must be positive, got \(portion.amount)")
    }
    guard portion.amount <= invoice.total else {
      throw DomainError.refused(
        "case \(portion.caseId) disputes \(portion.amount) of invoice \(invoice.number), whose total is \(invoice.total)"
      )
    }
    let others = try sum(disputes.filter { $0.open && $0.caseId != portion.caseId }.map(\.amount))
    guard let together = others.adding(portion.amount), together <= invoice.total else {
      throw DomainError.refused(
        "invoice \(invoice.number) (total \(invoice.total)) is already disputed for \(others) by other open cases; "
          + "case \(portion.caseId) cannot dispute \(portion.amount) more")
    }
  }

  /// Checks that a payment may be recorded: positive, same currency, a reference not seen before.
  public func checkNewPayment(_ payment: Payment) throws {
    try checkAmount(payment.amount, named: "payment", on: payment.paidOn, field: "paid_on")
    guard !payments.contains(where: { $0.reference == payment.reference }) else {
      throw DomainError.refused(
        "payment \(payment.reference) is already recorded on invoice \(invoice.number)")
    }
    guard (try paid()).adding(payment.amount) != nil else {
      throw DomainError.refused("invoice \(invoice.number) would have received more than any amount can hold")
    }
  }
}

extension InvoiceLedger {
  /// Checks what every movement on the invoice must be: in its currency, positive, dated 1970-2199.
  func checkAmount(_ amount: Money, named name: String, on day: LocalDate, field: String) throws {
    guard amount.currency == invoice.total.currency else {
      throw DomainError.refused(
        "invoice \(invoice.number) is in \(invoice.total.currency), the \(name) in \(amount.currency)")
    }
    guard amount.minorUnits > 0 else {
      throw DomainError.refused("a \(name) must be positive, got \(amount)")
    }
    try Plausible.check(day, field: field)
  }

  /// Checks that a credit or write-off may be recorded: positive, the invoice's currency, a plausible
  /// date, and a write-off no larger than what is owed (one cannot give up more than is due).
  public func checkNewAdjustment(_ adjustment: LedgerAdjustment) throws {
    try checkAmount(adjustment.amount, named: adjustment.kind.rawValue, on: adjustment.on, field: "on")
    if adjustment.kind == .writeOff {
      let owed = try owed()
      guard adjustment.amount <= owed else {
        throw DomainError.refused(
          "invoice \(invoice.number) owes \(owed): \(adjustment.amount) cannot be written off")
      }
    }
  }
}

extension CaseRules {
  /// Opens `disputeCase` on its invoices' `ledgers`: computes and checks the portion of each invoice
  /// it disputes, and returns the case with its portions and its `opened` event.
  ///
  /// Explicit `portions` are kept (the case's `disputed` becomes their sum); otherwise the disputed
  /// amount is spread over the invoices in order, each taking what it still owes, the last the rest.
  /// Each portion is checked by `InvoiceLedger.checkNewDispute`: at most the invoice's total, alone and
  /// together with the other open cases' portions (domain.md §4). A dispute on a paid invoice freezes
  /// nothing: it is a claim for a refund. Throws `DomainError.refused` naming the case and invoice.
  public static func open(_ disputeCase: DisputeCase, ledgers: [InvoiceLedger]) throws -> (
    DisputeCase, CaseEvent
  ) {
    var opened = disputeCase
    let currency = disputeCase.disputed.currency
    for ledger in ledgers where ledger.invoice.total.currency != currency {
      throw DomainError.refused(
        "case \(disputeCase.id): invoice \(ledger.invoice.number) is in \(ledger.invoice.total.currency), the case in \(currency)"
      )
    }
    guard disputeCase.disputed.minorUnits >= 0 else {
      throw DomainError.refused(
        "case \(disputeCase.id): the disputed amount cannot be negative (\(disputeCase.disputed))")
    }
    if !disputeCase.portions.isEmpty {
      for number in disputeCase.portions.keys where !disputeCase.invoiceNumbers.contains(number) {
        throw DomainError.refused(
          "case \(disputeCase.id): a portion of invoice \(number), which the case does not link")
      }
      var sum = Money.zero(currency)
      for amount in disputeCase.portions.values {
        guard amount.currency == currency, let next = sum.adding(amount) else {
          throw DomainError.refused(
            "case \(disputeCase.id): portions in another currency or beyond any amount")
        }
        sum = next
      }
      opened.disputed = sum
    } else {
      opened.portions = allocate(
        disputeCase.disputed, over: disputeCase.invoiceNumbers, ledgers: ledgers, owedFirst: true)
    }
    for ledger in ledgers {
      guard let amount = opened.portions[ledger.invoice.number] else { continue }
      do {
        try ledger.checkNewDispute(
          DisputedPortion(caseId: opened.id, invoiceNumber: ledger.invoice.number, amount: amount))
      } catch DomainError.refused(let message) {
        throw DomainError.refused(
          message.hasPrefix("case \(opened.id) ") ? message : "case \(opened.id): \(message)")
      }
    }
    opened.portions = opened.portions.filter { $0.value.minorUnits > 0 }
    return (
      opened,
      .opened(
        channel: opened.channel, disputed: opened.disputed, invoices: opened.invoiceNumbers,
        portions: opened.portions)
    )
  }
}

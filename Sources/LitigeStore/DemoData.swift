import Foundation
import GRDB
import LitigeCore

/// A deterministic pseudo-random generator (SplitMix64): the same seed gives the same sequence on
/// every machine, unlike the system generator.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
  private var state: UInt64
  /// A generator started from `seed`.
  public init(seed: UInt64) { state = seed }
  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var mixed = state
    mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
    mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
    return mixed ^ (mixed >> 31)
  }
}

/// One step of a demo case's history, as a person did it.
public struct DemoAction: Sendable {
  /// What was done.
  public enum Step: Sendable {
    /// A decision through the core.
    case decide(Decision)
    /// A payment on one of the case's invoices.
    case pay(Payment)
  }

  /// The case.
  public var caseId: Int64
  /// When.
  public var at: Date
  /// What.
  public var step: Step
  /// Who (a login name; `claire` approves gestures in the demo's litige.toml).
  public var by: String
  /// Why, for the journal.
  public var reason: String
}

/// A realistic French small-business data set: customers, invoices, dispute cases covering every
/// category and channel, with communication histories and some cases far up the escalation ladder.
///
/// Deterministic: the same seed and reference date give the same data.
public struct DemoData: Sendable {
  /// The customers.
  public var customers: [Customer] = []
  /// The invoices.
  public var invoices: [Invoice] = []
  /// The cases, as opened.
  public var cases: [DisputeCase] = []
  /// Their communications.
  public var communications: [Communication] = []
  /// What people did on them over time (assignments, gestures and answers, escalations, resolutions,
  /// payments), replayed through the core by `Store.load` so that statuses move as the lifecycle says.
  public var actions: [DemoAction] = []

  private static let companies = [
    "Boulangerie Martin", "Garage Dupuis", "Menuiserie Lefèvre", "Transports Girard", "Pharmacie Bonnet",
    "Hôtel du Lac", "Imprimerie Roux", "Cabinet Fontaine", "Atelier Mercier", "Restaurant Le Vieux Port",
    "SCI Les Tilleuls", "Électricité Blanc", "Plomberie Chevalier", "Mairie de Saint-Amand",
    "Clinique des Alpes",
    "Agence Morel Immobilier", "Ferme du Moulin", "Librairie Perrin", "Traiteur Gauthier",
    "Lycée Jean Moulin",
    "Cave Robin", "Fromagerie Clément", "Quincaillerie Masson",
  ]
  private static let firstNames = [
    "Camille", "Léa", "Hugo", "Louis", "Chloé", "Manon", "Lucas", "Inès", "Jules", "Sarah", "Nathan", "Emma",
    "Arthur", "Zoé", "Paul", "Alice", "Thomas",
  ]
  private static let lastNames = [
    "Bernard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Michel", "Garcia", "David",
    "Bertrand",
    "Rousseau", "Vincent", "Muller", "Faure", "André", "Guerin",
  ]
  private static let reasons: [DisputeCategory: [String]] = [
    .price: [
      "Le prix facturé ne correspond pas au devis signé", "Remise négociée non appliquée sur la facture",
      "Billed price differs from the agreed quote",
    ],
    .doubleBilling: [
      "La même livraison a été facturée deux fois", "Facture en double pour la commande de mars",
      "We were invoiced twice for the same delivery",
    ],
    .quality: [
      "Produit non conforme à la qualité attendue", "Prestation de nettoyage bâclée",
      "The service was below what was agreed",
    ],
    .missingOrDefective: [
      "Trois cartons manquants à la livraison", "Matériel reçu cassé",
      "Two items missing and one broken on arrival",
    ],
    .delivery: [
      "Marchandise livrée non conforme au bon de commande", "Facture émise avant l'expédition",
      "Goods delivered do not match the order",
    ],
    .dates: [
      "Livraison avec trois semaines de retard", "Délai de chantier non respecté",
      "Delivery three weeks late",
    ],
    .administrative: [
      "Numéro de bon de commande absent de la facture", "Facture adressée à la mauvaise entité",
      "Invoice missing the purchase order number",
    ],
  ]

  /// Generates the data set: `customerCount` customers, `invoiceCount` invoices, `caseCount` cases,
  /// the newest opened a few days before `reference`.
  ///
  /// `offset` shifts every identifier, so that large workspaces are generated slice by slice. Every
  /// amount is in `currency`, the workspace's (a demo in euros in a dollar workspace would mix them).
  public static func generate(
    seed: UInt64, reference: Date, customerCount: Int = 40, invoiceCount: Int = 300, caseCount: Int = 120,
    offset: Int = 0, currency: Currency = .euro
  ) -> DemoData {
    var random = SeededGenerator(seed: seed)
    var data = DemoData()
    let paris = TimeZone(identifier: "Europe/Paris") ?? .current
    let today = LocalDate(reference, in: paris)
    let euro = currency  // the amounts' currency: euros unless the workspace keeps another

    for index in 1...customerCount {
      let isCompany = index % 3 != 0
      let first = firstNames.randomElement(using: &random) ?? "Camille"
      let last = lastNames.randomElement(using: &random) ?? "Martin"
      let name =
        isCompany
        ? companies[(index - 1) % companies.count] + (index > companies.count ? " \(index)" : "")
        : "\(first) \(last)"
      let slug = name.lowercased().folding(options: .diacriticInsensitive, locale: nil)
        .map { $0.isLetter || $0.isNumber ? String($0) : "." }.joined()
      data.customers.append(
        Customer(
          id: String(format: "C%04d", offset / 3 + index), name: name, kind: isCompany ? .company : .person,
          segment: isCompany
            ? ["industry", "retail", "services", "public"].randomElement(using: &random) ?? "retail"
            : "consumer",
          email: "contact@\(slug).example",
          phone: String(format: "+33 6 %02d %02d %02d %02d", index, index * 7 % 100, 11, 42),
          language: index % 7 == 0 ? "en" : "fr", vip: index % 9 == 1,
          since: today.adding(days: -Int.random(in: 200...3_000, using: &random))))
    }

    for index in 1...invoiceCount {
      let customer = data.customers[Int.random(in: 0..<customerCount, using: &random)]
      let issued = today.adding(days: -Int.random(in: 10...240, using: &random))
      let cents = Int64.random(in: 8_000...(customer.kind == .company ? 2_400_000 : 300_000), using: &random)
      let total = Money(minorUnits: cents, currency: euro)
      let paidShare = [0, 0, 0, 50, 100].randomElement(using: &random) ?? 0
      data.invoices.append(
        Invoice(
          number: String(format: "F-%04d-%05d", issued.year, offset * 3 + index), customerId: customer.id,
          issuedOn: issued,
          dueOn: issued.adding(days: [30, 45, 60].randomElement(using: &random) ?? 30), total: total,
          paid: Money(minorUnits: cents * Int64(paidShare) / 100, currency: euro)))
    }

    var invoicesByCustomer: [String: [String]] = [:]
    for invoice in data.invoices {
      invoicesByCustomer[invoice.customerId, default: []].append(invoice.number)
    }
    let categories = DisputeCategory.allCases
    let channels: [Channel] = [.email, .email, .phone, .letter, .web, .meeting, .social, .registeredLetter]
    var linked = Set<String>()
    for index in 1...caseCount {
      let category = categories[(index - 1) % categories.count]
      // Each case disputes invoices no other case disputes (while some remain).
      var invoice = data.invoices[Int.random(in: 0..<invoiceCount, using: &random)]
      var draws = 0
      while draws < invoiceCount, linked.contains(invoice.number) {
        invoice = data.invoices[Int.random(in: 0..<invoiceCount, using: &random)]
        draws += 1
      }
      var numbers = [invoice.number]
      if category == .doubleBilling,
        let twin = invoicesByCustomer[invoice.customerId]?.first(where: { $0 != invoice.number })
      {
        numbers.append(twin)
      }
      numbers.removeAll { linked.contains($0) }
      if numbers.isEmpty { numbers = [invoice.number] }
      linked.formUnion(numbers)
      let share = [100, 100, 50, 30, 15].randomElement(using: &random) ?? 100
      let disputed = Money(
        minorUnits: max(1_000, invoice.total.minorUnits * Int64(share) / 100), currency: euro)
      let openedDay = max(
        invoice.issuedOn.adding(days: 5), today.adding(days: -Int.random(in: 1...150, using: &random)))
      let opened = openedDay.start(in: paris).addingTimeInterval(
        Double(Int.random(in: 8 * 3600...15 * 3600, using: &random)))
      let channel = channels.randomElement(using: &random) ?? .email
      let ageDays = Int(reference.timeIntervalSince(opened) / 86_400)
      // Each case discloses the part of its first invoice it disputes: never more than that invoice.
      var disputeCase = DisputeCase(
        id: Int64(offset + index), customerId: invoice.customerId, openedAt: opened, channel: channel,
        category: index % 5 == 0 ? nil : category,
        reason: reasons[category]?.randomElement(using: &random) ?? "Litige",
        disputed: disputed, invoiceNumbers: numbers)
      disputeCase.portions = [invoice.number: min(disputed, invoice.total)]
      disputeCase.disputed = min(disputed, invoice.total)
      data.cases.append(disputeCase)

      // A history: the complaint, the acknowledgement, exchanges; older cases went further.
      var moment = opened
      func note(
        _ direction: Direction, _ channel: Channel, _ author: String, _ summary: String, after hours: Double
      ) {
        moment = moment.addingTimeInterval(hours * 3_600)
        guard moment < reference else { return }
        data.communications.append(
          Communication(
            caseId: disputeCase.id, at: moment, direction: direction, channel: channel, author: author,
            summary: summary))
      }
      func act(_ step: DemoAction.Step, by person: String, _ reason: String, after hours: Double) {
        moment = moment.addingTimeInterval(hours * 3_600)
        guard moment < reference else { return }
        data.actions.append(
          DemoAction(caseId: disputeCase.id, at: moment, step: step, by: person, reason: reason))
      }
      let stage = Int.random(in: 0...9, using: &random)
      note(
        .incoming, channel, "client",
        channel == .social ? "Avis public négatif publié" : "Réclamation initiale", after: 0)
      guard ageDays > 1, stage > 0 else { continue }
      note(
        .outgoing, .email, "service client", "Accusé de réception envoyé",
        after: Double.random(in: 1...3, using: &random))
      guard ageDays > 4, stage > 1 else { continue }
      act(
        .decide(.assign(disputeCase.category?.defaultOwner ?? .accounting)), by: "julien",
        "pris en charge par le service", after: 24)
      guard ageDays > 20, stage > 2 else { continue }
      note(.incoming, .phone, "client", "Relance téléphonique du client", after: 24 * 5)
      if stage == 3 {
        note(.outgoing, .email, "service client", "Demande de justificatifs au client", after: 24)
        continue
      }
      var gestureKind: GestureKind =
        [.discount, .creditNote, .voucher].randomElement(using: &random) ?? .discount
      var gestureAmount = Money(
        minorUnits: max(
          1_000,
          disputeCase.disputed.minorUnits * Int64([10, 20, 50].randomElement(using: &random) ?? 10) / 100),
        currency: euro)
      if stage == 6 {
        // Above the discount cap: accepted by the customer, it waits for an approver.
        gestureKind = .discount
        gestureAmount = Money(minorUnits: max(60_000, gestureAmount.minorUnits), currency: euro)
      }
      act(
        .decide(.proposeGesture(kind: gestureKind, amount: gestureAmount, approvedBy: nil)), by: "julien",
        "geste commercial proposé au client", after: 24 * 2)
      if stage == 4, index % 3 == 0, ageDays > 50 {
        act(
          .decide(.withdrawGesture(id: 1)), by: "julien", "offre retirée sans réponse du client",
          after: 24 * 20)
        continue
      }
      guard ageDays > 30, stage > 4 else { continue }
      if stage == 5 {
        act(
          .decide(.answerGesture(id: 1, accepted: false)), by: "julien", "le client refuse le geste",
          after: 24 * 4)
        if ageDays > 60, index % 2 == 0 {
          for level in [EscalationLevel.mediation, .formalNotice] {
            act(
              .decide(.escalate(level)), by: "sophie", "pas d'accord après la proposition amiable",
              after: 24 * 10)
          }
        }
        continue
      }
      act(
        .decide(.answerGesture(id: 1, accepted: true)), by: "julien", "le client accepte le geste",
        after: 24 * 3)
      if stage == 6 { continue }
      act(.decide(.approveGesture(id: 1)), by: "claire", "geste validé", after: 24)
      guard ageDays > 45, stage > 6 else { continue }
      let due = LocalDate(moment, in: paris).adding(days: 30)
      act(
        .decide(.resolve(outcome: .partiallyAccepted, newDueDate: due, promise: nil)), by: "julien",
        "accord trouvé avec le client", after: 24 * 2)
      if stage > 7, invoice.outstanding.minorUnits > 0 {
        act(
          .pay(
            Payment(
              invoiceNumber: invoice.number, paidOn: due.adding(days: -3),
              amount: Money(minorUnits: invoice.outstanding.minorUnits / 2, currency: euro),
              reference: "VIR-\(disputeCase.id)", method: "transfer")),
          by: "compta", "virement reçu", after: 24 * 27)
      }
      if stage == 9, ageDays > 90 {
        act(.decide(.close), by: "julien", "suivi terminé, client satisfait", after: 24 * 10)
      }
    }
    return data
  }
}

extension Store {
  /// Writes a generated data set, replaying each case's history through the core.
  ///
  /// Customers, invoices and cases are written as opened, then each case's messages and people's actions
  /// in time order, so that statuses, gestures and the ledger move as the lifecycle says. One
  /// transaction; a step the core refuses is skipped (the generator may propose what the rules then
  /// forbid, as people do).
  ///
  /// `freshWorkspace`: the workspace has never run a night, so the load is a `bulkLoad` of one slice
  /// (its own transaction, between the two that set the indexes aside and build them again); leave
  /// false when loading into a workspace in use.
  ///
  /// `readingBack`: every case and its facts are read back from the database before its history, as
  /// any command does. By default (false) a case whose invoices are all new in `data` and named by no
  /// other of its cases is kept in memory from its opening instead: nothing but its own history
  /// changes what the database would give back, and reading it back was a third of `litige generate`
  /// (BENCHMARKS.md, issue 14, ninth session). Debug builds read it back anyway and throw if the two
  /// differ; tests load both ways and compare every table.
  public func load(
    _ data: DemoData, provenance: Provenance, freshWorkspace: Bool = false, readingBack: Bool = false
  ) throws {
    guard !freshWorkspace else {
      var slices = [data][...]
      try bulkLoad(provenance: provenance, readingBack: readingBack) { slices.popFirst() }
      return
    }
    try database.write { db in
      var loader = DemoLoader(data: data, settings: settings, readingBack: readingBack)
      try loader.load(provenance: provenance, db)
    }
  }

  /// The key of the `settings` row that marks a bulk load under way (`Store.open` refuses the
  /// workspace while it is there).
  static let unfinishedLoadKey = "unfinished_load"

  /// Loads generated data slice by slice (`nextSlice` gives each, nil after the last) into a workspace
  /// that has never run a night, one transaction per slice, as `load` loads one.
  ///
  /// Nothing is due to wake on a workspace without a night, so its wake-up triggers (schema v10, v11)
  /// are set aside for the whole load, with the queue triggers (v12; each case's queues are computed
  /// once at the end) and the indexes that only a night reads (v10, v12 to v15) or that no step of the
  /// load does (by status, customer, run, due date): an index is built once over all the rows, not
  /// maintained row by row (a seventh of `generate` when kept), and not rebuilt after each slice
  /// (which made `generate` grow with the square of its size). Every case and invoice is due on the
  /// first night anyway (`wake_on` defaults to 0).
  ///
  /// Until the end, a `settings` row marks the load as unfinished: a workspace whose load was
  /// interrupted (a crash, a kill) lacks rows and indexes, and `Store.open` refuses it with a message
  /// saying so. On an error, the triggers and indexes are put back and the error rethrown; the
  /// workspace stays marked.
  public func bulkLoad(
    provenance: Provenance, readingBack: Bool = false, nextSlice: () throws -> DemoData?
  ) throws {
    let setAside = try database.write { db in
      // Without the wake-up triggers, what the load changes in a workspace that has run nights would
      // stay asleep in its index: only a workspace without a night may be bulk loaded.
      guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM runs)") != true else {
        throw StoreError("a bulk load is only for a workspace that has never run a night")
      }
      let items = try Row.fetchAll(
        db,
        sql: """
          SELECT type, name, sql FROM sqlite_master
          WHERE (type = 'trigger' AND (name GLOB 'wake_*' OR name GLOB '*_wake' OR name GLOB 'queues_*'))
            OR (type = 'index' AND name IN ('cases_wake', 'cases_due', 'cases_open', 'cases_resolved',
              'events_sent_invoice', 'cases_open_category', 'invoices_pass', 'cases_status', 'cases_customer',
              'events_run', 'invoices_customer', 'invoices_due'))
          ORDER BY type, name
          """
      ).map { (type: $0["type"] as String, name: $0["name"] as String, sql: $0["sql"] as String) }
      for item in items { try db.execute(sql: "DROP \(item.type.uppercased()) \(item.name)") }
      try Self.writeSetting(Self.unfinishedLoadKey, provenance.source, db)
      return items
    }
    do {
      while let data = try nextSlice() {
        try database.write { db in
          var loader = DemoLoader(data: data, settings: settings, readingBack: readingBack)
          try loader.load(provenance: provenance, db)
        }
      }
    } catch {
      try? database.write { db in
        for item in setAside { try db.execute(sql: item.sql) }
      }
      throw error
    }
    try database.write { db in
      try db.execute(sql: "UPDATE cases SET queues = \(Schema.queueFlags(of: "cases"))")
      for item in setAside { try db.execute(sql: item.sql) }
      try Self.removeSetting(Self.unfinishedLoadKey, db)
    }
  }
}

/// Writes a data set and replays its cases' histories through the core, inside the transaction of
/// `Store.load` or of one slice of `Store.bulkLoad`.
private struct DemoLoader {
  let data: DemoData
  let settings: CompanySettings
  /// The cases kept in memory from their opening (see `Store.load`'s `readingBack`), as opened, and
  /// their `opened` events.
  private var kept: [Int64: (disputeCase: DisputeCase, opening: JournalEvent)] = [:]
  /// The ledgers of the kept cases' invoices once every case is open.
  private var openedLedgers: [String: InvoiceLedger] = [:]
  /// The ids of the cases that may be kept: their customer in `data`, every invoice new in it and
  /// named by no other case.
  private let keepable: Set<Int64>
  /// The customers' kinds, by id.
  private let customerKinds: [String: CustomerKind]

  init(data: DemoData, settings: CompanySettings, readingBack: Bool) {
    self.data = data
    self.settings = settings
    var namings: [String: Int] = [:]
    for disputeCase in data.cases {
      for number in disputeCase.invoiceNumbers { namings[number, default: 0] += 1 }
    }
    let newInvoices = Set(data.invoices.map(\.number))
    let customerKinds = Dictionary(
      data.customers.map { ($0.id, $0.kind) }, uniquingKeysWith: { first, _ in first })
    keepable =
      readingBack
      ? []
      : Set(
        data.cases.filter { disputeCase in
          customerKinds[disputeCase.customerId] != nil
            && disputeCase.invoiceNumbers.allSatisfy { newInvoices.contains($0) && namings[$0] == 1 }
        }.map(\.id))
    self.customerKinds = customerKinds
  }

  /// Writes the data set's customers, invoices and cases, then replays the cases' histories.
  mutating func load(provenance: Provenance, _ db: Database) throws {
    for customer in data.customers { try Records.insert(customer, db) }
    for invoice in data.invoices { try Records.insert(invoice, db) }
    try open(provenance: provenance, db)
    try replayHistories(runId: provenance.runId, db)
  }

  /// The ledgers of the keepable cases' invoices as `load` has just inserted them: each is new and
  /// named by no case yet, so its ledger is the invoice and the opening balance `Records.insert`
  /// records for what it arrived with as paid (no reading back; `verify` checks them in debug builds).
  private func keptLedgers() -> [String: InvoiceLedger] {
    let numbers = Set(data.cases.filter { keepable.contains($0.id) }.flatMap(\.invoiceNumbers))
    var ledgers: [String: InvoiceLedger] = [:]
    for invoice in data.invoices where numbers.contains(invoice.number) {
      let opening =
        invoice.paid.minorUnits > 0
        ? [
          Payment(
            invoiceNumber: invoice.number, paidOn: invoice.issuedOn, amount: invoice.paid,
            reference: "opening-balance", method: "opening balance")
        ] : []
      ledgers[invoice.number] = InvoiceLedger(invoice: invoice, payments: opening)
    }
    return ledgers
  }

  /// Opens every case as the store does; the keepable ones from ledgers built from the data.
  ///
  /// The kept cases' ledgers after their opening follow from the ones before: each of their invoices
  /// gains the case's portion (`Records.open` links it), and its collection is suspended while an
  /// open portion is disputed (`Records.refreshCollection`). Debug builds check them against the
  /// database as each history starts (`verify`).
  private mutating func open(provenance: Provenance, _ db: Database) throws {
    var ledgers = keptLedgers()
    // The `opened` events are appended together, in the cases' order, several rows per INSERT.
    var journal: [JournalEvent] = []
    for disputeCase in data.cases {
      guard keepable.contains(disputeCase.id) else {
        let (_, event) = try Records.open(disputeCase, provenance: provenance, journaling: false, db)
        journal.append(event)
        continue
      }
      var (opened, event) = try Records.open(
        disputeCase, provenance: provenance, ledgers: ledgers, journaling: false, db)
      journal.append(event)
      // As read back: the store lists a case's invoices in number order.
      opened.invoiceNumbers.sort()
      kept[opened.id] = (opened, event)
      for number in opened.invoiceNumbers {
        let portion = opened.portions[number] ?? .zero(opened.disputed.currency)
        let open = opened.status.isActive
        ledgers[number]?.disputes.append(
          DisputedPortion(
            caseId: opened.id, invoiceNumber: number, amount: portion, open: open, newDueOn: nil))
        ledgers[number]?.invoice.collectionSuspended = open && portion.minorUnits > 0
      }
    }
    try Records.append(journal, db)
    openedLedgers = ledgers
  }

  /// The case and its facts as its history starts: from memory when kept (with the ledgers `open`
  /// derived), else read back.
  private func startingPoint(of caseId: Int64, _ db: Database) throws -> (DisputeCase, CaseFacts)? {
    guard let (opened, opening) = kept[caseId], let kind = customerKinds[opened.customerId] else {
      guard let current = try Records.fetchCase(db, id: caseId) else { return nil }
      return (current, try Records.facts(for: current, timeZone: settings.timeZone, db))
    }
    // A case just opened: its journal is its `opened` event, no message yet, no promise.
    let facts = CaseFacts.derive(
      journal: [opening], communications: [], customerKind: kind,
      ledgers: opened.invoiceNumbers.compactMap { openedLedgers[$0] }, promise: nil,
      currency: opened.disputed.currency, timeZone: settings.timeZone)
    try verify(opened, facts, db)
    return (opened, facts)
  }

  /// In debug builds, throws unless `disputeCase` and `facts` are what reading them back gives.
  ///
  /// As the case starts, all of them; after its history, the case's row only (written to the
  /// second). The facts the core keeps up to date as it decides are those its decisions read, not all
  /// that `CaseFacts.derive` finds in a journal and ledgers (when the customer last had news,
  /// portions released): they were never read back between two steps, before or since the shortcut.
  private func verify(
    _ disputeCase: DisputeCase, _ facts: CaseFacts, _ db: Database, afterHistory: Bool = false
  ) throws {
    #if DEBUG
      let stored = try Records.fetchCase(db, id: disputeCase.id)
      if afterHistory {
        guard try stored.map(Records.caseColumns) == Records.caseColumns(disputeCase) else {
          throw StoreError("case \(disputeCase.id): the loader's case differs from the stored one")
        }
        return
      }
      guard stored == disputeCase else {
        throw StoreError("case \(disputeCase.id): the loader's case differs from the stored one")
      }
      guard try Records.facts(for: disputeCase, timeZone: settings.timeZone, db) == facts else {
        throw StoreError("case \(disputeCase.id): the loader's facts differ from the stored ones")
      }
    #endif
  }

  /// Writes each case's messages and people's actions in time order, through the core.
  ///
  /// A case's events are appended together (several rows per INSERT) before anything reads the
  /// journal: a payment, which journals its own event, and the end of the case. The ledger effects run
  /// at once, as they do not read the journal ("an effect reads no event id": `Records.record`).
  private mutating func replayHistories(runId: String, _ db: Database) throws {
    enum Entry {
      case message(Communication)
      case action(DemoAction)
      var at: Date {
        switch self {
        case .message(let message): return message.at
        case .action(let action): return action.at
        }
      }
    }
    var timeline: [Int64: [Entry]] = [:]
    for message in data.communications { timeline[message.caseId, default: []].append(.message(message)) }
    for action in data.actions { timeline[action.caseId, default: []].append(.action(action)) }
    for caseId in timeline.keys.sorted() {
      let entries = (timeline[caseId] ?? []).enumerated().sorted {
        ($0.element.at, $0.offset) < ($1.element.at, $1.offset)
      }
      guard var (current, facts) = try startingPoint(of: caseId, db) else { continue }
      // The case's row is written once, after its history (and before a payment, which reads it), and
      // only the columns that changed: SQLite then maintains only the indexes on them.
      var stored = current
      var changed = false
      var journal: [JournalEvent] = []
      for (_, entry) in entries {
        let person: String
        let decision: Decision
        let reason: String
        switch entry {
        case .message(let message):
          try Records.insert(message, db)
          person = message.direction == .incoming ? "demo" : "julien"
          decision = .recordMessage(direction: message.direction, channel: message.channel)
          reason = "message recorded"
        case .action(let action):
          person = action.by
          reason = action.reason
          switch action.step {
          case .decide(let made): decision = made
          case .pay(let payment):
            // A payment reads which cases are still open on its invoice: the row must be current.
            if changed { try Records.update(current, stored: stored, db) }
            stored = current
            changed = false
            try Records.append(journal, db)
            journal.removeAll()
            try? Records.recordPayment(payment, by: person, at: action.at, db)
            facts = try Records.facts(for: current, timeZone: settings.timeZone, db)
            continue
          }
        }
        let who = Provenance(source: "user:\(person)", hook: "demo", runId: runId)
        do {
          let before = facts
          let (updated, events) = try CaseRules.apply(
            [ProposedDecision(caseId: caseId, decision: decision, reason: reason)], to: current,
            facts: &facts, settings: settings, provenance: who, at: entry.at)
          guard !events.isEmpty else { continue }
          journal += events
          try Records.executeEffects(
            of: events, on: updated, facts: before, timeZone: settings.timeZone, db)
          current = updated
          changed = true
        } catch is DomainError {
          continue
        }
      }
      try Records.append(journal, db)
      if changed { try Records.update(current, stored: stored, db) }
      try verify(current, facts, db, afterHistory: true)
    }
  }
}

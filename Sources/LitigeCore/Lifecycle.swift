import Foundation

/// How a case's status moves on real events (domain.md §3).
///
/// - open -> acknowledged: the first answer to the customer (a letter sent or a message to them).
/// - acknowledged -> investigating: someone works the case (it is assigned or categorized, or a
///   message is exchanged) after the acknowledgement.
/// - investigating -> awaiting_customer: a person asked the customer something (a message to them);
///   back to investigating when the customer answers.
/// - any active status -> proposed: a gesture is offered and awaits the customer's answer; back to
///   investigating once the customer has answered every proposal.
/// - resolved, closed and reopened are set by their own decisions (`resolve`, `close`, `reopen`);
///   a resolved case closes by itself once the follow-up window is over (`CaseRules.lifecycleDecisions`).
public enum Lifecycle {
  /// The status `disputeCase` moves to after `events`, and why, or nil if it stays.
  public static func next(after events: [CaseEvent], case disputeCase: DisputeCase, facts: CaseFacts)
    -> (CaseStatus, String)?
  {
    var status = disputeCase.status
    var why = ""
    func move(_ to: CaseStatus, _ reason: String) {
      status = to
      why = reason
    }
    for event in events {
      switch (status, event) {
      case (.open, .sent(_, _, _, nil, _)), (.open, .communication(.outgoing, _)):
        move(.acknowledged, "lifecycle: the customer has had a first answer")
      case (.acknowledged, .assigned), (.acknowledged, .categorized), (.acknowledged, .communication):
        move(.investigating, "lifecycle: the case is being worked")
      case (.investigating, .communication(.outgoing, _)):
        move(.awaitingCustomer, "lifecycle: the customer was asked and their answer is awaited")
      case (.awaitingCustomer, .communication(.incoming, _)):
        move(.investigating, "lifecycle: the customer answered")
      case (.open, .gestureProposed), (.acknowledged, .gestureProposed), (.investigating, .gestureProposed),
        (.awaitingCustomer, .gestureProposed):
        move(.proposed, "lifecycle: a solution was proposed and the customer's answer is awaited")
      case (.proposed, .gestureAnswered), (.proposed, .gestureWithdrawn):
        if !disputeCase.gestures.contains(where: { $0.state == .proposed }) {
          move(.investigating, "lifecycle: the customer answered every proposal")
        }
      default: continue
      }
    }
    return status == disputeCase.status ? nil : (status, why)
  }
}

/// Gestures: proposed, answered by the customer, approved within limits, granted (domain.md §4;
/// DESIGN.md "a gesture never exceeds what the case disputes unless an approval is recorded; caps per
/// gesture kind come from the company configuration").
enum Gestures {
  static func propose(
    _ kind: GestureKind, _ amount: Money, approvedBy: String?, on current: inout DisputeCase,
    _ context: CaseRules.Context
  ) throws -> [CaseEvent] {
    guard amount.currency == current.disputed.currency else {
      throw DomainError.refused(
        "the gesture is in \(amount.currency), the case in \(current.disputed.currency)")
    }
    guard amount.minorUnits > 0 else {
      throw DomainError.refused("a gesture must be a positive amount, got \(amount)")
    }
    // The same gesture again changes nothing, whatever its state: checked before any limit, so that
    // re-running a policy is idempotent (a refused offer is not made again by a script).
    guard
      !current.gestures.contains(where: { $0.kind == kind && $0.amount == amount && $0.state != .withdrawn })
    else { return [] }
    guard current.gestures.count < CaseRules.maxGestures else {
      throw DomainError.refused("the case already holds \(CaseRules.maxGestures) gestures")
    }
    let live = current.gestures.filter(\.isLive)
    guard let total = live.map(\.amount).reduce(Optional(amount), { $0?.adding($1) }),
      let sameKind = live.filter({ $0.kind == kind }).map(\.amount).reduce(
        Optional(amount), { $0?.adding($1) })
    else {
      throw DomainError.refused("gestures would total more than any amount can hold")
    }
    // The cap holds for the gestures of a kind together on the case: splitting an offer in parts under
    // the cap does not escape the approval (DESIGN.md, Core rules).
    let cap = context.settings.gestureCaps[kind]
    let needsApproval = cap.map { sameKind > $0 } ?? false || total > current.disputed
    var approver: String?
    if let approvedBy, !approvedBy.isEmpty {
      let together = current.gestures.filter { $0.isLive && $0.approvedBy == approvedBy }.map(\.amount)
        .reduce(amount) { $0.adding($1) ?? $0 }
      try checkApprover(approvedBy, for: together, context)
      approver = approvedBy
    }
    let id = (current.gestures.map(\.id).max() ?? 0) + 1
    let gesture = Gesture(
      id: id, kind: kind, amount: amount, state: .proposed, approvedBy: approver, needsApproval: needsApproval
    )
    current.gestures.append(gesture)
    return [.gestureProposed(gesture)]
  }

  static func answer(_ id: Int, accepted: Bool, on current: inout DisputeCase, _ context: CaseRules.Context)
    throws -> [CaseEvent]
  {
    let index = try position(of: id, in: current)
    let gesture = current.gestures[index]
    switch (gesture.state, accepted) {
    case (.proposed, _): break
    case (.accepted, true), (.granted, true), (.refused, false): return []
    case (.refused, true):
      throw DomainError.refused("gesture \(id) was refused by the customer; propose a new one")
    case (.accepted, false), (.granted, false):
      throw DomainError.refused("gesture \(id) was already accepted by the customer")
    case (.withdrawn, _):
      throw DomainError.refused("gesture \(id) was withdrawn")
    }
    // The customer's answer is a fact a person records (a call, a letter), not a policy's guess.
    guard context.person != nil else {
      throw DomainError.refused(
        "the customer's answer is recorded by a person (litige gesture accept|refuse), not by \(context.provenance.source)"
      )
    }
    current.gestures[index].state = accepted ? .accepted : .refused
    var events: [CaseEvent] = [.gestureAnswered(id: id, accepted: accepted)]
    if accepted, let grant = grantIfReady(index, &current) { events.append(grant) }
    return events
  }

  static func approve(_ id: Int, on current: inout DisputeCase, _ context: CaseRules.Context) throws
    -> [CaseEvent]
  {
    let index = try position(of: id, in: current)
    let gesture = current.gestures[index]
    guard let person = context.person else {
      throw DomainError.refused(
        "gestures are approved by people (litige gesture approve), not by \(context.provenance.source)")
    }
    if gesture.approvedBy != nil { return [] }
    guard gesture.state != .refused, gesture.state != .withdrawn else {
      throw DomainError.refused("gesture \(id) was \(gesture.state.rawValue): there is nothing to approve")
    }
    // The limit covers what the case's gestures come to together: approving offers one by one does
    // not let an approver grant more than their limit on one case.
    let together = current.gestures.filter { $0.isLive && ($0.id == id || $0.approvedBy == person) }.map(
      \.amount
    )
    .reduce(Money.zero(gesture.amount.currency)) { $0.adding($1) ?? $0 }
    try checkApprover(person, for: together, context)
    current.gestures[index].approvedBy = person
    var events: [CaseEvent] = [.gestureApproved(id: id, approver: person)]
    if let grant = grantIfReady(index, &current) { events.append(grant) }
    return events
  }

  static func withdraw(_ id: Int, on current: inout DisputeCase) throws -> [CaseEvent] {
    let index = try position(of: id, in: current)
    switch current.gestures[index].state {
    case .withdrawn: return []
    case .granted, .refused:
      throw DomainError.refused("gesture \(id) was already \(current.gestures[index].state.rawValue)")
    case .proposed, .accepted:
      current.gestures[index].state = .withdrawn
      return [.gestureWithdrawn(id: id)]
    }
  }

  /// Checks that `name` is the person deciding and one of the company's approvers whose limit covers
  /// `amount`.
  static func checkApprover(_ name: String, for amount: Money, _ context: CaseRules.Context) throws {
    guard context.person == name else {
      throw DomainError.refused(
        "an approval is given by the approver in person: \(context.provenance.source) cannot approve for "
          + RefusedValue.word(name)
      )
    }
    guard let limit = context.settings.approvers[name] else {
      let known = context.settings.approvers.keys.sorted()
      throw DomainError.refused(
        "\(RefusedValue.word(name)) is not an approver ([approvers] in litige.toml lists "
          + (known.isEmpty ? "none" : known.joined(separator: ", ")) + ")")
    }
    guard amount <= limit else {
      throw DomainError.refused(
        "\(name) may approve up to \(limit) on a case; with this gesture their approvals here come to \(amount)"
      )
    }
  }

  private static func position(of id: Int, in current: DisputeCase) throws -> Int {
    guard let index = current.gestures.firstIndex(where: { $0.id == id }) else {
      let ids = current.gestures.map { String($0.id) }
      throw DomainError.refused(
        "case \(current.id) has no gesture \(id)"
          + (ids.isEmpty ? " (none proposed)" : " (gestures: \(ids.joined(separator: ", ")))"))
    }
    return index
  }

  /// Grants gesture `index` once the customer accepted it and any approval it needs was given.
  private static func grantIfReady(_ index: Int, _ current: inout DisputeCase) -> CaseEvent? {
    let gesture = current.gestures[index]
    guard gesture.state == .accepted, !gesture.needsApproval || gesture.approvedBy != nil else { return nil }
    current.gestures[index].state = .granted
    return .gestureGranted(id: gesture.id, kind: gesture.kind, amount: gesture.amount)
  }
}

import Foundation
import LitigeCore
import LuaHost

/// The decision methods of a case object (`c:tag(...)`, `c:escalate(...)`), as DESIGN.md names them.
///
/// Simple decisions take positional arguments and an optional reason (`c:prioritize(1, "VIP")`);
/// richer ones take a table (`c:propose_gesture{kind = "discount", amount = 50, reason = "..."}`) whose
/// unknown keys are errors. A refusal by the core raises a validation error at the script's line.
enum CaseMethods {
  static func make(runtime: PolicyRuntime) -> [String: LuaHostFunction] {
    unowned let runtime = runtime
    let currency = { runtime.session.store.settings.currency }

    func receiver(_ stack: LuaStack, _ method: String) throws -> Int64 {
      guard let object = stack.state.objectOrNil(on: stack, at: 1),
        let handle = object as? PolicyRuntime.CaseObject
      else {
        throw LuaRaisedError("bad self to '\(method)' (call it with ':' on a case, as in c:\(method)(...))")
      }
      return handle.id
    }

    func decide(_ stack: LuaStack, _ method: String, reason: String?, _ make: () throws -> Decision) throws
      -> Int
    {
      let caseId = try receiver(stack, method)
      // A hook decides only on its own case (DESIGN.md): a decision on another, through a view kept from
      // an earlier call or `litige.case(id)`, would change a case the night does not visit again (its
      // wake-up date stays) and that another worker may be deciding on at the same time.
      if let only = runtime.decidableCase, caseId != only {
        throw LuaRaisedError(
          "\(runtime.session.provenance.source) \(runtime.session.provenance.hook) on case \(only) cannot "
            + "decide on case \(caseId) "
            + "(c:\(method)): a hook decides only on the case it was called for; other cases are read-only "
            + "(decide on them from litige run or the REPL)", kind: .validation)
      }
      do {
        try runtime.session.decide(try make(), on: caseId, reason: reason ?? "")
      } catch let error as DomainError {
        throw LuaRaisedError("\(error)", kind: .validation)
      }
      return 0
    }

    /// Positional decisions: `c:method(value [, reason])`.
    func positional(
      _ method: String, reasonAt position: Int32 = 3, _ make: @escaping (LuaStack) throws -> Decision
    )
      -> LuaHostFunction
    {
      { stack in
        let reason = try stack.optionalString(at: position, function: method)
        return try decide(stack, method, reason: reason) { try make(stack) }
      }
    }

    /// Table decisions: `c:method{key = value, ..., reason = "..."}`.
    func tabled(_ method: String, keys: [String], _ make: @escaping ([String: LuaValue]) throws -> Decision)
      -> LuaHostFunction
    {
      { stack in
        _ = try receiver(stack, method)
        guard case .table(let raw) = try stack.table(at: 2, function: method) else { return 0 }
        var fields: [String: LuaValue] = [:]
        for (key, value) in raw {
          guard let name = key.stringValue, keys.contains(name) || name == "reason" else {
            throw LuaRaisedError(
              "\(method){...}: unknown field \(key.stringValue.map(LuaStack.shownKey) ?? "'\(key.typeName)'")\(Suggestion.phrase(for: key.stringValue ?? "", among: keys + ["reason"])) (expected: \((keys + ["reason"]).joined(separator: ", ")))"
            )
          }
          fields[name] = value
        }
        let reason = fields["reason"]?.stringValue
        return try decide(stack, method, reason: reason) { try make(fields) }
      }
    }

    func text(_ fields: [String: LuaValue], _ key: String, _ method: String) throws -> String {
      guard let value = fields[key]?.stringValue else {
        throw DomainError.invalid(
          field: "\(method){\(key)}", "expected a string, got \(fields[key]?.typeName ?? "nil")")
      }
      return value
    }

    func amount(_ value: LuaValue?, _ field: String) throws -> Money {
      guard let major = value?.doubleValue else {
        throw DomainError.invalid(
          field: field, "expected an amount (a number), got \(value?.typeName ?? "nil")")
      }
      return try Money(major: major, currency: currency(), field: field)
    }

    func instant(_ value: LuaValue, _ field: String) throws -> Date {
      if let seconds = value.integerValue { return Date(timeIntervalSince1970: TimeInterval(seconds)) }
      if let text = value.stringValue {
        if text.count == 10 {
          let day = try LocalDate(parsing: text, field: field)
          return day.adding(days: 1).start(in: runtime.session.store.settings.timeZone).addingTimeInterval(-1)
        }
        return try Timestamp.parse(text, field: field)
      }
      throw DomainError.invalid(field: field, "expected a time (seconds), a date YYYY-MM-DD or ISO 8601 text")
    }

    return [
      "categorize": positional("categorize") {
        .categorize(try DisputeCategory.parse(try $0.string(at: 2, function: "categorize")))
      },
      "prioritize": positional("prioritize") {
        .prioritize(Int(try $0.integer(at: 2, function: "prioritize")))
      },
      "assign": positional("assign") {
        .assign(try Department.parse(try $0.string(at: 2, function: "assign")))
      },
      "tag": positional("tag") { .tag(try $0.string(at: 2, function: "tag")) },
      "escalate": { stack in
        // c:escalate(level [, reason]) or c:escalate{level =, procedure =, reason =}.
        if case .table = try stack.value(at: 2) {
          return try tabled("escalate", keys: ["level", "procedure"]) { fields in
            let procedure = try fields["procedure"].map { value -> CourtRoute.Procedure in
              guard let name = value.stringValue, let procedure = CourtRoute.Procedure(rawValue: name) else {
                throw DomainError.invalid(
                  field: "escalate{procedure}",
                  "expected request, summons or order_for_payment, got \(value.typeName)")
              }
              return procedure
            }
            return .escalate(
              try EscalationLevel.parse(try text(fields, "level", "escalate"), field: "escalate{level}"),
              procedure: procedure)
          }(stack)
        }
        return try positional("escalate") {
          .escalate(try EscalationLevel.parse(try $0.string(at: 2, function: "escalate")))
        }(stack)
      },
      "accept_gesture": positional("accept_gesture") {
        .answerGesture(id: Int(try $0.integer(at: 2, function: "accept_gesture")), accepted: true)
      },
      "refuse_gesture": positional("refuse_gesture") {
        .answerGesture(id: Int(try $0.integer(at: 2, function: "refuse_gesture")), accepted: false)
      },
      "approve_gesture": positional("approve_gesture") {
        .approveGesture(id: Int(try $0.integer(at: 2, function: "approve_gesture")))
      },
      "withdraw_gesture": positional("withdraw_gesture") {
        .withdrawGesture(id: Int(try $0.integer(at: 2, function: "withdraw_gesture")))
      },
      "record_attempt": positional("record_attempt") {
        .recordAttempt(try AmicableAttempt.parse(try $0.string(at: 2, function: "record_attempt")))
      },
      "set_deadline": positional("set_deadline") {
        .setDeadline(try instant(try $0.value(at: 2), "deadline"))
      },
      "propose_gesture": tabled("propose_gesture", keys: ["kind", "amount", "approved_by"]) { fields in
        .proposeGesture(
          kind: try GestureKind.parse(
            try text(fields, "kind", "propose_gesture"), field: "propose_gesture{kind}"),
          amount: try amount(fields["amount"], "propose_gesture{amount}"),
          approvedBy: fields["approved_by"]?.stringValue)
      },
      "send": tabled("send", keys: ["template", "channel", "body", "invoice", "claim_penalties"]) { fields in
        .send(
          template: try text(fields, "template", "send"),
          channel: try Channel.parse(fields["channel"]?.stringValue ?? "email", field: "send{channel}"),
          body: fields["body"]?.stringValue,
          invoice: try fields["invoice"].map { value in
            guard let number = value.stringValue else {
              throw DomainError.invalid(field: "send{invoice}", "expected an invoice number (a string)")
            }
            return number
          },
          claimPenalties: try fields["claim_penalties"].map { value in
            try DisputedPenalties.parse(value.stringValue ?? "", field: "send{claim_penalties}")
          })
      },
      "follow_up": tabled("follow_up", keys: ["in_days"]) { fields in
        guard let days = fields["in_days"]?.integerValue else {
          throw DomainError.invalid(field: "follow_up{in_days}", "expected a whole number of days")
        }
        return .followUp(days: Int(days))
      },
      "resolve": tabled("resolve", keys: ["outcome", "new_due_date", "promise"]) { fields in
        .resolve(
          outcome: try ResolutionOutcome.parse(
            try text(fields, "outcome", "resolve"), field: "resolve{outcome}"),
          newDueDate: try fields["new_due_date"]?.stringValue.map {
            try LocalDate(parsing: $0, field: "resolve{new_due_date}")
          },
          promise: try fields["promise"].map { try amount($0, "resolve{promise}") })
      },
      "judge_promise": positional("judge_promise", reasonAt: 2) { _ in .judgePromise },
      "has_sent": { stack in
        let caseId = try receiver(stack, "has_sent")
        // c:has_sent(template [, invoice]): whether that letter went out (about that other invoice).
        let template = try stack.string(at: 2, function: "has_sent")
        let invoice = try stack.optionalString(at: 3, function: "has_sent")
        let key = CaseFacts.sentKey(template, invoice: invoice)
        stack.push(.boolean(try runtime.session.facts(id: caseId)?.sentTemplates.contains(key) ?? false))
        return 1
      },
      "late_penalties": { stack in
        // c:late_penalties([mode]): the penalties as the core computes them, with "waive" or "accrue"
        // for disputed invoices (default: the company's setting).
        let caseId = try receiver(stack, "late_penalties")
        let mode = try stack.optionalString(at: 2, function: "late_penalties")
        let disputed: DisputedPenalties
        do {
          disputed =
            try mode.map { try DisputedPenalties.parse($0, field: "late_penalties") }
            ?? runtime.session.store.settings.penaltiesOnDisputed
        } catch let error as DomainError {
          throw LuaRaisedError("\(error)", kind: .validation)
        }
        guard let current = try runtime.session.disputeCase(id: caseId) else { return 0 }
        stack.push(try runtime.penaltiesValue(of: current, disputed: disputed))
        return 1
      },
      "has_tag": { stack in
        let caseId = try receiver(stack, "has_tag")
        let tag = try stack.string(at: 2, function: "has_tag")
        stack.push(.boolean(try runtime.session.disputeCase(id: caseId)?.tags.contains(tag) ?? false))
        return 1
      },
    ]
  }
}

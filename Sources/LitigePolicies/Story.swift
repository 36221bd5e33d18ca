import Foundation
import LitigeCore

/// Journal events and decisions told in words, for `case explain`, command output and the REPL.
public enum Story {
  /// The time zone times are told in: the company's, set when a workspace is opened (Paris before).
  nonisolated(unsafe) public static var displayZone = TimeZone(identifier: "Europe/Paris") ?? .gmt

  /// One event in words (`escalated from amicable to mediation`); no personal data.
  public static func describe(_ event: JournalEvent) -> String {
    switch event.event {
    case .opened(let channel, let disputed, let invoices, let portions):
      guard !invoices.isEmpty else {
        return "opened by \(channel.rawValue), \(disputed) disputed, no invoice"
      }
      let parts = invoices.map { number in portions[number].map { "\(number) (\($0.formatted))" } ?? number
      }
      return "opened by \(channel.rawValue), \(disputed) disputed on \(parts.joined(separator: ", "))"
    case .categorized(let category): return "categorized as \(category.rawValue)"
    case .prioritized(let priority): return "priority set to \(priority)"
    case .assigned(let owner): return "assigned to \(owner.rawValue)"
    case .tagged(let tag): return "tagged \(tag)"
    case .deadlineSet(let deadline):
      // In the company's time zone, as every other time a person reads.
      return "deadline set to \(Timestamp.display(deadline, in: displayZone))"
    case .gestureProposed(let gesture):
      if gesture.id == 0 {
        return "gesture: \(gesture.kind.rawValue) of \(gesture.amount) (granted at once, before 0.4)"
      }
      return "gesture #\(gesture.id) proposed to the customer: \(gesture.kind.rawValue) of \(gesture.amount)"
        + (gesture.needsApproval ? ", needs an approval" : "")
        + (gesture.approvedBy.map { ", approved by \($0)" } ?? "")
    case .gestureAnswered(let id, let accepted):
      return "the customer \(accepted ? "accepted" : "refused") gesture #\(id)"
    case .gestureApproved(let id, let approver): return "gesture #\(id) approved by \(approver)"
    case .gestureWithdrawn(let id): return "gesture #\(id) withdrawn"
    case .gestureGranted(let id, let kind, let amount):
      return "gesture #\(id) granted: \(kind.rawValue) of \(amount)"
    case .escalated(let level, let from, let route):
      var text = "escalated from \(from.rawValue) to \(level.rawValue)"
      if let route {
        text +=
          " (\(route.court.rawValue), \(route.procedure.rawValue), lawyer \(route.lawyerRequired ? "required" : "not required")"
          + (route.claimed.minorUnits > 0 ? ", \(route.claimed) claimed)" : ")")
      }
      return text
    case .sent(let template, let channel, _, let invoice, _):
      return "sent '\(template)' by \(channel.rawValue)" + (invoice.map { " about invoice \($0)" } ?? "")
    case .followUpScheduled(let day): return "follow-up scheduled for \(day)"
    case .attempted(let attempt):
      return "amicable attempt recorded: \(attempt.rawValue.replacingOccurrences(of: "_", with: " "))"
    case .resolved(let outcome, let newDueDate, let promise):
      return "resolved: \(outcome.rawValue)"
        + (newDueDate.map { ", collection resumes, the disputed part due \($0)" } ?? "")
        + (promise.map { ", payment promise of \($0.formatted)" } ?? "")
    case .closed(let from): return "closed (was \(from.rawValue))"
    case .reopened(let from):
      return "reopened (was \(from.rawValue)): investigated again, its invoices frozen again"
    case .payment(let invoice, let amount, let paidOn, let reference):
      return "payment of \(amount) on invoice \(invoice) (\(reference), paid on \(paidOn))"
    case .promiseJudged(let status, let promised, let paid, let dueOn):
      return "payment promise \(status.rawValue.replacingOccurrences(of: "_", with: " ")): "
        + "\(paid.formatted) paid of \(promised.formatted) promised for \(dueOn)"
    case .communication(let direction, let channel):
      return (direction == .incoming ? "message from the customer" : "message to the customer")
        + " by \(channel.rawValue)"
    case .statusChanged(let from, let to):
      return "status \(from.rawValue) -> \(to.rawValue)"
    case .dispatched(let item, let template, let reference):
      return "'\(template)' sent from the outbox (item \(item), proof \(reference))"
    case .dispatchFailed(let item, let template, let reason):
      return "'\(template)' could not be sent (outbox item \(item)): \(reason)"
    case .forgotten:
      return "the customer's personal data erased on request"
    case .writtenOff(let invoice, let amount, let reference):
      return "\(amount) of invoice \(invoice) written off (\(reference))"
    }
  }

  /// A decision's value in words (`vip`, `formal_notice by registered_letter`), after its kind.
  public static func describe(_ decision: Decision) -> String {
    switch decision {
    case .categorize(let category): return category.rawValue
    case .prioritize(let priority): return String(priority)
    case .assign(let owner): return owner.rawValue
    case .tag(let tag): return tag
    case .setDeadline(let date): return Timestamp.utcText(date)
    case .proposeGesture(let kind, let amount, _): return "\(kind.rawValue) \(amount)"
    case .answerGesture(let id, let accepted): return "#\(id) \(accepted ? "accepted" : "refused")"
    case .approveGesture(let id), .withdrawGesture(let id): return "#\(id)"
    case .recordAttempt(let attempt): return attempt.rawValue
    case .recordMessage(let direction, let channel): return "\(direction.rawValue) by \(channel.rawValue)"
    case .escalate(let level, let procedure):
      return level.rawValue + (procedure.map { " (\($0.rawValue))" } ?? "")
    case .send(let template, let channel, _, _, _): return "\(template) by \(channel.rawValue)"
    case .followUp(let days): return "in \(days) days"
    case .resolve(let outcome, let due, _): return outcome.rawValue + (due.map { ", due \($0)" } ?? "")
    case .judgePromise: return "payment promise"
    case .close: return "closed"
    case .reopen: return "reopened"
    }
  }
}

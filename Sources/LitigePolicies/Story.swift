import Foundation
import LitigeCore

/// Journal events and decisions told in words, for `case explain`, command output and the REPL.
public enum Story {
  static func payload(_ event: JournalEvent) -> [String: String] {
    CaseRules.payload(decoding: event.payload)
  }

  /// One event in words (`escalated from amicable to mediation`); no personal data.
  public static func describe(_ event: JournalEvent) -> String {
    let data = payload(event)
    let value = { (key: String) in data[key] ?? "?" }
    switch event.kind {
    case "opened":
      let invoices = value("invoices").isEmpty ? "no invoice" : value("invoices")
      return
        "opened by \(value("channel")), \(value("disputed")) \(data["currency"] ?? "") disputed on \(invoices)"
    case "categorize": return "categorized as \(value("category"))"
    case "prioritize": return "priority set to \(value("priority"))"
    case "assign": return "assigned to \(value("owner"))"
    case "tag": return "tagged \(value("tag"))"
    case "set_deadline": return "deadline set to \(value("deadline"))"
    case "propose_gesture":
      return "gesture: \(value("kind")) of \(value("amount")) \(value("currency"))"
        + (data["approved_by"].map { ", approved by \($0)" } ?? "")
    case "escalate":
      var text = "escalated from \(value("from")) to \(value("level"))"
      if let route = data["route"] { text += " (\(value("court")), \(route), lawyer \(value("lawyer")))" }
      return text
    case "send": return "sent '\(value("template"))' by \(value("channel"))"
    case "follow_up": return "follow-up scheduled for \(value("due_on"))"
    case "resolve":
      return "resolved: \(value("outcome"))"
        + (data["new_due_date"].map { ", collection resumes, due \($0)" } ?? "")
        + (data["promise"].map { ", payment promise of \($0)" } ?? "")
    case "close": return "closed (was \(value("from")))"
    case "reopen": return "reopened (was \(value("from"))): investigated again, its invoices frozen again"
    case "payment":
      return "payment of \(value("amount")) \(value("currency")) on invoice \(value("invoice")) "
        + "(\(value("reference")), paid on \(value("paid_on")))"
    case "judge_promise":
      return "payment promise \(value("status").replacingOccurrences(of: "_", with: " ")): "
        + "\(value("paid")) paid of \(value("promised")) promised for \(value("due_on"))"
    case "communication":
      return (data["direction"] == "in" ? "message from the customer" : "message to the customer")
        + " by \(value("channel"))"
    default: return "\(event.kind) \(event.payload)"
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
    case .escalate(let level): return level.rawValue
    case .send(let template, let channel, _): return "\(template) by \(channel.rawValue)"
    case .followUp(let days): return "in \(days) days"
    case .resolve(let outcome, let due, _): return outcome.rawValue + (due.map { ", due \($0)" } ?? "")
    case .judgePromise: return "payment promise"
    case .close: return "closed"
    case .reopen: return "reopened"
    }
  }
}

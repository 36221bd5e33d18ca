import Foundation
import LitigeCore

/// The time a person's command acts at: the machine's clock, or `LITIGE_NOW` to replay a scenario.
///
/// `LITIGE_NOW` (an instant such as `2027-01-04T09:30:00Z`, with its offset) is for simulations and
/// acceptance tests that move through weeks of nights with `batch --as-of` and need people's commands
/// dated on the same simulated days; the journal keeps the time it was given. An invalid value is an
/// error that names the variable, never a silent fall-back to the real clock.
enum CommandClock {
  /// Now, or `LITIGE_NOW`; throws `Failure` when `LITIGE_NOW` is not an instant.
  static func now() throws -> Date {
    guard let text = ProcessInfo.processInfo.environment["LITIGE_NOW"], !text.isEmpty else { return Date() }
    do {
      let instant = try Timestamp.parse(text, field: "LITIGE_NOW")
      try Plausible.check(instant, field: "LITIGE_NOW")
      return instant
    } catch let error as DomainError where text.count >= 20 {
      throw Failure("\(error)")
    } catch {
      throw Failure(
        "LITIGE_NOW='\(text)' is not an instant: expected ISO 8601 with an offset, e.g. 2027-01-04T09:30:00Z")
    }
  }
}

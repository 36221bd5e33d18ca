import ArgumentParser
import Foundation
import LitigeStore

/// A case as a person names it on the command line: Litige's number (`42`) or the company's own
/// reference from an import (`L000123`).
struct CaseArgument: ExpressibleByArgument {
  /// What the help of a case argument says.
  static let help = ArgumentHelp(
    "The case: its number, or the company's reference from an import (L000123).", valueName: "case")

  /// What was typed.
  let text: String

  init?(argument: String) {
    let trimmed = argument.trimmingCharacters(in: .whitespaces)
    guard !trimmed.isEmpty, trimmed.utf8.count <= 64 else { return nil }
    text = trimmed
  }

  /// The case's number in `workspace`; throws `Failure` when no case has that number or reference.
  func resolve(in workspace: WorkspaceOptions) throws -> Int64 {
    let store = try workspace.openStore()
    guard let id = try store.caseId(forReference: text) else {
      throw Failure("no case '\(text)' in the workspace (neither a case number nor a company's reference)")
    }
    return id
  }
}

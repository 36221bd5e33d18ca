/// Text a plugin, a script or a file wrote, made safe to print on a person's terminal.
///
/// A control character in a plugin's error message (an escape sequence) would be run by the terminal:
/// it could clear the screen, move the cursor over earlier lines or retitle the window. Printed, each
/// is shown as an escape instead (`\u{1B}`); the reports and the journal keep the text as written.
enum TerminalText {
  /// `text` with its control characters (C0, DEL and C1) shown as `\u{...}` escapes.
  static func visible(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: isControl) else { return text }
    var shown = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      if isControl(scalar) {
        shown.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
      } else {
        shown.append(scalar)
      }
    }
    return String(shown)
  }

  private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
  }
}

/// Text a plugin, a script or a file wrote, made safe to print on a person's terminal.
///
/// A control character in a plugin's error message (an escape sequence) would be run by the terminal:
/// it could clear the screen, move the cursor over earlier lines or retitle the window. Printed, each
/// is shown as an escape instead (`\u{1B}`); the reports and the journal keep the text as written.
public enum TerminalText {
  /// `text` with its control characters (C0, DEL and C1) shown as `\u{...}` escapes.
  public static func visible(_ text: String) -> String { visible(text, keeping: []) }

  /// `text` with its control characters shown as escapes but its line breaks and tabs: for a
  /// message of several lines (a Lua traceback), where a script's escape sequence, carriage return or
  /// NUL must still not reach the terminal.
  public static func visibleLines(_ text: String) -> String { visible(text, keeping: ["\n", "\t"]) }

  /// `text` with its control characters shown as escapes, except those in `kept` (the REPL keeps the
  /// escape character of its own colours, having shown the strings' own with `%q`).
  public static func visible(_ text: String, keeping kept: Set<Unicode.Scalar>) -> String {
    escaping(text) { isControl($0) && !kept.contains($0) }
  }

  /// JSON text with the characters a terminal would act on written as JSON escapes (`\u009b`,
  /// `\u202e`, a pair for one past U+FFFF): the same JSON for a program, safe on a terminal.
  ///
  /// `json` must be a serializer's output: outside its strings there are only ASCII punctuation,
  /// spaces and line breaks, which are kept.
  public static func visibleJSON(_ json: String) -> String {
    guard json.unicodeScalars.contains(where: { isControl($0) && $0 != "\n" }) else { return json }
    var shown = String.UnicodeScalarView()
    for scalar in json.unicodeScalars {
      guard isControl(scalar), scalar != "\n" else {
        shown.append(scalar)
        continue
      }
      for unit in String(scalar).utf16 {
        let hex = String(unit, radix: 16)
        shown.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
      }
    }
    return String(shown)
  }

  /// `text` with each scalar `shouldEscape` picks written as a `\u{...}` escape (hexadecimal, capitals),
  /// for a check stricter than the terminal's (a person's name refuses invisible marks as well).
  public static func escaping(_ text: String, where shouldEscape: (Unicode.Scalar) -> Bool) -> String {
    guard text.unicodeScalars.contains(where: shouldEscape) else { return text }
    var shown = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      if shouldEscape(scalar) {
        shown.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
      } else {
        shown.append(scalar)
      }
    }
    return String(shown)
  }

  /// Whether `scalar` is shown as an escape.
  ///
  /// C0, DEL and C1 controls, and the invisible characters that reorder, hide or break text on a
  /// terminal: bidirectional overrides and isolates (U+202E shows `exe.gpj` as `jpg.exe`), marks,
  /// zero-width space and word joiner, the byte-order mark, line and paragraph separators (some
  /// terminals break the line there), the soft hyphen, the Mongolian vowel separator, the Hangul
  /// fillers that show as blanks, interlinear annotation marks and tag characters (invisible letters
  /// that can smuggle text), and the other default-ignorable format marks (Mongolian free variation
  /// selectors, Khmer inherent vowels, musical and hieroglyph format controls, the supplementary
  /// variation selectors). Zero-width joiners and non-joiners and the variation selectors U+FE00-FE0F
  /// stay: scripts and emoji (`❤️`) need them.
  /// The characters are Unicode's `Cc`, `Cf` (most) and `Zl`/`Zp` categories, and the fillers.
  static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0..<0x20, 0x7F...0x9F: return true
    case 0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B...0x180E, 0x200B, 0x200E, 0x200F,
      0x2028...0x202E, 0x2060...0x2064, 0x2066...0x206F, 0x3164, 0xFEFF, 0xFFA0, 0xFFF9...0xFFFB,
      0x13430...0x1343F, 0x1BCA0...0x1BCA3, 0x1D173...0x1D17A, 0xE0000...0xE007F, 0xE0100...0xE01EF:
      return true
    // Noncharacters (U+FDD0-FDEF, the last two of each plane): never text, shown as what they are.
    case 0xFDD0...0xFDEF: return true
    case let value where value & 0xFFFE == 0xFFFE: return true
    default: return false
    }
  }
}

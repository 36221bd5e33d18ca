import Foundation
import PropertyBased
import Testing

@testable import LitigeCore

/// `TerminalText`: what a terminal would run, hide or reorder is shown as an escape; the rest stays.
@Suite("Terminal text")
struct TerminalTextTests {
  @Test("controls, reordering and invisible characters become escapes; letters stay")
  func escapes() {
    let cases: [(String, String)] = [
      ("\u{1B}[2J", #"\u{1B}[2J"#),
      ("a\u{7F}b\u{9B}c", #"a\u{7F}b\u{9B}c"#),
      ("exe.gpj\u{202E}", #"exe.gpj\u{202E}"#),
      ("line\u{2028}forged\u{2029}", #"line\u{2028}forged\u{2029}"#),
      ("soft\u{AD}hyphen", #"soft\u{AD}hyphen"#),
      ("mongol\u{180E}", #"mongol\u{180E}"#),
      ("\u{3164}\u{115F}\u{1160}\u{FFA0}", #"\u{3164}\u{115F}\u{1160}\u{FFA0}"#),
      ("tag\u{E0041}\u{E007F}", #"tag\u{E0041}\u{E007F}"#),
      ("note\u{FFF9}x\u{FFFB}", #"note\u{FFF9}x\u{FFFB}"#),
      ("Zoë Lefèvre, Łódź, 東京, 👩‍👩‍👧", "Zoë Lefèvre, Łódź, 東京, 👩‍👩‍👧"),
    ]
    for (text, shown) in cases {
      #expect(TerminalText.visible(text) == shown, "\(Array(text.unicodeScalars))")
    }
    #expect(TerminalText.visibleLines("one\ntwo\tthree\r") == "one\ntwo\tthree\\u{D}")
  }

  /// Random text of letters, accents, controls and invisible marks: what comes out has no character a
  /// terminal would act on, and reading the escapes back gives the text as written.
  @Test("no control survives, and the escapes read back to the text")
  func roundTrip() async {
    let scalars = Gen.oneOf(
      Gen.unicodeScalar(in: "a"..."z"),
      Gen.element(of: Array("éÉçœ€ \\{}u".unicodeScalars)).map { $0 ?? "e" },
      Gen.unicodeScalar(in: "\u{0}"..."\u{1F}"),
      Gen.unicodeScalar(in: "\u{7F}"..."\u{9F}"),
      Gen.element(
        of: Array(
          "\u{AD}\u{61C}\u{180E}\u{200B}\u{200D}\u{200E}\u{2028}\u{2029}\u{202E}\u{2066}\u{3164}\u{FEFF}\u{E0020}"
            .unicodeScalars)
      )
      .map { $0 ?? "\u{0}" })
    await propertyCheck(count: 300, input: scalars.array(of: 0...40)) { drawn in
      var view = String.UnicodeScalarView()
      view.append(contentsOf: drawn)
      let text = String(view)
      let shown = TerminalText.visible(text)
      // What the test itself says a terminal must never receive (not `isControl`'s own list).
      #expect(
        !shown.unicodeScalars.contains { scalar in
          scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
            || "\u{AD}\u{61C}\u{180E}\u{200B}\u{200E}\u{2028}\u{2029}\u{202E}\u{2066}\u{3164}\u{FEFF}\u{E0020}"
              .unicodeScalars.contains(scalar)
        })
      // The zero-width joiner of emoji sequences stays as written.
      #expect(
        shown.unicodeScalars.filter { $0 == "\u{200D}" }.count == drawn.filter { $0 == "\u{200D}" }.count)
      #expect(Self.readingEscapes(shown, of: text) == text)
    }
  }

  /// `original` when `shown` is it with exactly its controls escaped, else a marker of the mismatch.
  ///
  /// A backslash the text itself held is not an escape: walking both together tells them apart.
  static func readingEscapes(_ shown: String, of original: String) -> String {
    let output = Array(shown.unicodeScalars)
    var position = 0
    for scalar in original.unicodeScalars {
      let expected =
        TerminalText.isControl(scalar)
        ? Array("\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars) : [scalar]
      guard output.count - position >= expected.count,
        Array(output[position..<position + expected.count]) == expected
      else { return "<lost>" }
      position += expected.count
    }
    return position == output.count ? original : "<extra>"
  }
}

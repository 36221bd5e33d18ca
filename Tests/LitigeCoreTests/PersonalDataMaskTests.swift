import Foundation
import PropertyBased
import Testing

@testable import LitigeCore

@Suite("Personal data masked in a plugin's text")
struct PersonalDataMaskTests {
  private let customer = Customer(
    id: "C-12", name: "Société Générale d'Électricité", kind: .company, email: "compta@sge.example",
    phone: "+33 1 23 45 67 89", address: "12 rue de la Paix, Paris")
  private let message = Communication(
    caseId: 7, at: Date(timeIntervalSince1970: 1_780_000_000), direction: .incoming, channel: .email,
    author: "Mme Lefèvre", summary: "La facture F-1 est fausse")

  private var mask: PersonalDataMask {
    PersonalDataMask(customer: customer, reason: "prix contesté par le client", communications: [message])
  }

  @Test("each personal value is replaced by its label; the rest of the text is kept")
  func labels() {
    let text =
      "init.lua:5: no mandate for Société Générale d'Électricité <compta@sge.example> (+33 1 23 45 67 89), "
      + "12 rue de la Paix, Paris; Mme Lefèvre wrote 'La facture F-1 est fausse' about prix contesté par le client"
    #expect(
      mask.masking(text)
        == "init.lua:5: no mandate for ‹customer name› <‹customer e-mail›> (‹customer phone›), "
        + "‹customer address›; ‹message author› wrote '‹message text›' about ‹case reason›")
    #expect(
      mask.masking("attempt to index a nil value (field 'x')") == "attempt to index a nil value (field 'x')")
  }

  @Test("a person's first name or surname alone, a phone's other forms and no-break spaces are masked")
  func usualOtherForms() {
    let person = PersonalDataMask(
      customer: Customer(id: "C-1", name: "Camille Lefèvre", kind: .person, phone: "+33 6 12 34 56 78"),
      reason: nil, communications: [])
    #expect(person.masking("Dear LEFÈVRE, Camille") == "Dear ‹customer name›, ‹customer name›")
    #expect(person.masking("Camille\u{A0}Lefèvre called") == "‹customer name› called")
    for phone in ["0612345678", "06 12 34 56 78", "+33612345678", "33612345678", "+33 6 12 34 56 78"] {
      #expect(person.masking("call \(phone) now") == "call ‹customer phone› now", "\(phone)")
    }
    // Numbers that are not it stay: an amount, an id, another phone.
    #expect(person.masking("612.34 EUR, case 345678, 0612345679") == "612.34 EUR, case 345678, 0612345679")
    // A company's words are no one's name: only the whole name is masked.
    let company = PersonalDataMask(
      customer: Customer(id: "C-2", name: "Transports Dupont", kind: .company), reason: nil,
      communications: [])
    #expect(
      company.masking("Transports late; Transports Dupont pays") == "Transports late; ‹customer name› pays")
    #expect(PersonalDataMask.phoneVariants("12 34") == [])
    #expect(PersonalDataMask.nameWords(of: "Mme Lefèvre") == ["Lefèvre"])
    // Short first names, compound surnames, apostrophes; message authors too.
    let compound = PersonalDataMask(
      customer: Customer(id: "C-3", name: "Léa Dupré-Ñúñez", kind: .person, phone: "06 12 34 56 78"),
      reason: nil,
      communications: [
        Communication(
          caseId: 1, at: Date(timeIntervalSince1970: 0), direction: .incoming, channel: .email,
          author: "Sean O’Brien", summary: "Bonjour")
      ])
    #expect(
      compound.masking("Léa, LÉA: Dupré and Ñúñez")
        == "‹customer name›, ‹customer name›: ‹customer name› and ‹customer name›")
    #expect(compound.masking("from Brien, O’Brien") == "from ‹message author›, ‹message author›")
    // A phone stored in national form is found in its international forms, and the other way round.
    for phone in [
      "+33612345678", "+33 6 12 34 56 78", "0033612345678", "33612345678", "06.12.34.56.78", "06-12-34-56-78",
      "+33 (0)6 12 34 56 78", "+33\u{A0}6\u{A0}12\u{A0}34\u{A0}56\u{A0}78",
      "06\u{2009}12\u{2009}34\u{2009}56\u{2009}78",
    ] {
      #expect(compound.masking("tel \(phone).") == "tel ‹customer phone›.", "\(phone)")
    }
    // Stored with its (0), or quoted dotted or hyphenated in international form.
    let bracketed = PersonalDataMask(
      customer: Customer(id: "C-5", name: "Ana Lima", kind: .person, phone: "+33 (0)6 12 34 56 78"),
      reason: nil, communications: [])
    for phone in [
      "06 12 34 56 78", "0612345678", "+33612345678", "+33.6.12.34.56.78", "+33-6-12-34-56-78",
      "0033.6.12.34.56.78",
      "+33 6.12.34.56.78", "+33(0)612345678", "+33 (0)6 12 34 56 78",
    ] {
      #expect(bracketed.masking("tel \(phone).") == "tel ‹customer phone›.", "\(phone)")
      #expect(compound.masking("tel \(phone).") == "tel ‹customer phone›.", "\(phone)")
    }
    // Name words are names only as words of their own that begin with a capital.
    let common = PersonalDataMask(
      customer: Customer(id: "C-4", name: "Jean Price", kind: .person), reason: nil, communications: [])
    #expect(
      common.masking("Jeanne et Petitjean; expected one of: price, double_billing; Price")
        == "Jeanne et Petitjean; expected one of: price, double_billing; ‹customer name›")
    #expect(PersonalDataMask.phoneVariants("0033 1 23 45 67 89").contains("01 23 45 67 89"))
  }

  @Test("capitals and small letters of a value of four characters or more are masked too")
  func caseVariants() {
    #expect(mask.masking("COMPTA@SGE.EXAMPLE") == "‹customer e-mail›")
    #expect(mask.masking("société générale d'électricité") == "‹customer name›")
    // Lua's string.upper changes ASCII letters only; a mix of cases is found as well.
    #expect(mask.masking("SOCIéTé GéNéRALE D'éLECTRICITé") == "‹customer name›")
    #expect(mask.masking("sOCIÉTÉ gÉNÉRALE d'Électricité!") == "‹customer name›!")
    // A two-letter name is masked only as written: "li" would otherwise mask every "list" and "line".
    let short = PersonalDataMask(
      customer: Customer(id: "C-1", name: "Li", kind: .person), reason: nil, communications: [])
    #expect(short.masking("Li: list line LI") == "‹customer name›: list line LI")
    // A short value beginning or ending with a letter is found as a word, not inside another; a
    // longer one anywhere, glued to other letters too.
    #expect(short.masking("List of Lin, by Li.") == "List of Lin, by ‹customer name›.")
    #expect(mask.masking("xMme Lefèvres") == "x‹message author›s")
    // One character masks nothing (it would cut every word).
    let single = PersonalDataMask(
      customer: Customer(id: "C-1", name: "X", kind: .person), reason: nil, communications: [])
    #expect(single.isEmpty)
  }

  @Test("accents typed as combining marks, line breaks and tabs in a value are matched")
  func composedForms() {
    let nfd = "Socie\u{301}te\u{301} Ge\u{301}ne\u{301}rale d'E\u{301}lectricite\u{301}"
    #expect(mask.masking("for \(nfd).") == "for ‹customer name›.")
    let message = PersonalDataMask(
      customer: nil, reason: nil,
      communications: [
        Communication(
          caseId: 7, at: Date(timeIntervalSince1970: 0), direction: .incoming, channel: .email, author: "Zoé",
          summary: "Bonjour,\nje conteste\tla facture")
      ])
    #expect(message.masking("last: BONJOUR,\nJE CONTESTE\tLA FACTURE!") == "last: ‹message text›!")
  }

  @Test("with a limit, reading stops once the result is that long, and a value begun before is masked whole")
  func limit() {
    let text =
      String(repeating: "x", count: 3_995) + "Société Générale d'Électricité"
      + String(repeating: "y", count: 50_000)
    let masked = mask.masking(text, limit: 4_000)
    #expect(masked == String(repeating: "x", count: 3_995) + "‹customer name›")
    #expect(mask.masking("short", limit: 4_000) == "short")
  }

  @Test("values added later are hidden too, and a long text is read in one pass")
  func adding() {
    var mask = PersonalDataMask()
    mask.add(
      customers: [Customer(id: "C-2", name: "Lycée Jean Moulin", kind: .company)], reasons: [],
      communications: (0..<3_000).map { index in
        Communication(
          caseId: 7, at: Date(timeIntervalSince1970: 1_780_000_000), direction: .incoming, channel: .email,
          author: "Client \(index)", summary: "Bonjour, message numéro \(index) au sujet de la facture")
      })
    let long = String(repeating: "Bonjour Lycée ", count: 2_000) + "LYCéE JEAN MOULIN"
    #expect(mask.masking(long).hasSuffix("Bonjour Lycée ‹customer name›"))
    #expect(mask.masking("Bonjour, message numéro 2999 au sujet de la facture") == "‹message text›")
  }

  @Test("among values that begin alike, the longest one that begins the text is found")
  func nestedValues() {
    let messages = ["abcd", "abcdef", "abcdefgh", "abcdeZ", "abce"].map {
      Communication(
        caseId: 7, at: Date(timeIntervalSince1970: 0), direction: .incoming, channel: .email, author: "x",
        summary: $0)
    }
    let nested = PersonalDataMask(customer: nil, reason: nil, communications: messages)
    #expect(nested.masking("abcdefgX") == "‹message text›gX")  // abcdef, not abcdefgh
    #expect(nested.masking("ABCDEFGH!") == "‹message text›!")
    #expect(nested.masking("abcdez") == "‹message text›")  // abcdeZ, any case
    #expect(nested.masking("abcX abc abceabcd") == "abcX abc ‹message text›‹message text›")
    #expect(nested.masking("ab") == "ab")
  }

  @Test("a label is never searched again, and the longest value wins")
  func noNestedLabels() {
    let odd = PersonalDataMask(
      customer: Customer(id: "C-1", name: "customer", kind: .person, email: "customer name@x.example"),
      reason: "name", communications: [])
    #expect(odd.masking("customer name@x.example / customer") == "‹customer e-mail› / ‹customer name›")
    #expect(PersonalDataMask().masking("anything") == "anything")
  }

  /// Names and e-mails drawn at random, put at random places in random text: never left in it.
  @Test("random names and e-mails quoted anywhere in a text are never left in it")
  func randomQuotes() async {
    let letter = Gen.oneOf(
      Gen.unicodeScalar(in: "a"..."z").map { Character($0) },
      Gen.unicodeScalar(in: "A"..."Z").map { Character($0) },
      Gen.element(of: Array("éèçÉ' -.")).map { $0 ?? "e" })
    let word = letter.string(of: 2...20)
    let filler = Gen.oneOf(letter, Gen.element(of: Array("0123456789:()<>[],;")).map { $0 ?? ":" })
      .string(of: 0...30)
    await propertyCheck(count: 300, input: word, word, filler.array(of: 3...3)) { name, local, fillers in
      let email = local.replacingOccurrences(of: " ", with: "") + "@example.org"
      let mask = PersonalDataMask(
        customer: Customer(id: "C-1", name: name, kind: .person, email: email), reason: nil,
        communications: [])
      let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
      // Lua's string.upper: ASCII letters only.
      let luaUpper = String(
        name.map { $0.isASCII && $0.isLowercase ? Character($0.uppercased()) : $0 })
      let text =
        fillers[0] + " " + name + " " + fillers[1] + " " + email.uppercased() + " " + fillers[2] + " "
        + luaUpper
      // The labels set apart (a two-letter name such as "me" is inside "‹customer name›").
      let masked = mask.masking(text).replacingOccurrences(of: "‹customer name›", with: "\u{1}")
        .replacingOccurrences(of: "‹customer e-mail›", with: "\u{1}")
      if trimmed.count >= 4 {
        #expect(!masked.contains(trimmed), "\(text) -> \(masked)")
        #expect(!masked.contains(luaUpper.trimmingCharacters(in: .whitespaces)), "\(text) -> \(masked)")
      } else if trimmed.count >= 2 {
        // A short name is masked as a word: where it was put, between spaces (the fillers may hold
        // it glued to other letters, left alone by design).
        #expect(!masked.contains(" \(trimmed) "), "\(text) -> \(masked)")
      }
      #expect(!masked.contains(email.uppercased()), "\(text) -> \(masked)")
    }
  }
}

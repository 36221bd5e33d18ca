import Foundation
import LitigeCore
import LitigeStore

/// The files `litige outbox export DIR` writes: e-mails as `.eml` (RFC 5322, UTF-8), letters as
/// print-ready HTML pages (A4, one page per letter, with the registered letter's number to fill in),
/// and `index.json` listing them for the mailer or the postal service's upload.
///
/// The HTML is built here with an escaping function rather than a template library: one fixed page,
/// every value escaped in one place (`html`), and the page checked by a test in headless Chromium.
public enum OutboxFiles {
  /// The subject of each template, by language.
  static let subjects: [String: [String: String]] = [
    "fr": [
      "acknowledgement": "Votre réclamation est bien enregistrée", "proposal": "Notre proposition",
      "formal_notice": "Mise en demeure", "penalty_claim": "Pénalités de retard",
      "payment_reminder": "Rappel d'échéance", "preventive_reminder": "Votre prochaine échéance",
      "promise_reminder": "Votre engagement de paiement", "satisfaction_survey": "Votre avis nous intéresse",
    ],
    "en": [
      "acknowledgement": "Your complaint is registered", "proposal": "Our proposal",
      "formal_notice": "Formal notice to pay", "penalty_claim": "Late-payment penalties",
      "payment_reminder": "Payment reminder", "preventive_reminder": "Your next due date",
      "promise_reminder": "Your payment promise", "satisfaction_survey": "Your opinion matters",
    ],
  ]

  /// The subject of `item`, in its customer's language, with the case's number.
  public static func subject(of item: OutboxItem) -> String {
    let language = item.language == "en" ? "en" : "fr"
    let table = subjects[language] ?? [:]
    var name = table[item.template]
    if name == nil, item.template.hasPrefix("progress_update") {
      name = language == "fr" ? "Où en est votre réclamation" : "News of your complaint"
    }
    let label = name ?? item.template.replacingOccurrences(of: "_", with: " ")
    let reference = item.caseReference ?? String(item.caseId)
    return language == "fr" ? "\(label) — dossier n° \(reference)" : "\(label) — case \(reference)"
  }

  /// `text` for a header: as is when ASCII, else RFC 2047 encoded words (UTF-8, base 64).
  static func headerText(_ text: String) -> String {
    if text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 }) { return text }
    // Encoded words of at most 45 bytes of UTF-8 each (75 characters once encoded), split between
    // characters.
    var words: [String] = []
    var chunk = ""
    for character in text {
      if chunk.utf8.count + String(character).utf8.count > 45 {
        words.append(chunk)
        chunk = ""
      }
      chunk.append(character)
    }
    if !chunk.isEmpty { words.append(chunk) }
    return words.map { "=?UTF-8?B?\(Data($0.utf8).base64EncodedString())?=" }.joined(separator: "\r\n ")
  }

  /// The RFC 5322 message of e-mail `item`, from `from` (`Name <address>`), dated `now`.
  public static func eml(_ item: OutboxItem, from: String, company: String, now: Date) -> Data {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
    formatter.timeZone = TimeZone(identifier: "UTC")
    let to = item.recipient ?? "undisclosed-recipients:;"
    // The display name: a quoted string when ASCII, else RFC 2047 encoded words (no quotes inside).
    let name =
      item.customerName.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 })
      ? "\""
        + item.customerName.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
          of: "\"", with: "\\\"") + "\""
      : headerText(item.customerName)
    var headers = [
      "From: \(from)",
      "To: \(item.recipient == nil ? to : "\(name) <\(to)>")",
      "Subject: \(headerText(subject(of: item)))",
      "Date: \(formatter.string(from: now))",
      "Message-ID: <litige-outbox-\(item.id)-\(item.eventId)@\(domain(of: from))>",
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=UTF-8",
      "Content-Transfer-Encoding: base64",
      "X-Litige-Outbox-Item: \(item.id)",
      "X-Litige-Case: \(item.caseReference ?? String(item.caseId))",
    ]
    headers.append("")
    // Base 64 in lines of 76: any text, any line length, safe through every mail relay.
    let body = (item.body ?? "").replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(
      of: "\n", with: "\r\n")
    let encoded = Data(body.utf8).base64EncodedString(options: [
      .lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed,
    ])
    _ = company
    return Data((headers.joined(separator: "\r\n") + "\r\n" + encoded + "\r\n").utf8)
  }

  static func domain(of address: String) -> String {
    guard let at = address.lastIndex(of: "@") else { return "litige.invalid" }
    let rest = address[address.index(after: at)...].prefix { $0 != ">" && $0 != " " }
    return rest.isEmpty ? "litige.invalid" : String(rest)
  }

  /// `text` escaped for HTML text and attribute values.
  public static func html(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for character in text {
      switch character {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      default: out.append(character)
      }
    }
    return out
  }

  /// The print-ready pages of `letters`: A4, one letter a page, the company's identity at the top,
  /// the recipient's window, the date in the letter's language, the registered letter's number to
  /// fill in (for registered letters), then the text as the journal keeps it.
  public static func letterPages(_ letters: [OutboxItem], profile: CompanyProfile, zone: TimeZone) -> String {
    var page = """
      <!DOCTYPE html>
      <html lang="fr"><head><meta charset="utf-8"><title>Courriers à envoyer</title>
      <style>
      @page { size: A4; margin: 20mm 20mm 20mm 25mm; }
      body { font-family: "DejaVu Serif", Georgia, serif; font-size: 11pt; color: #111; margin: 0; }
      .letter { page-break-after: always; break-after: page; min-height: 250mm; position: relative; }
      .letter:last-child { page-break-after: auto; break-after: auto; }
      .sender { font-size: 10pt; line-height: 1.35; }
      .recipient { margin: 18mm 0 0 90mm; width: 80mm; min-height: 30mm; line-height: 1.4; }
      .meta { margin-top: 12mm; font-size: 10pt; }
      .registered { margin-top: 4mm; border: 1px solid #555; padding: 2mm 3mm; width: 110mm; font-size: 10pt; }
      .body { margin-top: 12mm; white-space: pre-wrap; line-height: 1.45; }
      .ref { position: absolute; bottom: 0; font-size: 8pt; color: #555; }
      </style></head><body>

      """
    for item in letters {
      let language = item.language == "en" ? "en" : "fr"
      let day = LetterFormat.date(LocalDate(item.createdAt, in: zone), language: language)
      var identity = [profile.name, profile.legalForm].filter { !$0.isEmpty }.joined(separator: ", ")
      if !profile.siren.isEmpty { identity += " — SIREN \(profile.siren)" }
      let registered =
        item.channel == .registeredLetter
        ? "<div class=\"registered\">\(language == "fr" ? "Lettre recommandée avec accusé de réception n°" : "Registered letter with acknowledgement of receipt no.") ____________________</div>"
        : ""
      page += """
        <section class="letter" data-item="\(item.id)">
        <div class="sender"><strong>\(html(identity))</strong><br>\(html(profile.address).replacingOccurrences(of: "\n", with: "<br>"))</div>
        <div class="recipient">\(html(item.customerName))<br><span class="address">\(item.address.map { html($0).replacingOccurrences(of: "\n", with: "<br>") } ?? (language == "fr" ? "Adresse : à compléter" : "Address: to be completed"))</span></div>
        <div class="meta">\(language == "fr" ? "Le" : "On") \(html(day)) — \(html(subject(of: item)))</div>
        \(registered)
        <div class="body">\(html(item.body ?? ""))</div>
        <div class="ref">Litige · \(language == "fr" ? "courrier" : "letter") \(item.id) · \(language == "fr" ? "dossier" : "case") \(html(item.caseReference ?? String(item.caseId)))</div>
        </section>

        """
    }
    return page + "</body></html>\n"
  }
}

import Foundation
import Testing

@testable import ReconKit

/// Amounts are written as bytes (``ExactDecimal/appendText(to:)``, which `description` also
/// uses): for the ledger, the documents and the sums the margin summary keeps with its
/// closed rows (``MarginDetailCache``). The text must be the plain decimal text an amount
/// has always had, checked here against that text made another way: the magnitude's digits
/// as Swift prints them, padded to one whole digit, the point put in `scale` digits from the end.
@Suite("Amounts and margin rows written as bytes read as their text")
struct KeyTextTests {
    static func bytes(_ d: ExactDecimal) -> String {
        var out: [UInt8] = []
        d.appendText(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The reference text, made from `String` pieces, not from `appendText`.
    static func reference(_ d: ExactDecimal) -> String {
        let negative = d.mantissa < 0
        let digits = String(negative ? (0 - d.mantissa).magnitude : d.mantissa.magnitude)
        guard d.scale > 0 else { return (negative ? "-" : "") + digits }
        let padded = String(repeating: "0", count: max(0, d.scale + 1 - digits.count)) + digits
        let cut = padded.index(padded.endIndex, offsetBy: -d.scale)
        return (negative ? "-" : "") + padded[..<cut] + "." + padded[cut...]
    }

    @Test(arguments: [
        (Int128(0), 0, "0"), (0, 2, "0.00"), (5, 2, "0.05"), (-5, 2, "-0.05"), (50, 2, "0.50"), (1250, 2, "12.50"),
        (-1250, 2, "-12.50"), (601955, 3, "601.955"), (47278, 0, "47278"), (-47278, 0, "-47278"), (1, 6, "0.000001"),
        (123456789, 6, "123.456789"), (Int128(UInt64.max), 2, "184467440737095516.15"),
        (-Int128(UInt64.max), 4, "-1844674407370955.1615"),
        (Int128(UInt64.max) + 1, 2, "184467440737095516.16"), (-(Int128(UInt64.max) + 1), 0, "-18446744073709551616"),
        (Int128("100000000000000000000000000000000000")!, 36, "0.100000000000000000000000000000000000"),
    ] as [(Int128, Int, String)])
    func anAmountsBytesAreItsText(mantissa: Int128, scale: Int, text: String) {
        let d = ExactDecimal(mantissa: mantissa, scale: scale)
        #expect(d.description == text)
        #expect(Self.bytes(d) == text)
        #expect(Self.reference(d) == text)
    }

    /// Ten thousand amounts from a fixed-seed generator, every scale from 0 to 12, both signs,
    /// and magnitudes beyond 64 bits.
    @Test func manyAmountsBytesAreTheirText() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state
        }
        for _ in 0..<10_000 {
            var magnitude = Int128(next() >> (next() % 64))
            if next() % 8 == 0 { magnitude = magnitude << 40 | Int128(next() >> 24) }
            let mantissa = next() % 2 == 0 ? magnitude : -magnitude
            let d = ExactDecimal(mantissa: mantissa, scale: Int(next() % 13))
            #expect(Self.bytes(d) == Self.reference(d), "mantissa \(mantissa), scale \(d.scale)")
            #expect(d.description == Self.reference(d), "mantissa \(mantissa), scale \(d.scale)")
        }
    }

    /// A period's text is written as seven bytes in place, a document's path appended piece by
    /// piece: the texts they have always had, written here by hand.
    @Test(arguments: [
        (2026, 3, "2026-03"), (2026, 12, "2026-12"), (1, 1, "0001-01"), (999, 10, "0999-10"), (1000, 1, "1000-01"),
        (9999, 12, "9999-12"), (10000, 1, "10000-01"), (12345, 7, "12345-07"),
    ] as [(Int, Int, String)])
    func aPeriodsTextIsYearAndMonthPadded(year: Int, month: Int, text: String) {
        let period = Period(year: year, month: month)
        #expect(period.description == text)
        #expect("\(period)" == text)
        if year <= 9999 { #expect(Period(text) == period) }
    }

    @Test func aPeriodIsReadFromItsTextOnly() {
        for bad in ["2026-13", "2026-00", "0000-01", "2026-1", "2026/03", "20260-3", "2026-03 ", "", "abcd-ef"] {
            #expect(Period(bad) == nil, "\(bad)")
        }
        // A substring's text is read as well as a whole string's.
        let line = "period=2026-11"
        #expect(Period(String(line.dropFirst(7))) == Period(year: 2026, month: 11))
    }

    @Test func aDocumentsPathIsOutboxPeriodFolderNumber() throws {
        let october = try #require(Period("2026-10"))
        #expect(Site.documentPath(kind: .invoice, period: october, number: "INV-2026-000012")
            == "Outbox/2026-10/invoices/INV-2026-000012.xlsx")
        #expect(Site.documentPath(kind: .payout, period: october, number: "PAY-2026-000003")
            == "Outbox/2026-10/payouts/PAY-2026-000003.xlsx")
        #expect(Site.documentPath(kind: .creditNote, period: october, number: "CN-2026-000001")
            == "Outbox/2026-10/credit-notes/CN-2026-000001.xlsx")
    }
}

/// A private key given where a public key goes (`operator add NAME KEY`, `verify --public-key`)
/// is told as one, and never echoed: it said "the key hash \"KEY\" is not eight hex digits",
/// with the private key's text in the message and the log.
struct PrivateKeyGivenAsPublicTests {
    @Test func aPrivateKeyGivenAsAPublicKeyIsNamedAndNotEchoed() throws {
        let key = try SigningKey.generate(name: "asha")
        let text = key.privateKeyText
        #expect(text.hasPrefix("PRIVATE+KEY+"))
        #expect(throws: NoteKeyError.self) { try VerifierKey(text: text) }
        do { _ = try VerifierKey(text: text) } catch {
            #expect("\(error)".contains("this is a private key") && !"\(error)".contains(String(text.suffix(20))), "\(error)")
        }
        let site = try TestSite.marchSite()
        let lowered = "private+key+" + text.dropFirst("PRIVATE+KEY+".count), stripped = String(text.dropFirst("PRIVATE+KEY+".count))
        // The name kept before the key's base64 (which may itself hold a '+'): read as NAME+HASH+BASE64, its "hash" was echoed.
        let base64 = String(text.split(separator: "+", maxSplits: 4).last ?? "")
        let renamed = "asha+" + base64
        for args in [["operator", "add", "asha", text], ["verify", "--public-key", text], ["operator", "add", "asha", lowered],
                     ["verify", "--public-key", lowered], ["operator", "add", "asha", stripped], ["verify", "--public-key", stripped],
                     ["operator", "add", "asha", renamed], ["verify", "--public-key", renamed]] {
            let run = try site.recon(args, env: TestSite.closeDay)
            #expect(run.code == 1, "\(args.prefix(2)): \(run.err)")
            if args.last != stripped && args.last != renamed { #expect(run.err.contains("private key"), "\(run.err)") }
            let secret = base64
            for window in stride(from: 0, to: secret.count - 8, by: 4) {
                let piece = String(secret.dropFirst(window).prefix(8))
                #expect(!run.err.contains(piece) && !run.out.contains(piece), "the key was echoed: \(run.err)")
            }
        }
    }
}

import Testing
@testable import ReconKit

/// Tax split into components (SPEC §3): each rounded once on the subtotal; credits split
/// from their gross amount; the credit that zeroes an invoice takes each remainder.
struct TaxComponentTests {
    let inr = Fixture.inr
    func d(_ s: String) -> ExactDecimal { Fixture.d(s) }
    let cgstSgst = [TaxComponent(name: "CGST", rate: Fixture.d("9")), TaxComponent(name: "SGST", rate: Fixture.d("9"))]

    func line(_ amount: String) -> DocumentLine {
        DocumentLine(modality: "CT", urgency: .routine, per: "report", quantity: 1, unitAmount: d(amount), unitCurrency: inr,
                     amount: d(amount))
    }

    @Test func twoRoundedHalvesDifferFromOneRoundedWhole() throws {
        // Subtotal 0.25 INR. CGST 9 %: 0.25 × 9 / 100 = 0.0225 → 0.02; SGST the same → 0.02; tax 0.04.
        // IGST 18 % on the same subtotal: 0.25 × 18 / 100 = 0.045 → 0.05 (half away from zero).
        let split = try DocumentDraft(kind: .invoice, partyId: "C1", partyName: "H", currency: inr, taxRate: d("18"),
                                      lines: [line("0.25")], reportCount: 1, components: cgstSgst)
        #expect(split.taxes.map(\.amount) == [d("0.02"), d("0.02")])
        #expect(split.tax == d("0.04") && split.total == d("0.29"))
        let whole = try DocumentDraft(kind: .invoice, partyId: "C1", partyName: "H", currency: inr, taxRate: d("18"),
                                      lines: [line("0.25")], reportCount: 1,
                                      components: [TaxComponent(name: "IGST", rate: d("18"))])
        #expect(whole.taxes == [TaxAmount(name: "IGST", rate: d("18"), amount: d("0.05"))])
        #expect(whole.tax == d("0.05") && whole.total == d("0.30"))
    }

    @Test func withoutComponentsOneComponentNamedTax() throws {
        // 1,000.00 at 18 %: tax 180.00 as one component `Tax`.
        let draft = try DocumentDraft(kind: .invoice, partyId: "C1", partyName: "H", currency: inr, taxRate: d("18"),
                                      lines: [line("1000.00")], reportCount: 1)
        #expect(draft.taxes == [TaxAmount(name: "Tax", rate: d("18"), amount: d("180.00"))])
        // A payout statement carries no tax: tax 0.00, no components.
        let payout = try DocumentDraft(kind: .payout, partyId: "D1", partyName: "Dr", currency: inr, taxRate: .zero,
                                       lines: [line("70.00")], reportCount: 1)
        #expect(payout.taxes.isEmpty && payout.tax.description == "0.00" && payout.total == d("70.00"))
    }

    func record(_ draft: DocumentDraft, _ number: String) -> DocumentRecord {
        DocumentRecord(draft: draft, number: number, period: Period(year: 2026, month: 3), site: "s", issuedUnderSeq: 1,
                       issuedUnderHash: "h", checkpoint: nil)
    }

    @Test func partialCreditsSplitTheirTaxAndTheZeroingCreditTakesTheRemainders() throws {
        // Invoice: subtotal 1,000.00, CGST 9 % 90.00, SGST 9 % 90.00, total 1,180.00.
        let invoice = record(try DocumentDraft(kind: .invoice, partyId: "C1", partyName: "H", currency: inr, taxRate: d("18"),
                                               lines: [line("1000.00")], reportCount: 1, components: cgstSgst), "INV-2026-000001")
        #expect(invoice.total == d("1180.00"))
        // Credit of 100.00 gross: each component 100 × 9 / 118 = 7.627… → 7.63; tax 15.26; subtotal 84.74.
        let first = try Outstanding.creditDraft(kind: .creditNote, record: invoice, total: d("100.00"))
        #expect(first.taxes.map(\.amount) == [d("7.63"), d("7.63")])
        #expect(first.tax == d("15.26") && first.subtotal == d("84.74") && first.total == d("100.00"))
        #expect(first.lines.count == 1 && first.lines[0].per == "credit" && first.lines[0].amount == d("84.74"))
        // The credit of the remaining 1,080.00 zeroes the invoice: each component 90.00 − 7.63 = 82.37
        // (split afresh it would be 1080 × 9 / 118 = 82.372… → 82.37 too, so check the sums):
        // tax 164.74, subtotal 1,080.00 − 164.74 = 915.26; 84.74 + 915.26 = 1,000.00 = the invoice's subtotal.
        let firstRecord = record(first, "CN-2026-000001")
        let zero = try Outstanding.creditDraft(kind: .creditNote, record: invoice, total: d("1080.00"),
                                               zeroing: [invoice, firstRecord])
        #expect(zero.taxes.map(\.amount) == [d("82.37"), d("82.37")])
        #expect(zero.tax == d("164.74") && zero.subtotal == d("915.26"))
    }

    @Test func theZeroingCreditTakesTheRemainderWhereAFreshSplitWouldNot() throws {
        // Invoice: subtotal 0.25, IGST 18 % 0.045 → 0.05, total 0.30.
        let igst = record(try DocumentDraft(kind: .invoice, partyId: "C1", partyName: "H", currency: inr, taxRate: d("18"),
                                            lines: [line("0.25")], reportCount: 1,
                                            components: [TaxComponent(name: "IGST", rate: d("18"))]), "INV-2026-000002")
        #expect(igst.total == d("0.30") && igst.tax == d("0.05"))
        // Credit 0.15: 0.15 × 18 / 118 = 0.0228… → 0.02; subtotal 0.13.
        let part = try Outstanding.creditDraft(kind: .creditNote, record: igst, total: d("0.15"))
        #expect(part.tax == d("0.02") && part.subtotal == d("0.13"))
        // The other 0.15 zeroes it. Split afresh it would be 0.02 again (subtotals 0.13 + 0.13 = 0.26 ≠ 0.25);
        // the remainder is 0.05 − 0.02 = 0.03, subtotal 0.15 − 0.03 = 0.12, and 0.13 + 0.12 = 0.25.
        let rest = try Outstanding.creditDraft(kind: .creditNote, record: igst, total: d("0.15"),
                                               zeroing: [igst, record(part, "CN-2026-000002")])
        #expect(rest.taxes == [TaxAmount(name: "IGST", rate: d("18"), amount: d("0.03"))])
        #expect(rest.tax == d("0.03") && rest.subtotal == d("0.12"))
    }

    /// Many small credits on a small invoice: rounded alone, each gives back too little tax
    /// and too much subtotal, and the credit that zeroes the invoice would be left with a
    /// negative subtotal (SPEC §6: amounts on a credit note are positive). Invoice: subtotal
    /// 0.10, Tax 18 % 0.018 → 0.02, total 0.12.
    @Test func smallCreditsNeverGiveBackMoreThanIsLeftSoTheZeroingOneIsNotNegative() throws {
        let invoice = record(try DocumentDraft(kind: .invoice, partyId: "C1", partyName: "H", currency: inr, taxRate: d("18"),
                                               lines: [line("0.10")], reportCount: 1), "INV-2026-000001")
        #expect(invoice.subtotal == d("0.10") && invoice.tax == d("0.02") && invoice.total == d("0.12"))
        var documents = [invoice]
        func credit(_ total: String, zeroing: Bool = false) throws -> DocumentDraft {
            let draft = try Outstanding.creditDraft(kind: .creditNote, record: invoice, total: d(total),
                                                    zeroing: zeroing ? documents : nil, before: documents)
            documents.append(record(draft, "CN-2026-00000\(documents.count)"))
            return draft
        }
        // 0.03 × 18 / 118 = 0.00457… → 0.00: tax 0.00, subtotal 0.03, three times (0.09 of the subtotal's 0.10 given back).
        for _ in 0..<3 {
            let c = try credit("0.03")
            #expect(c.tax == d("0.00") && c.subtotal == d("0.03"))
        }
        // 0.02 × 18 / 118 = 0.00305… → 0.00 would give back subtotal 0.02 of the 0.01 left: 0.01 moves to the tax.
        let fourth = try credit("0.02")
        #expect(fourth.taxes.map(\.amount) == [d("0.01")] && fourth.subtotal == d("0.01"))
        // The last 0.01 zeroes the invoice: the tax's remainder 0.02 − 0.01 = 0.01, subtotal 0.00 — not −0.01.
        let last = try credit("0.01", zeroing: true)
        #expect(last.taxes.map(\.amount) == [d("0.01")] && last.subtotal == d("0.00") && last.lines[0].amount == d("0.00"))
        // Together the credits give back exactly the invoice: 0.10 of subtotal, 0.02 of tax.
        let credited = documents.dropFirst()
        #expect(credited.map(\.subtotal).reduce(d("0.00")) { try! $0 + $1 } == d("0.10"))
        #expect(credited.map(\.tax).reduce(d("0.00")) { try! $0 + $1 } == d("0.02"))
    }

    @Test(arguments: [
        ("CGST:9;SGST:9", "18", true), ("IGST:18", "18", true), ("VAT:5", "5", true), ("CGST:9; SGST : 9", "18", true),
        ("CGST:9;SGST:8", "18", false), ("IGST:18", "5", false), ("ABCDEFGHIJKLMNOPQ:5", "5", false),
        ("CGST-X:5", "5", false), ("CGST:9;CGST:9", "18", false), ("CGST", "18", false), ("CGST:nine", "9", false),
        // SPEC §2 says letters, of any script: Impôt, ÜST, ضريبة.
        ("Impôt:9;ÜST:9", "18", true), ("ضريبة:5", "5", true), ("Impôt€:5", "5", false), ("Tax\u{7}:5", "5", false),
        ("GST:9;GST\u{FE0F}:9", "18", false), ("G\u{200D}ST:5", "5", false), ("Impo\u{302}t:5", "5", true),
    ])
    func componentsParse(text: String, rate: String, ok: Bool) {
        let parsed = try? TaxComponent.parse(Substring(text), taxRate: d(rate))
        #expect((parsed != nil) == ok, "\(text) at \(rate)")
    }
}

import Testing
@testable import ReconKit

/// Payment application and ageing on a client's account (SPEC §5), every amount by hand.
struct ReceivablesTests {
    let inr = Fixture.inr
    func d(_ s: String) -> ExactDecimal { Fixture.d(s) }
    func date(_ s: String) -> LocalDate { Fixture.date(s) }

    func invoice(_ seq: Int, _ number: String, issued: String, due: String, _ total: String) -> IssuedDocument {
        IssuedDocument(seq: seq, at: issued + "T12:00:00Z", kind: .invoice, number: number, period: date(issued).period.previous,
                       partyId: "C1", currency: inr, subtotal: d(total), tax: d("0.00"), total: d(total), file: "", sha256: "",
                       refersTo: nil, dueOn: date(due))
    }

    func credit(_ seq: Int, _ number: String, issued: String, for invoice: String, _ total: String) -> IssuedDocument {
        IssuedDocument(seq: seq, at: issued + "T12:00:00Z", kind: .creditNote, number: number, period: date(issued).period.previous,
                       partyId: "C1", currency: inr, subtotal: d(total), tax: d("0.00"), total: d(total), file: "", sha256: "",
                       refersTo: invoice)
    }

    func payment(_ id: String, _ on: String, _ amount: String, invoice: String? = nil) -> Payment {
        Payment(id: id, clientId: "C1", receivedOn: date(on), amount: d(amount), currency: inr, invoice: invoice)
    }

    func account(_ docs: [IssuedDocument], _ pays: [Payment], asOf: String) throws -> Receivables.Account {
        let r = try Receivables(clientId: "C1", documents: docs, payments: pays, asOf: date(asOf)) { LocalDate(Substring($0.at.prefix(10)))! }
        return try #require(r.accounts.first)
    }

    var docs: [IssuedDocument] {
        [
            // Issued 2026-01-31 + 30 days: due 2026-03-02 (February has 28 days in 2026).
            invoice(1, "INV-2026-000001", issued: "2026-01-31", due: "2026-03-02", "1000.00"),
            invoice(2, "INV-2026-000002", issued: "2026-02-28", due: "2026-03-30", "500.00"),
            invoice(3, "INV-2026-000003", issued: "2026-03-31", due: "2026-04-30", "300.00"),
        ]
    }

    @Test func aPaymentGoesToTheInvoiceItNamesThenToTheOldestDue() throws {
        // 600.00 naming INV-2: 500.00 settles it, 100.00 goes to INV-1 (oldest due) → INV-1 owes 900.00.
        let a = try account(docs, [payment("P1", "2026-04-05", "600.00", invoice: "INV-2026-000002")], asOf: "2026-04-05")
        #expect(a.open.map(\.number) == ["INV-2026-000001", "INV-2026-000003"])
        #expect(a.open.map(\.amount) == [d("900.00"), d("300.00")])
        // Total due = 1,800.00 − 600.00 = 1,200.00; nothing unapplied.
        #expect(a.totalDue == d("1200.00") && a.unapplied.isZero)
        // As of 2026-04-05: INV-1 due 2026-03-02 is 34 days past due (29 in March + 5) → 31–60;
        // INV-3 due 2026-04-30 is current.
        #expect(a.buckets == [d("300.00"), d("0.00"), d("900.00"), d("0.00"), d("0.00")])
    }

    @Test func withoutANamedInvoiceTheOldestDueIsPaidFirstAndTheRestIsUnappliedCredit() throws {
        // 1,200.00 with no invoice named: INV-1 1,000.00, then INV-2 200.00 of 500.00.
        let a = try account(docs, [payment("P1", "2026-04-01", "1200.00")], asOf: "2026-04-01")
        #expect(a.open.map(\.amount) == [d("300.00"), d("300.00")])
        // Then 900.00 more: INV-2's 300.00, INV-3's 300.00, and 300.00 left over.
        let b = try account(docs, [payment("P1", "2026-04-01", "1200.00"), payment("P2", "2026-04-02", "900.00")],
                            asOf: "2026-04-02")
        #expect(b.open.isEmpty && b.unapplied == d("300.00"))
        // Total due = 1,800.00 − 2,100.00 = −300.00: the client is in credit; nothing is outstanding.
        #expect(b.totalDue == d("-300.00") && b.buckets.allSatisfy(\.isZero))
        // The statement runs in date order: three invoices, then the two payments, with a running balance.
        #expect(b.entries.map(\.balance) == [d("1000.00"), d("1500.00"), d("1800.00"), d("600.00"), d("-300.00")])
    }

    /// Same day, the documents run in the order they were issued: a rerun's credit note for
    /// INV-1 (seq 4), then the invoice replacing it (seq 5), then a payment. Listed invoices
    /// first, the running balance read 1,800 + 700 = 2,500.00 before the credit, a balance the
    /// account never had.
    @Test func sameDayDocumentsRunInTheOrderTheyWereIssued() throws {
        let rerun = docs + [credit(4, "CN-2026-000001", issued: "2026-04-10", for: "INV-2026-000001", "1000.00"),
                            invoice(5, "INV-2026-000004", issued: "2026-04-10", due: "2026-05-10", "700.00")]
        let a = try account(rerun, [payment("P1", "2026-04-10", "100.00")], asOf: "2026-04-10")
        #expect(a.entries.map(\.reference) == ["INV-2026-000001", "INV-2026-000002", "INV-2026-000003", "CN-2026-000001",
                                                "INV-2026-000004", "P1"])
        // 1,800.00 − 1,000.00 = 800.00, + 700.00 = 1,500.00, − 100.00 = 1,400.00.
        #expect(a.entries.map(\.balance) == [d("1000.00"), d("1500.00"), d("1800.00"), d("800.00"), d("1500.00"), d("1400.00")])
    }

    @Test func creditNotesSettleTheirOwnInvoice() throws {
        // CN of 400.00 for INV-2 leaves it 100.00; a payment of 1,050.00 (no invoice named) pays INV-1 1,000.00
        // and 50.00 of INV-2 (due 2026-03-30, before INV-3's 2026-04-30).
        let withCredit = docs + [credit(4, "CN-2026-000001", issued: "2026-04-01", for: "INV-2026-000002", "400.00")]
        let a = try account(withCredit, [payment("P1", "2026-04-02", "1050.00")], asOf: "2026-05-31")
        #expect(a.open.map(\.number) == ["INV-2026-000002", "INV-2026-000003"])
        #expect(a.open.map(\.amount) == [d("50.00"), d("300.00")])
        // As of 2026-05-31: INV-2 due 2026-03-30 is 62 days past due (1 + 30 + 31) → 61–90;
        // INV-3 due 2026-04-30 is 31 days past due → 31–60. Total due 1,800 − 400 − 1,050 = 350.00.
        #expect(a.buckets == [d("0.00"), d("0.00"), d("300.00"), d("50.00"), d("0.00")])
        #expect(a.totalDue == d("350.00"))
    }

    @Test func documentsAndPaymentsAfterTheStatementDateAreLeftOut() throws {
        // As of 2026-03-15 only INV-1 and INV-2 exist; INV-1 is 13 days past due (due 03-02) → 1–30.
        let a = try account(docs, [payment("P1", "2026-04-01", "100.00")], asOf: "2026-03-15")
        #expect(a.totalDue == d("1500.00"))
        #expect(a.buckets == [d("500.00"), d("1000.00"), d("0.00"), d("0.00"), d("0.00")])
    }

    @Test(arguments: [(0, 0), (-5, 0), (1, 1), (30, 1), (31, 2), (60, 2), (61, 3), (90, 3), (91, 4), (400, 4)])
    func ageBuckets(days: Int, bucket: Int) {
        #expect(Receivables.bucket(daysPastDue: days) == bucket)
    }

    @Test func anInvoiceIsDueItsPaymentTermsAfterItsIssueDateInSiteTime() throws {
        // Issued 2026-01-31 with 30 days' terms: 2026-03-02; with 0 days: the issue date; across a year end,
        // 2026-12-15 + 45 days = 2027-01-29.
        var state = SiteState(name: "s", base: inr, zone: SiteTimeZone(identifier: "Asia/Kolkata")!, publicKey: "")
        var client = Fixture.client("C1", tax: "18")
        state.pricing.clients["C1"] = client
        let config = SiteConfig(site: "s", baseCurrency: "INR", timezone: "Asia/Kolkata")
        let draft = try DocumentDraft(kind: .invoice, partyId: "C1", partyName: "H", currency: inr, taxRate: d("18"), lines: [],
                                      reportCount: 0)
        func due(issued: String, terms: Int) -> LocalDate? {
            client.paymentTermsDays = terms
            state.pricing.clients["C1"] = client
            var r = DocumentRecord(draft: draft, number: "INV-2026-000001", period: Period(year: 2026, month: 1), site: "s",
                                   issuedUnderSeq: 1, issuedUnderHash: "h", checkpoint: nil)
            r.addDetails(issuedOn: date(issued), state: state, config: config)
            return r.dueOn
        }
        #expect(due(issued: "2026-01-31", terms: 30) == date("2026-03-02"))
        #expect(due(issued: "2026-01-31", terms: 0) == date("2026-01-31"))
        #expect(due(issued: "2026-12-15", terms: 45) == date("2027-01-29"))
    }
}

import Foundation
import Testing
@testable import ReconKit

/// The optional billing columns and the `payments` kind (SPEC §2).
@Suite("Drops — billing details and payments (SPEC §2)")
struct BillingDetailsDropTests {
    let parser = DropParser(zone: SiteTimeZone(identifier: "UTC")!, baseCurrency: Currency(code: "INR")!)

    func parse(_ text: String, _ kind: DropKind) -> DropParser.Outcome {
        Array(text.utf8).withUnsafeBytes { parser.parse($0, kind: kind) }
    }

    let clientsHeader = "client_id,name,currency,contract_type,onboarded_on,max_images_per_case,tax_rate,billing_address,tax_id,po_number,payment_terms_days,email,tax_components\n"

    @Test func clientsCarryAddressTaxIdTermsAndComponents() throws {
        let o = parse(clientsHeader
            + "C1,Lotus,INR,std,2020-01-01,5,18,12 MG Road | Bengaluru 560001 | India,29AAACL1234F1Z5,PO-77,45,ap@lotus.in,CGST:9;SGST:9\n"
            + "C2,Gulf,KWD,std,2020-01-01,5,,,,,,,\n", .clients)
        #expect(o.problems.isEmpty, "\(o.problems.reportLines)")
        guard case .clients(let rows)? = o.rows else { Issue.record("no rows"); return }
        #expect(rows[0].billingAddress == ["12 MG Road", "Bengaluru 560001", "India"])
        #expect(rows[0].taxId == "29AAACL1234F1Z5" && rows[0].poNumber == "PO-77" && rows[0].email == "ap@lotus.in")
        #expect(rows[0].paymentTermsDays == 45)
        #expect(rows[0].taxComponents.map(\.name) == ["CGST", "SGST"])
        // Empty cells mean the defaults: 30 days, one component `Tax` at the (zero) tax rate.
        #expect(rows[1].paymentTermsDays == 30 && rows[1].billingAddress.isEmpty)
        #expect(rows[1].effectiveTaxComponents == [TaxComponent(name: "Tax", rate: .zero)])
    }

    /// Lines are separated by ` | ` (SPEC §2); a bare `|` inside a line is part of it.
    @Test func anAddressSplitsOnlyAtSpacedBars() throws {
        let o = parse(clientsHeader + "C1,Lotus,INR,std,2020-01-01,5,18,Unit 3|4 Elm St | Springfield |  | 12345,,,,,\n", .clients)
        guard case .clients(let rows)? = o.rows else { Issue.record("no rows: \(o.problems.reportLines)"); return }
        #expect(rows[0].billingAddress == ["Unit 3|4 Elm St", "Springfield", "12345"])
    }

    @Test(arguments: [
        (",,,400,,", "payment_terms_days"), (",,,,,CGST:9;SGST:8", "tax_components"), (",,,-1,,", "payment_terms_days"),
        (String(repeating: "x", count: 301) + ",,,,,", "billing_address"),
    ])
    func badBillingColumnsAreRejectedWithTheirColumn(cells: String, column: String) {
        let o = parse(clientsHeader + "C1,Lotus,INR,std,2020-01-01,5,18," + cells + "\n", .clients)
        let lines = o.problems.reportLines
        #expect(lines.count == 1 && lines[0].contains("(\(column))"), "\(lines)")
    }

    @Test func radiologistsCarryPayeeDetails() throws {
        let o = parse("radiologist_id,name,grade,seniority_years,currency,address,tax_id,bank_details\n"
            + "D1,Dr Rao,consultant,10,INR,4 Lake View | Pune,ABCPR1234K,SBI IFSC SBIN0000001 acct 123\n", .radiologists)
        guard case .radiologists(let rows)? = o.rows else { Issue.record("\(o.problems.reportLines)"); return }
        #expect(rows[0].address == ["4 Lake View", "Pune"] && rows[0].taxId == "ABCPR1234K")
        #expect(rows[0].bankDetails == "SBI IFSC SBIN0000001 acct 123")
    }

    /// A site knowing C1 (INR) with one invoice issued to it, and payment P0 recorded.
    func state() -> SiteState {
        var s = SiteState(name: "s", base: Fixture.inr, zone: SiteTimeZone(identifier: "UTC")!, publicKey: "")
        s.pricing.clients["C1"] = Fixture.client("C1")
        s.pricing.clients["C2"] = Fixture.client("C2")
        s.issued.append(IssuedDocument(seq: 9, at: "2026-04-01T00:00:00Z", kind: .invoice, number: "INV-2026-000001",
                                       period: Period(year: 2026, month: 3), partyId: "C1", currency: Fixture.inr,
                                       subtotal: Fixture.d("100.00"), tax: Fixture.d("0.00"), total: Fixture.d("100.00"),
                                       file: "", sha256: "", refersTo: nil))
        s.payments.append(Payment(id: "P0", clientId: "C1", receivedOn: Fixture.date("2026-04-01"), amount: Fixture.d("1.00"),
                                  currency: Fixture.inr))
        return s
    }

    let paymentsHeader = "payment_id,client_id,received_on,amount,currency,reference,invoice\n"

    @Test func aGoodPaymentsDropIsAccepted() throws {
        let o = parse(paymentsHeader + "P1,C1,2026-04-10,60.00,INR,UTR 123,INV-2026-000001\nP2,C1,2026-04-11,40,INR,,\n", .payments)
        #expect(o.problems.isEmpty, "\(o.problems.reportLines)")
        let rows = try #require(o.rows)
        guard case .accept = try DropValidator(state: state(), columns: o.columns).check(rows) else {
            Issue.record("rejected or held"); return
        }
    }

    @Test(arguments: [
        ("P0,C1,2026-04-10,1.00,INR,,", "payment_id"),             // recorded before
        ("P1,C9,2026-04-10,1.00,INR,,", "client_id"),              // unknown client
        ("P1,C1,2026-04-10,1.00,USD,,", "currency"),               // not the invoice currency
        ("P1,C1,2026-04-10,1.00,INR,,INV-2026-000009", "invoice"), // not issued
        ("P1,C2,2026-04-10,1.00,INR,,INV-2026-000001", "invoice"), // another client's invoice
        ("P1,C1,2026-04-10,0,INR,,", "amount"),                    // not > 0
        ("P1,C1,2026-04-10,1.001,INR,,", "amount"),                // finer than paise
    ])
    func badPaymentsAreRejectedWithTheirColumn(row: String, column: String) throws {
        let o = parse(paymentsHeader + row + "\n", .payments)
        var lines = o.problems.reportLines
        if lines.isEmpty, let rows = o.rows, case .reject(let p) = try DropValidator(state: state(), columns: o.columns).check(rows) {
            lines = p.reportLines
        }
        #expect(lines.count == 1 && lines[0].contains("(\(column))"), "\(lines)")
    }

    /// P0 was recorded as 1.00 INR from C1 on 2026-04-01. Sent again as it was, beside a new
    /// payment (an export of the month to date), it is skipped and counted, as a usage repeat is,
    /// and the new one taken: the whole file was rejected for it, the new payment unrecorded. Sent
    /// with another amount (a file taken half written recorded `1` for `1.50`), it says what was
    /// recorded and that no drop changes it.
    @Test func aPaymentRecordedBeforeIsSkippedWhenTheSameAndRefusedWhenNot() throws {
        let o = parse(paymentsHeader + "P0,C1,2026-04-01,1,INR,,\nP5,C1,2026-04-12,20.00,INR,,\n", .payments)
        guard case .accept(.payments(let taken), let skipped) = try DropValidator(state: state(), columns: o.columns).check(try #require(o.rows)) else {
            Issue.record("a repeated payment with the same values was not skipped"); return
        }
        #expect(taken.map(\.id) == ["P5"] && skipped == 1, "\(taken) \(skipped)")
        let other = try check("P0,C1,2026-04-01,1.50,INR,,\n", in: state())
        #expect(other.count == 1 && other[0].contains("payment P0 was recorded before as 1.00 INR from C1 received on 2026-04-01, "
            + "not as 1.50 INR from C1 received on 2026-04-01; a payment_id is unique forever and a recorded payment is never "
            + "changed: record more received as a payment of its own"), "\(other)")
        // The same money with the invoice it pays filled in (a bank's next export): not "more
        // received" nor "recorded too high" — the payment stands, and its line comes out of the file.
        let named = try check("P0,C1,2026-04-01,1.00,INR,,INV-2026-000001\n", in: state())
        #expect(named.count == 1 && named[0].contains("it stands as recorded — take its line out of this file and drop the rest again "
            + "(a payment recorded naming no invoice is set against the invoices falling due first; it cannot be pointed at "
            + "INV-2026-000001 now)") && !named[0].contains("recorded too high"), "\(named)")
        // Another date as well is another cheque of the same amount: never told to leave it out.
        let other2 = try check("P0,C1,2026-04-09,1.00,INR,CHQ 22,INV-2026-000001\n", in: state())
        #expect(other2.count == 1 && other2[0].contains("record more received as a payment of its own") && !other2[0].contains("stands"),
                "\(other2)")
    }

    /// An amount written with more zeros than its currency's digits (`100.500000` INR, `5.0`
    /// JPY) is that amount, held at the currency's digits: statements printed `-100.500000`.
    @Test func aPaymentIsHeldAtItsCurrencysDigits() throws {
        let o = parse(paymentsHeader + "P1,C1,2026-04-10,100.500000,INR,,\nP2,C1,2026-04-11,7,INR,,\n", .payments)
        guard case .payments(let rows)? = o.rows else { Issue.record("\(o.problems.reportLines)"); return }
        #expect(rows.map(\.amount.description) == ["100.50", "7.00"])
    }

    /// An amount finer than its currency allows hid the row's other problems (an unknown
    /// client, a currency not the client's): every problem of a row is listed at once.
    @Test func anAmountWithTooManyDecimalsHidesNoOtherProblemOfItsRow() throws {
        let lines = try check("P1,NOPE,2026-04-01,1.001,USD,,\nP3,C1,2026-04-01,1.001,USD,,\n", in: state())
        #expect(lines.contains { $0.contains("line 2, column 4 (amount): 1.001 has more decimals than USD allows (2)") }, "\(lines)")
        #expect(lines.contains { $0.contains("line 2, column 2 (client_id)") && $0.contains("NOPE") }, "\(lines)")
        #expect(lines.contains { $0.contains("line 3, column 4 (amount)") }, "\(lines)")
        #expect(lines.contains { $0.contains("line 3, column 5 (currency): USD is not C1's invoice currency INR") }, "\(lines)")
    }

    /// C1 invoiced in INR (INV-2026-000001), now invoiced in USD: its INR balance stays open.
    func stateAfterCurrencyChange() -> SiteState {
        var s = state()
        s.pricing.clients["C1"] = Fixture.client("C1", Fixture.usd)
        return s
    }

    func check(_ rows: String, in state: SiteState) throws -> [String] {
        let o = parse(paymentsHeader + rows, .payments)
        if !o.problems.isEmpty { return o.problems.reportLines }
        let parsed = try #require(o.rows)
        if case .reject(let p) = try DropValidator(state: state, columns: o.columns).check(parsed) { return p.reportLines }
        return []
    }

    /// Balances are per currency (SPEC §5): an invoice issued before the client's currency
    /// changed can still be paid, in its own currency, named or not.
    @Test func anInvoiceFromBeforeACurrencyChangeCanBePaidInItsCurrency() throws {
        let lines = try check("P1,C1,2026-04-10,60.00,INR,,INV-2026-000001\nP2,C1,2026-04-11,40.00,INR,,\n"
                              + "P3,C1,2026-04-12,5.00,USD,,\n", in: stateAfterCurrencyChange())
        #expect(lines.isEmpty, "\(lines)")
    }

    /// A payment in one currency naming an invoice in another cannot go to it: rejected,
    /// naming the invoice's currency, not accepted and quietly kept apart as credit.
    @Test func aPaymentInAnotherCurrencyThanTheInvoiceItNamesIsRejected() throws {
        let lines = try check("P1,C1,2026-04-10,60.00,USD,,INV-2026-000001\n", in: stateAfterCurrencyChange())
        #expect(lines.count == 1 && lines[0].contains("(currency)") && lines[0].contains("INV-2026-000001 is in INR"), "\(lines)")
        let never = try check("P1,C1,2026-04-10,60.00,EUR,,\n", in: stateAfterCurrencyChange())
        #expect(never.count == 1 && never[0].contains("(currency)") && never[0].contains("record the amount received in USD"), "\(never)")
    }

    @Test func aPaymentIdTwiceInOneDropIsRejected() throws {
        let o = parse(paymentsHeader + "P1,C1,2026-04-10,1.00,INR,,\nP1,C1,2026-04-11,2.00,INR,,\n", .payments)
        let rows = try #require(o.rows)
        guard case .reject(let p) = try DropValidator(state: state(), columns: o.columns).check(rows) else {
            Issue.record("accepted"); return
        }
        #expect(p.reportLines.first?.contains("line 3") == true, "\(p.reportLines)")
    }
}

import Foundation
import Testing

@testable import ReconKit

/// A rerun that takes a payee's month to zero issues an adjustment alone: "set off against what
/// is next paid to the payee, or repaid". What is next paid is the next close's statement, which
/// printed its total and the bank and nothing of the set-off: payroll, paying it as printed, left
/// the payee holding what it was told to repay. The close's statement sets it off (layout 16).
///
/// By hand (every report pays 50.00 INR): March pays D1 R1–R3, 150.00 (PAY-2026-000001).
/// Excluded by a rerun, PAYADJ-2026-000001 takes back 150.00, which D1 owes. April pays D1 one
/// report, 50.00: set off whole, nothing to transfer, 100.00 still owed. May pays D1 three
/// reports, 150.00: 100.00 set off, 50.00 to transfer, nothing owed after. D2 owes nothing: its
/// statements say nothing of a set-off.
@Suite("A close's payout statement sets off what earlier adjustments took back", .serialized)
struct PayoutSetOffTests {
    static let may = ["RECON_NOW": "2026-05-02T09:00:00Z"]
    static let june = ["RECON_NOW": "2026-06-02T09:00:00Z"]

    static func texts(_ site: TestSite, _ body: [String: Any]) throws -> [String] {
        try PrintedSheet(site.path(try #require(body["file"] as? String))).cells.values.compactMap(\.text)
    }

    static func payout(_ site: TestSite, of payee: String, for period: String) throws -> [String: Any] {
        try #require(try site.bodies("payout.issued").last { $0["radiologist_id"] as? String == payee && $0["period"] as? String == period })
    }

    @Test func theNextClosesStatementsSetOffWhatAnAdjustmentTookBack() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        try site.drop("decisions-2026-03.csv", "subject,decision,by\nR1,exclude,Asha\nR2,exclude,Asha\nR3,exclude,Asha\n")
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 3)
        let key = try site.operatorKey("asha", listed: true)
        let rerun = try site.recon(["rerun", "2026-03", "--reason", "three reports read twice", "--key", key], env: TestSite.rerunDay)
        #expect(rerun.code == 0, "\(rerun.err)")
        let adjustment = try #require(try site.bodies("payout_adjustment.issued").first)
        #expect(adjustment["number"] as? String == "PAYADJ-2026-000001" && adjustment["radiologist_id"] as? String == "D1"
                && adjustment["total"] as? String == "150.00", "\(adjustment)")

        try site.drop("usage-2026-04.csv", TestSite.april)
        #expect(try site.recon(["ingest"], env: TestSite.aprilLater).code == 0)
        let april = try site.recon(["close", "2026-04"], env: Self.may)
        #expect(april.code == 0, "\(april.err)")
        let d1April = try Self.payout(site, of: "D1", for: "2026-04")
        #expect(d1April["total"] as? String == "50.00" && d1April["set_off"] as? String == "50.00"
                && d1April["set_off_left"] as? String == "100.00" && d1April["set_off_for"] as? [String] == ["PAYADJ-2026-000001"],
                "\(d1April)")
        let d1AprilTexts = try Self.texts(site, d1April)
        #expect(d1AprilTexts.contains("Nothing to transfer: 50.00 INR of what PAYADJ-2026-000001 took back, which the "
            + "payee owes, is set off against this statement's total, 50.00 INR; 100.00 INR of it is still to be set off against what is "
            + "next paid to the payee, or repaid. If the payee has repaid any of it, set off only what is still owed."), "\(d1AprilTexts)")
        // Said in its head too, where a reader looks first (its payment lines may print on a later page).
        #expect(d1AprilTexts.contains("With 50.00 INR set off for what earlier payout adjustments took back, nothing is left to "
            + "transfer for this statement (see Payment)."), "\(d1AprilTexts)")
        // The grade and seniority that set its rates, in the payee's block (layout 16).
        #expect(d1AprilTexts.contains("Grade: consultant, 10 years of seniority"), "\(d1AprilTexts)")
        let d2April = try Self.payout(site, of: "D2", for: "2026-04")
        let d2Texts = try Self.texts(site, d2April)
        #expect(d2April["set_off"] == nil && !d2Texts.contains { $0.contains("set off") })

        try site.drop("usage-2026-05.csv", """
            report_id,reported_at,client_id,radiologist_id,modality,image_count
            R11,2026-05-03T10:00:00Z,C1,D1,CT,1
            R12,2026-05-04T10:00:00Z,C1,D1,CT,1
            R13,2026-05-05T10:00:00Z,C1,D1,CT,1
            """)
        #expect(try site.recon(["ingest"], env: Self.may).code == 0)
        #expect(try site.recon(["close", "2026-05"], env: Self.june).code == 0)
        let d1May = try Self.payout(site, of: "D1", for: "2026-05")
        #expect(d1May["total"] as? String == "150.00" && d1May["set_off"] as? String == "100.00" && d1May["set_off_left"] == nil, "\(d1May)")
        let d1MayTexts = try Self.texts(site, d1May)
        #expect(d1MayTexts.contains("Transfer 50.00 INR: this statement's total, 150.00 INR, less 100.00 INR set off for "
            + "what PAYADJ-2026-000001 took back, which the payee owes. If the payee has repaid any of it, set off only what is still owed."))
        #expect(d1MayTexts.contains("With 100.00 INR set off for what earlier payout adjustments took back, 50.00 INR is left to "
            + "transfer for this statement (see Payment)."), "\(d1MayTexts)")
        site.expectAuditorAccepts()
        // Each statement is the workbook its entry regenerates, byte for byte.
        let verify = try site.recon(["verify"])
        #expect(verify.code == 0, "\(verify.out)")
    }

    /// A payee moved to another currency after an adjustment left it owing: no statement in the
    /// old currency comes to set it off, and the close said nothing of it — the debt was never
    /// named again. By hand: March's rerun takes back D1's 150.00 INR (PAYADJ-2026-000001); D1 is
    /// paid in USD from April (1 USD = 80 INR): its April statement, 50.00 INR = 0.63 USD, sets
    /// off nothing in USD, and the close names the 150.00 INR still owed.
    @Test func aCloseNamesWhatAPayeeMovedToAnotherCurrencyStillOwes() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        try site.drop("decisions-2026-03.csv", "subject,decision,by\nR1,exclude,Asha\nR2,exclude,Asha\nR3,exclude,Asha\n")
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 3)
        let key = try site.operatorKey("asha", listed: true)
        #expect(try site.recon(["rerun", "2026-03", "--reason", "three reports read twice", "--key", key], env: TestSite.rerunDay).code == 0)
        try site.drop("radiologists-usd.csv", "radiologist_id,name,grade,seniority_years,currency\nD1,Dr Rao,consultant,10,USD\n")
        try site.drop("fx_rates.csv", "date,currency,rate\n2026-04-01,USD,80\n")
        try site.drop("usage-2026-04.csv", TestSite.april)
        #expect(try site.recon(["ingest"], env: TestSite.aprilLater).code == 0)
        let april = try site.recon(["close", "2026-04"], env: Self.may)
        #expect(april.code == 0, "\(april.err)")
        let d1April = try Self.payout(site, of: "D1", for: "2026-04")
        #expect(d1April["currency"] as? String == "USD" && d1April["total"] as? String == "0.63" && d1April["set_off"] == nil, "\(d1April)")
        #expect(april.err.contains("D1 still owes back 150.00 INR that PAYADJ-2026-000001 took back, and is now paid in USD "
            + "(its 2026-04 statement): no statement in INR comes to set it off — ask the payee to repay it"), "\(april.err)")
        // D2 owes nothing, and is not named.
        #expect(!april.err.contains("D2 still owes back"), "\(april.err)")
        site.expectAuditorAccepts()
    }

    /// A rerun on the terms the month closed under prices a payee at the grade it had then: its
    /// new statement printed today's grade (a rate row it was not priced by). By hand: D1 was a
    /// consultant of 10 years at March's close; made a lead of 11 since; March rerun (R1 excluded).
    @Test func aRerunsStatementNamesTheGradeItWasPricedAt() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        try site.drop("radiologists-promoted.csv", "radiologist_id,name,grade,seniority_years,currency\nD1,Dr Rao,lead,11,INR\n")
        try site.drop("decisions-2026-03.csv", "subject,decision,by\nR1,exclude,Asha\n")
        #expect(try site.recon(["ingest"], env: TestSite.rerunDay).code == 3)
        let key = try site.operatorKey("asha", listed: true)
        #expect(try site.recon(["rerun", "2026-03", "--reason", "R1 read twice", "--key", key], env: TestSite.rerunDay).code == 0)
        let statement = try Self.payout(site, of: "D1", for: "2026-03")
        #expect(statement["number"] as? String == "PAY-2026-000003" && statement["replaces"] as? [String] == ["PAY-2026-000001"],
                "\(statement)")  // the rerun's, not the close's
        let texts = try Self.texts(site, statement)
        #expect(texts.contains("Grade: consultant, 10 years of seniority") && !texts.contains { $0.contains("lead") }, "\(texts)")
    }

    /// The reckoning alone: a rerun's new statement that paid less than the payee held leaves the
    /// rest owed (R2 of the audit: 240.00 sent, taken back, 60.00 billed anew: 180.00 owed).
    @Test func whatAPayeeOwesBackFollowsEachDocumentAsIssued() throws {
        func money(_ text: String) -> ExactDecimal { ExactDecimal(recorded: Substring(text))! }
        func doc(_ seq: Int, _ kind: DocumentKind, _ number: String, _ total: String, paidBefore: String? = nil,
                 setOff: String? = nil) -> IssuedDocument {
            var d = IssuedDocument(seq: seq, at: "2026-02-01T00:00:00Z", kind: kind, number: number, period: Period("2026-01")!,
                                   partyId: "R2", currency: Currency(code: "INR")!, subtotal: money(total), tax: money("0.00"),
                                   total: money(total), file: "", sha256: "")
            d.paidBefore = paidBefore.map(money)
            d.setOff = setOff.map(money)
            return d
        }
        func netted(_ d: IssuedDocument, in statement: String) -> IssuedDocument { var d = d; d.nettedIn = statement; return d }
        let inr = Currency(code: "INR")!
        var issued = [doc(1, .payout, "PAY-2026-000002", "240.00"), doc(2, .payoutAdjustment, "PAYADJ-2026-000002", "240.00"),
                      doc(3, .payout, "PAY-2026-000003", "60.00", paidBefore: "240.00")]
        let owed = try #require(PayeeSetOff.owed(by: "R2", in: inr, issued: issued))
        #expect(owed.amount == money("180.00") && owed.adjustments == ["PAYADJ-2026-000002"])
        issued.append(doc(4, .payout, "PAY-2026-000005", "60.00", setOff: "60.00"))
        #expect(PayeeSetOff.owed(by: "R2", in: inr, issued: issued)?.amount == money("120.00"))
        issued.append(doc(5, .payout, "PAY-2026-000006", "500.00", setOff: "120.00"))
        #expect(PayeeSetOff.owed(by: "R2", in: inr, issued: issued) == nil)
        // A month lowered, then another raised (the audit's January and February): the raise's
        // adjustment, netted by its own statement, is no debt and is not named.
        let lowerThenRaise = [doc(1, .payout, "PAY-2026-000001", "100.00"), doc(2, .payout, "PAY-2026-000002", "100.00"),
                              netted(doc(3, .payoutAdjustment, "PAYADJ-2026-000001", "100.00"), in: "PAY-2026-000003"),
                              doc(4, .payout, "PAY-2026-000003", "40.00", paidBefore: "100.00"),
                              netted(doc(5, .payoutAdjustment, "PAYADJ-2026-000002", "100.00"), in: "PAY-2026-000004"),
                              doc(6, .payout, "PAY-2026-000004", "130.00", paidBefore: "100.00")]
        let lowered = try #require(PayeeSetOff.owed(by: "R2", in: inr, issued: lowerThenRaise))
        #expect(lowered.amount == money("60.00") && lowered.adjustments == ["PAYADJ-2026-000001"], "\(lowered)")
        // Held in INR, set off by a USD statement at the period's rate (200.00 INR = 2.40 USD): owed
        // in neither currency; then a USD adjustment alone takes back 2.50 USD, owed in USD.
        let usd = Currency(code: "USD")!
        func inUSD(_ d: IssuedDocument) -> IssuedDocument { var d = d; d.currency = usd; return d }
        var moved = doc(3, .payout, "PAY-2026-000002", "5.00")
        moved.currency = usd
        moved.heldElsewhere = [HeldElsewhere(held: Money(money("200.00"), inr), converted: money("2.40"), quote: nil)]
        var history = [doc(1, .payout, "PAY-2026-000001", "200.00"), doc(2, .payoutAdjustment, "PAYADJ-2026-000001", "200.00"), moved]
        #expect(PayeeSetOff.owed(by: "R2", in: inr, issued: history) == nil)
        #expect(PayeeSetOff.owed(by: "R2", in: usd, issued: history) == nil)
        history.append(inUSD(doc(4, .payoutAdjustment, "PAYADJ-2026-000002", "2.50")))
        #expect(PayeeSetOff.owed(by: "R2", in: usd, issued: history)?.amount == money("2.50"))
        // Raised by a rerun instead: the new statement asks for more, nothing is owed back.
        let raised = [doc(1, .payout, "PAY-2026-000001", "180.00"), doc(2, .payoutAdjustment, "PAYADJ-2026-000001", "180.00"),
                      doc(3, .payout, "PAY-2026-000003", "300.00", paidBefore: "180.00")]
        #expect(PayeeSetOff.owed(by: "R2", in: inr, issued: raised) == nil)
    }
}

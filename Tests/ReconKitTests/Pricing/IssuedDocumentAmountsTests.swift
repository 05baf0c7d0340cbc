import Foundation
import Testing

@testable import ReconKit

/// A writer adds up the amounts of every document entry, except those of a vouched ledger
/// prefix (the close that vouches for it checked those very bytes before it appended): the
/// entries after the prefix, and every entry's number and place, are checked as ever.
struct IssuedDocumentAmountsTests {
    /// site.init, an invoice whose total is not its subtotal plus its tax (seq 2), and the
    /// close that lists it (seq 3); `number` is the invoice's.
    func ledger(number: String = "INV-2026-000001") -> [LedgerEntry] {
        let at = "2026-04-02T09:00:00Z"
        let initial = LedgerEntry(seq: 1, at: "2026-03-01T09:00:00Z", kind: "site.init",
                                  body: ["site": .string("acme"), "timezone": .string("UTC")], prev: LedgerEntry.zeroHash)
        let invoice = LedgerEntry(seq: 2, at: at, kind: "invoice.issued", body: [
            "number": .string(number), "period": .string("2026-03"), "client_id": .string("C1"), "currency": .string("INR"),
            "subtotal": .string("300.00"), "tax": .string("54.00"), "total": .string("999.00"), "taxes": .array([]),
            "file": .string("Outbox/2026-03/invoices/\(number).xlsx"),
        ], prev: initial.hash)
        let close = LedgerEntry(seq: 3, at: at, kind: "period.closed",
                                body: ["period": .string("2026-03"), "documents": .array([.string(number)])], prev: invoice.hash)
        return [initial, invoice, close]
    }

    @Test func anEntryAfterThePrefixHasItsAmountsAddedUp() throws {
        for before in [0, 1] {
            let error = #expect(throws: LedgerDamage.self) { try IssuedDocumentEntries.check(ledger(), amountsCheckedBefore: before) }
            #expect(error?.description.contains("seq 2") == true && error?.description.contains("not its subtotal plus its tax") == true,
                    "\(String(describing: error))")
        }
    }

    @Test func anEntryOfThePrefixIsNotAddedUpAgain() throws {
        try IssuedDocumentEntries.check(ledger(), amountsCheckedBefore: 2)
    }

    @Test func anEntryOfThePrefixStillHasItsNumberChecked() throws {
        let error = #expect(throws: LedgerDamage.self) {
            try IssuedDocumentEntries.check(ledger(number: "INV-2026-000002"), amountsCheckedBefore: 2)
        }
        #expect(error?.description.contains("the next INV number of 2026") == true, "\(String(describing: error))")
    }
}

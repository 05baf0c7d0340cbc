import Testing

@testable import ReconKit

/// Which decision settles a hard flag (SPEC §4), as the state applies the ledger: an approve
/// given before the flag was raised does not, while its month is open; an exclude does; and
/// a month an earlier release closed over such an approve is read as it closed.
struct HardDecisionTests {
    static let period = Period("2026-03")!
    static let flag = AuditFlag(id: HardGate.flagId(reportId: "A1"), severity: .hard, code: HardGate.code, subject: "A1",
                                period: period, reason: "4 images in one case; the contract of C1 allows 3", score: "1")

    /// A state given a decision on A1 at seq 7, then A1's hard flag at seq 9, then (if asked) the close.
    static func state(_ decision: DecisionKind, closed: Bool) -> SiteState {
        var s = SiteState(name: "s", base: Currency(code: "INR")!, zone: SiteTimeZone(identifier: "UTC")!, publicKey: "")
        s.apply(.flagDecided(.init(id: flag.id, decision: decision, by: "Clerk", note: "", subject: "A1", period: period,
                                   reportId: "A1")), seq: 7, at: "2026-03-20T10:00:00Z")
        s.apply(.flagRaised(.init(flag)), seq: 9, at: "2026-03-21T10:00:00Z")
        if closed {
            s.apply(.periodClosed(.init(period: period, documents: [], stats: .array([]), margins: .array([]))), seq: 10,
                    at: "2026-04-01T10:00:00Z")
        }
        return s
    }

    @Test func anApproveBeforeTheFlagSettlesItOnlyInAClosedMonth() {
        #expect(Self.state(.approve, closed: false).hardDecision(flagId: Self.flag.id, report: "A1", period: Self.period) == nil)
        #expect(Self.state(.approve, closed: true).hardDecision(flagId: Self.flag.id, report: "A1", period: Self.period)?.seq == 7)
    }

    @Test func anExcludeBeforeTheFlagSettlesIt() {
        #expect(Self.state(.exclude, closed: false).hardDecision(flagId: Self.flag.id, report: "A1", period: Self.period)?.decision == .exclude)
    }
}

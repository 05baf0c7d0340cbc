import Foundation
import ReconKit

/// One thing that happens at the demo site, at its moment in history (UTC).
struct DemoEvent {
    enum Action {
        /// `recon init`.
        case initialise
        /// Finance staff put these drops into the Inbox, then `recon ingest` runs.
        case ingest([DemoDrop])
        /// Finance reads the review of a period and drops its decisions on the open hard flags.
        case decide(Period)
        /// `recon close`.
        case close(Period)
        /// `recon rerun PERIOD --reason TEXT --key FILE` by the demo's operator.
        case rerun(Period, reason: String)
        /// `recon credit` on a client's invoice of a period, by the demo's operator.
        case credit(clientId: String, period: Period, amount: String, reason: String)
        /// `recon statement CLIENT_ID`.
        case statement(clientId: String)
        /// Clients pay a closed period's invoices: a `payments` drop, then `recon ingest`.
        case payments(Period)
    }

    var at: Date
    var action: Action

    /// `day` at `hour`:`minute` UTC.
    static func utc(_ day: LocalDate, _ hour: Int, _ minute: Int = 0) -> Date {
        Date(timeIntervalSince1970: TimeInterval(Int(day.dayNumber) * 86_400 + hour * 3600 + minute * 60))
    }

    /// Day `d` of month `m` of year `y`.
    static func date(_ y: Int, _ m: Int, _ d: Int) -> LocalDate {
        LocalDate(dayNumber: Period(year: y, month: m).firstDay.dayNumber + Int32(d - 1))
    }

    /// The day a period closes: the day after it ends (SPEC §1), the 1st of the next month.
    static func closeDay(_ p: Period) -> LocalDate { p.next.firstDay }

    /// The year at the demo site, in order.
    static var timeline: [DemoEvent] {
        let first = DemoData.firstPeriod.firstDay
        var events: [DemoEvent] = [
            DemoEvent(at: utc(first, 8), action: .initialise),
            DemoEvent(at: utc(first, 9), action: .ingest([
                .clients(young: false), .radiologists, .providerCard(.y2025), .clientCard(.y2025), .fx(DemoData.firstPeriod),
            ])),
            // The yearly price revision arrives in December, dated 2026-01-01.
            DemoEvent(at: utc(date(2025, 12, 15), 11), action: .ingest([.clientCard(.y2026)])),
            // The price agreed with one client at the end of January replaces the 2026-01-01 card,
            // the morning January closes.
            DemoEvent(at: utc(date(2026, 2, 1), 6), action: .ingest([.clientCard(.y2026Agreed)])),
            // A walk-in clinic's export with an impossible date and an unknown client: rejected.
            DemoEvent(at: utc(date(2026, 3, 20), 7), action: .ingest([.rejectedUsage])),
            DemoEvent(at: utc(date(2026, 3, 20), 7, 30), action: .ingest([.providerCard(.y2026)])),
            // A new client signs up at the end of July.
            DemoEvent(at: utc(date(2026, 7, 27), 10), action: .ingest([.clients(young: true)])),
            // Reports of late September turn up after the close: held, then a rerun issues a
            // credit note and a new invoice (and payout adjustments and new statements).
            DemoEvent(at: utc(date(2026, 10, 9), 6), action: .ingest([.lateUsage])),
            DemoEvent(at: utc(date(2026, 10, 12), 10), action: .rerun(Period(year: 2026, month: 9),
                reason: "12 Lakeside reports of 28–30 September found on the client's backup PACS")),
            // A goodwill credit on an October invoice, and one client's account statement.
            DemoEvent(at: utc(date(2026, 11, 10), 11), action: .credit(
                clientId: "C-BAYVIEW-US", period: Period(year: 2026, month: 10), amount: "50.00",
                reason: "goodwill: reports delivered late during the October PACS outage")),
            DemoEvent(at: utc(date(2026, 11, 21), 5, 45), action: .statement(clientId: DemoData.lateClientId)),
        ]
        for p in DemoData.periods {
            events.append(DemoEvent(at: utc(date(p.year, p.month, 16), 10), action: .ingest([.usage(p, 1...15)])))
            if p == DemoData.current {
                let last = DemoData.currentThroughDay
                events.append(DemoEvent(at: utc(date(p.year, p.month, last + 1), 5, 30), action: .ingest([.usage(p, 16...last)])))
                continue
            }
            let day = closeDay(p)
            events.append(DemoEvent(at: utc(day, 7), action: .ingest([.usage(p, 16...p.lastDay.components.day), .fx(p.next)])))
            events.append(DemoEvent(at: utc(day, 8, 30), action: .decide(p)))
            events.append(DemoEvent(at: utc(day, 9), action: .close(p)))
            // Most clients pay within about four weeks of the close; what is not paid by the
            // demo's last day (October's invoices) is still open, and one of them overdue.
            let paid = LocalDate(dayNumber: day.dayNumber + 26)
            if paid <= LocalDate(year: DemoData.current.year, month: DemoData.current.month, day: DemoData.currentThroughDay)! {
                events.append(DemoEvent(at: utc(paid, 11), action: .payments(p)))
            }
        }
        events.append(DemoEvent(at: utc(date(2026, 11, 21), 5, 50), action: .statement(clientId: DemoClient.overdueId)))
        return events.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
    }
}

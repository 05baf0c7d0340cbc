import Foundation

/// Prices one period: invoice lines per client, payout lines per radiologist, margins, and
/// every `UNPRICED` / `FX_MISSING` problem (SPEC §3).
///
/// Work is aggregated per (party, line key) before any money is computed, so a million
/// reports cost a million cheap lookups and only a few thousand exact multiplications.
public struct PeriodPricer {
    public let context: PricingContext

    public init(context: PricingContext) { self.context = context }

    /// Where a report's payout came from: a row of the card of a given date.
    private struct RowRef: Hashable { var card: LocalDate; var index: Int }
    private struct InvoiceKey: Hashable { var modality: String; var urgency: Urgency; var price: ExactDecimal; var currency: String }
    private struct PayoutKey: Hashable { var modality: String; var urgency: Urgency; var row: RowRef }
    private struct Tally {
        var reports = 0
        var images = 0
        mutating func add(images n: Int32) {
            reports += 1
            images += Int(n)
        }
        mutating func merge(_ other: Tally) {
            reports += other.reports
            images += other.images
        }
    }
    private struct ProblemKey: Hashable { var code: PricingProblem.Code; var side: String; var party: String; var detail: String }
    /// Problems grouped by party and cause, with a count and the first report seen as example.
    private struct ProblemTally {
        var counts: [ProblemKey: (count: Int, example: String)] = [:]
        mutating func add(_ key: ProblemKey, count: Int, example: String) {
            let old = counts[key]
            counts[key] = ((old?.count ?? 0) + count, old?.example ?? example)
        }
    }

    /// Prices `reports` (all of the period's reports) leaving out the `excluded` report ids.
    public func price(period: Period, reports: [Report], excluded: Set<String>, fxDate: LocalDate) -> PeriodBook {
        price(period: period, all: reports, indices: reports.indices.map { Int32($0) }, excluded: excluded, fxDate: fxDate)
    }

    /// Small dense numbers for the cards in force in a run, so memo tables are arrays.
    private struct CardSlots {
        var dates: [LocalDate] = []
        mutating func slot(_ date: LocalDate) -> Int {
            if let i = dates.firstIndex(of: date) { return i }
            dates.append(date)
            return dates.count - 1
        }
    }
    /// A client's resolved price schedule and what it was resolved for.
    private struct ScheduleUse {
        var schedule: PriceSchedule
        var card: LocalDate
        var modality: Int32
        var urgency: Urgency
        /// Where its tiers' bounds and counts lie in the client's flat arrays (``TierCounts``).
        var tiers: Range<Int>
        /// Whether it prices by volume (the month's count) rather than by position.
        var byVolume: Bool
    }

    /// A client's schedules' tiers as plain integers, one after another: the bounds a report's
    /// volume or position is looked up in, and the reports counted in each. Looked up in the
    /// schedules' own rows, each tier tested was a copy of its rate row, retained and released,
    /// a million times a month.
    private struct TierCounts {
        var from: [Int] = []
        var to: [Int] = []
        var counts: [Int] = []
        /// Of `counts`, the reports whose payout is not known: an invoice line whose currency
        /// cannot be converted leaves them out of the margin once, not twice.
        var unpaid: [Int] = []

        /// Adds a schedule's tiers (a tier holds `tier_from` through `tier_to`, no end when it has
        /// none); returns where they lie.
        mutating func add(_ schedule: PriceSchedule) -> Range<Int> {
            let first = from.count
            for tier in schedule.tiers {
                from.append(tier.tierFrom)
                to.append(tier.tierTo ?? Int.max)
                counts.append(0)
                unpaid.append(0)
            }
            return first..<from.count
        }

        /// Counts a report in the first of `tiers` containing `x`; returns that tier, or nil
        /// when none does.
        mutating func count(_ x: Int, in tiers: Range<Int>) -> Int? {
            var k = tiers.lowerBound
            while k < tiers.upperBound {
                if x >= from[k] && x <= to[k] {
                    counts[k] += 1
                    return k
                }
                k += 1
            }
            return nil
        }
    }

    /// Prices the reports at `indices` of `all` (a site's whole history, not copied).
    public func price(period: Period, all reports: [Report], indices: [Int32], excluded: Set<String>,
                      fxDate: LocalDate) -> PeriodBook {
        var book = PeriodBook(period: period, fxDate: fxDate)
        let all = ClientGathering(indices, of: reports, excluded: excluded)
        book.excludedReports = all.excludedIndices.count
        book.excludedIndices = all.excludedIndices
        let modalities = all.modalities, radiologists = all.radiologists
        var byClient: [String: Range<Int>] = [:]
        for (c, id) in all.clients.enumerated() { byClient[id] = all.clientRanges[c] }
        for (d, id) in radiologists.enumerated() { book.radiologistCounts[id] = all.radiologistCounts[d] }
        let rads = radiologists.map { context.radiologists[$0] }
        // Clients are independent: two groups are priced on two cores and merged in order.
        let clientIds = byClient.keys.sorted()
        let half = clientIds.count / 2
        let groups = clientIds.count >= 8 ? [Array(clientIds[..<half]), Array(clientIds[half...])] : [clientIds]
        var parts = [ClientsPart?](repeating: nil, count: groups.count)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: groups.count) { g in
            let part = priceClients(groups[g], byClient: byClient, items: all.items, reports: reports, modalities: modalities,
                                    radiologists: radiologists, rads: rads, period: period, fxDate: fxDate)
            lock.lock()
            parts[g] = part
            lock.unlock()
        }
        var problems = ProblemTally()
        func problem(_ code: PricingProblem.Code, _ side: String, _ party: String, _ detail: String, _ example: String, reports: Int = 1) {
            problems.add(ProblemKey(code: code, side: side, party: party, detail: detail), count: reports, example: example)
        }

        var payoutTallies: [String: [PayoutKey: Tally]] = [:]
        for part in parts.compactMap({ $0 }) {
            book.invoices += part.book.invoices
            book.margins += part.book.margins
            book.marginGaps += part.book.marginGaps
            book.billableReports += part.book.billableReports
            book.overContractIndices += part.book.overContractIndices
            for (id, counts) in part.book.clientCounts { book.clientCounts[id] = counts }
            for (key, v) in part.problems.counts { problems.add(key, count: v.count, example: v.example) }
            for (rad, tallies) in part.payoutTallies {
                for (key, t) in tallies { payoutTallies[rad, default: [:]][key, default: Tally()].merge(t) }
            }
        }

        // Payout statements.
        for radId in payoutTallies.keys.sorted() {
            guard let rad = context.radiologists[radId] else { continue }
            var lines: [DocumentLine] = []
            var cardOfLine: [LocalDate] = []
            var reportCount = 0
            for (key, t) in payoutTallies[radId]!.sorted(by: { payoutOrder($0.key, $1.key) }) {
                let row = context.providerCards.cards[key.row.card]![key.row.index]
                reportCount += t.reports
                defer { cardOfLine += Array(repeating: key.row.card, count: lines.count - cardOfLine.count) }
                do {
                    let perReport = try context.fx.convert(try row.ratePerReport * t.reports, from: row.currency,
                                                           to: rad.currency, on: fxDate)
                    lines.append(DocumentLine(modality: key.modality, urgency: key.urgency, per: "report",
                                              quantity: t.reports, unitAmount: row.ratePerReport, unitCurrency: row.currency,
                                              amount: perReport,
                                              description: LineDescription.payout(modality: key.modality, urgency: key.urgency, per: "report")))
                    if !row.ratePerImage.isZero {
                        let perImage = try context.fx.convert(try row.ratePerImage * t.images, from: row.currency,
                                                              to: rad.currency, on: fxDate)
                        lines.append(DocumentLine(modality: key.modality, urgency: key.urgency, per: "image",
                                                  quantity: t.images, unitAmount: row.ratePerImage,
                                                  unitCurrency: row.currency, amount: perImage,
                                                  description: LineDescription.payout(modality: key.modality, urgency: key.urgency, per: "image")))
                    }
                } catch let m as FXTable.Missing {
                    problem(.fxMissing, "radiologist", radId, fxMessage(m, from: row.currency, to: rad.currency), "", reports: t.reports)
                } catch {
                    problem(.overflow, "radiologist", radId, "\(key.modality) line: \(error)", "", reports: 0)
                }
            }
            lines = LineDescription.namingCards(lines, cards: cardOfLine)
            do {
                var draft = try DocumentDraft(kind: .payout, partyId: rad.id, partyName: rad.name, currency: rad.currency,
                                              taxRate: .zero, lines: lines, reportCount: reportCount)
                draft.fx = quotes(lines, to: rad.currency, on: fxDate)
                book.payouts.append(draft)
            } catch {
                // Totals too large to hold are a problem that blocks the close, never a missing document.
                problem(.overflow, "radiologist", radId, "totals: \(error)", "", reports: 0)
            }
        }

        book.problems = problems.counts.sorted { ($0.key.code.rawValue, $0.key.party, $0.key.detail) < ($1.key.code.rawValue, $1.key.party, $1.key.detail) }
            .map { key, v in
                // A line's problem (FX_MISSING) has its reports' count and no one report to show.
                let count = v.example.isEmpty ? (v.count == 0 ? "" : v.count == 1 ? " (1 report)" : " (\(v.count) reports)")
                    : v.count > 1 ? " (\(v.count) reports, e.g. \(v.example))" : " (report \(v.example))"
                return PricingProblem(code: key.code, side: key.side == "client" ? .invoice : .payout, subject: key.party,
                                      message: "\(key.side) \(key.party): \(key.detail)\(count)")
            }
        return book
    }

    /// What pricing a group of clients yields: its invoices and margins, the payout tallies
    /// of the radiologists who read its reports, and its problems.
    private struct ClientsPart {
        var book: PeriodBook
        var payoutTallies: [String: [PayoutKey: Tally]]
        var problems: ProblemTally
    }

    private func priceClients(_ clientIds: [String], byClient: [String: Range<Int>], items: [PricedItem], reports: [Report], modalities: [String],
                              radiologists: [String], rads: [Radiologist?], period: Period, fxDate: LocalDate) -> ClientsPart {
        var book = PeriodBook(period: period, fxDate: fxDate)
        var problems = ProblemTally()
        func problem(_ code: PricingProblem.Code, _ side: String, _ party: String, _ detail: String, _ example: String, reports: Int = 1) {
            problems.add(ProblemKey(code: code, side: side, party: party, detail: detail), count: reports, example: example)
        }

        var payoutTallies: [String: [PayoutKey: Tally]] = [:]
        var providerCardMemo: (first: Int32, last: Int32, card: LocalDate?) = (1, 0, nil)
        var clientCardMemo: (first: Int32, last: Int32, card: LocalDate?) = (1, 0, nil)
        // The hot loop hashes nothing: every memo is an array indexed by small numbers.
        // A (radiologist, modality, urgency) slot under a provider card: its row, once matched
        // (-2 not yet looked up, -1 no row matches), and the tallies of the client being priced.
        let width = radiologists.count * modalities.count * 2
        var providerSlots = CardSlots(), providerSlot = 0
        var rowMemo: [Int32] = []
        var radTally: [Tally] = []
        var radTouched: [Int] = []
        // The same slots over every client of the group, for the payout statements: named
        // once at the end, not once a client.
        var groupTally: [Tally] = []
        var groupTouched: [Int] = []
        // A client's cost by (card, modality, urgency, rate row) over its radiologists, for the
        // margins: a cell a payout key in the pricer's own numbers, kept between clients and
        // cleared by the list of cells touched (a dictionary of them was hashed 300,000 times
        // a million reports, some 4 % of a further drop's processor time).
        let costRows = max(1, context.providerCards.cards.values.lazy.map(\.count).max() ?? 1)
        let costWidth = 2 * modalities.count * costRows
        var costCells: [Tally] = []
        var costTouched: [Int] = []
        var clientSlots = CardSlots(), clientSlot = 0
        let knownRadiologist = rads.map { $0 != nil }
        /// The radiologist of a slot.
        func radiologist(ofSlot slot: Int) -> Int { slot % width / (2 * modalities.count) }
        /// The slot's payout key, named: its card's modality and urgency, and the rate row.
        func payoutKey(ofSlot slot: Int, row: Int32) -> PayoutKey {
            let inCard = slot % width
            return PayoutKey(modality: modalities[inCard / 2 % modalities.count], urgency: inCard % 2 == 1 ? .stat : .routine,
                             row: RowRef(card: providerSlots.dates[slot / width], index: Int(row)))
        }

        for clientId in clientIds {
            let list = PeriodPricer.inBillingOrder(items[byClient[clientId]!], of: reports)
            book.billableReports += list.count
            // No ingest takes a report of a client no clients drop named: one the ledger holds is
            // of an entry appended by hand, and is said (billed by no one, it went unsaid).
            guard let client = context.clients[clientId] else {
                problem(.unpriced, "client", clientId, "no clients drop the ledger holds names this client", reports[Int(list[0].index)].id,
                        reports: list.count)
                continue
            }
            let volume = list.count
            // (client card slot, modality, urgency) → index into `schedules` (-2 not resolved, -1 none).
            var scheduleMemo: [Int32] = []
            var schedules: [ScheduleUse] = []
            var tiers = TierCounts()
            var images = 0
            // Reports whose price or payout is not known: the client's margin would count one side
            // of them only, so it is left out and said (a draft's; such a month does not close).
            var unknown = 0
            // Of them, those whose price only wants an FX rate nobody dropped, and those whose line
            // overflowed: the gap names the problems that keep them.
            var unknownForRate = 0, unknownOverflowing = 0
            for (i, item) in list.enumerated() {
                // A report counts once however many of its sides are unknown.
                var priced: Int? = nil, known = true
                // The hot loop reads the item's own fields; the report itself only for messages.
                let urgency = item.urgency, localDate = LocalDate(dayNumber: item.day)
                let u = urgency == .stat ? 1 : 0
                images += Int(item.images)
                if Int(item.images) > client.maxImagesPerCase { book.overContractIndices.append(item.index) }
                let day = item.day
                // Revenue side.
                if day < clientCardMemo.first || day > clientCardMemo.last {
                    clientCardMemo = cardRange(context.clientCards, day: localDate)
                    if let card = clientCardMemo.card { clientSlot = clientSlots.slot(card) }
                }
                if let cardDate = clientCardMemo.card {
                    let memo = (clientSlot * modalities.count + Int(item.modality)) * 2 + u
                    if memo >= scheduleMemo.count {
                        scheduleMemo += [Int32](repeating: -2, count: (clientSlot + 1) * modalities.count * 2 - scheduleMemo.count)
                    }
                    if scheduleMemo[memo] == -2 {
                        if let schedule = PriceSchedule.resolve(context.clientCards.cards[cardDate]!, clientId: clientId,
                            contractType: client.contractType, modality: modalities[Int(item.modality)], urgency: urgency) {
                            schedules.append(ScheduleUse(schedule: schedule, card: cardDate, modality: item.modality, urgency: urgency,
                                                         tiers: tiers.add(schedule), byVolume: schedule.mode == .volume))
                            scheduleMemo[memo] = Int32(schedules.count - 1)
                        } else {
                            scheduleMemo[memo] = -1
                        }
                    }
                    let s = Int(scheduleMemo[memo])
                    if s >= 0 {
                        let byVolume = schedules[s].byVolume
                        priced = tiers.count(byVolume ? volume : i + 1, in: schedules[s].tiers)
                        if priced == nil {
                            let x = byVolume ? "volume \(volume)" : "position \(i + 1)"
                            known = false
                            problem(.unpriced, "client", clientId,
                                    "\(modalities[Int(item.modality)]) \(urgency.rawValue): no tier of the \(cardDate) card contains \(x)", reports[Int(item.index)].id)
                        }
                    } else {
                        known = false
                        problem(.unpriced, "client", clientId,
                                "\(modalities[Int(item.modality)]) \(urgency.rawValue): no client rate row of the \(cardDate) card matches", reports[Int(item.index)].id)
                    }
                } else {
                    known = false
                    problem(.unpriced, "client", clientId, "no client rate card in force on \(localDate)", reports[Int(item.index)].id)
                }
                // Cost side.
                // Known or not is read off a flag: binding the radiologist copied (and retained)
                // its strings once a report.
                guard knownRadiologist[Int(item.radiologist)] else {
                    unknown += 1
                    if let k = priced { tiers.unpaid[k] += 1 }
                    problem(.unpriced, "radiologist", radiologists[Int(item.radiologist)], "no radiologists drop the ledger holds names this "
                        + "radiologist", reports[Int(item.index)].id)
                    continue
                }
                // Counted unknown below when its payout is not known either.
                if !known { unknown += 1 }
                if day < providerCardMemo.first || day > providerCardMemo.last {
                    providerCardMemo = cardRange(context.providerCards, day: localDate)
                    if let card = providerCardMemo.card {
                        providerSlot = providerSlots.slot(card)
                        if rowMemo.count < (providerSlot + 1) * width {
                            rowMemo += [Int32](repeating: -2, count: (providerSlot + 1) * width - rowMemo.count)
                            radTally += [Tally](repeating: Tally(), count: (providerSlot + 1) * width - radTally.count)
                            groupTally += [Tally](repeating: Tally(), count: (providerSlot + 1) * width - groupTally.count)
                        }
                        if costCells.count < (providerSlot + 1) * costWidth {
                            costCells += [Tally](repeating: Tally(), count: (providerSlot + 1) * costWidth - costCells.count)
                        }
                    }
                }
                guard let cardDate = providerCardMemo.card else {
                    if known { unknown += 1 }
                    if let k = priced { tiers.unpaid[k] += 1 }
                    problem(.unpriced, "radiologist", rads[Int(item.radiologist)]!.id, "no provider rate card in force on \(localDate)", reports[Int(item.index)].id)
                    continue
                }
                let slot = providerSlot * width + (Int(item.radiologist) * modalities.count + Int(item.modality)) * 2 + u
                if rowMemo[slot] == -2 {
                    let rows = context.providerCards.cards[cardDate]!
                    let rad = rads[Int(item.radiologist)]!
                    rowMemo[slot] = PayoutMatcher.matchIndex(rows, grade: rad.grade, modality: modalities[Int(item.modality)], urgency: urgency,
                                                             seniorityYears: rad.seniorityYears).map { Int32($0) } ?? -1
                }
                guard rowMemo[slot] >= 0 else {
                    let rad = rads[Int(item.radiologist)]!
                    if known { unknown += 1 }
                    if let k = priced { tiers.unpaid[k] += 1 }
                    problem(.unpriced, "radiologist", rad.id,
                            "\(modalities[Int(item.modality)]) \(urgency.rawValue), grade \(rad.grade), \(rad.seniorityYears) years: no provider rate row of the \(cardDate) card matches",
                            reports[Int(item.index)].id)
                    continue
                }
                if radTally[slot].reports == 0 { radTouched.append(slot) }
                radTally[slot].add(images: item.images)
            }
            // The client's cost by (card, modality, urgency, rate row), over its radiologists;
            // the group's tallies keep each radiologist's for the payout statements.
            for slot in radTouched {
                let t = radTally[slot]
                radTally[slot] = Tally()
                if groupTally[slot].reports == 0 { groupTouched.append(slot) }
                groupTally[slot].merge(t)
                // The slot's card, its modality and urgency (the radiologist taken out), and its row.
                let cell = slot / width * costWidth + slot % (2 * modalities.count) * costRows + Int(rowMemo[slot])
                if costCells[cell].reports == 0 { costTouched.append(cell) }
                costCells[cell].merge(t)
            }
            radTouched.removeAll(keepingCapacity: true)
            // Back to names: cost tallies per modality, for the margins.
            var costTally: [String: [PayoutKey: Tally]] = [:]
            for cell in costTouched {
                let t = costCells[cell]
                costCells[cell] = Tally()
                let inCard = cell % costWidth
                let key = payoutKey(ofSlot: cell / costWidth * width + inCard / costRows, row: Int32(inCard % costRows))
                costTally[key.modality, default: [:]][key, default: Tally()].merge(t)
            }
            costTouched.removeAll(keepingCapacity: true)
            // The invoice: one line per (modality, urgency, unit price, price currency).
            var invoiceTally: [InvoiceKey: Int] = [:]
            var tiersOf: [InvoiceKey: [ClientRate]] = [:]
            var unpaidOf: [InvoiceKey: Int] = [:]
            book.clientCounts[clientId] = (list.count, images)
            for use in schedules {
                for (k, tier) in zip(use.tiers, use.schedule.tiers) where tiers.counts[k] > 0 {
                    let invoiceKey = InvoiceKey(modality: modalities[Int(use.modality)], urgency: use.urgency,
                                                price: tier.unitPrice.normalized, currency: tier.currency.code)
                    invoiceTally[invoiceKey, default: 0] += tiers.counts[k]
                    unpaidOf[invoiceKey, default: 0] += tiers.unpaid[k]
                    tiersOf[invoiceKey, default: []].append(tier)
                }
            }
            var lines: [DocumentLine] = []
            var cardsOfLine: [[LocalDate]] = []
            for (key, qty) in invoiceTally.sorted(by: { invoiceOrder($0.key, $1.key) }) {
                guard let unitCurrency = Currency(code: key.currency) else { continue }
                do {
                    let exact = try key.price * qty
                    let amount = try context.fx.convert(exact, from: unitCurrency, to: client.currency, on: fxDate)
                    lines.append(DocumentLine(modality: key.modality, urgency: key.urgency, per: "report", quantity: qty,
                                              unitAmount: key.price, unitCurrency: unitCurrency, amount: amount,
                                              description: LineDescription.invoice(modality: key.modality, urgency: key.urgency,
                                                                                   tiers: tiersOf[key] ?? [])))
                    cardsOfLine.append(Set((tiersOf[key] ?? []).map(\.effectiveFrom)).sorted())
                } catch let m as FXTable.Missing {
                    // Its reports without a payout were counted already.
                    unknown += qty - unpaidOf[key, default: 0]
                    unknownForRate += qty - unpaidOf[key, default: 0]
                    problem(.fxMissing, "client", clientId, fxMessage(m, from: unitCurrency, to: client.currency), "", reports: qty)
                } catch {
                    // No amount for the line: its reports are as unpriced to the margin.
                    unknown += qty - unpaidOf[key, default: 0]
                    unknownOverflowing += qty - unpaidOf[key, default: 0]
                    problem(.overflow, "client", clientId, "\(key.modality) line: \(error)", "", reports: 0)
                }
            }
            lines = LineDescription.namingInvoiceCards(lines, cards: cardsOfLine)
            if !lines.isEmpty || !invoiceTally.isEmpty {
                do {
                    var draft = try DocumentDraft(kind: .invoice, partyId: client.id, partyName: client.name,
                                                  currency: client.currency, taxRate: client.taxRate, lines: lines,
                                                  reportCount: list.count, components: client.effectiveTaxComponents)
                    draft.fx = quotes(lines, to: client.currency, on: fxDate)
                    book.invoices.append(draft)
                    if unknown == 0 {
                        margin(of: client, draft: draft, costs: costTally, reports: list.count, into: &book)
                    } else {
                        book.marginGaps.append(Self.unknownGap(client.id, unknown: unknown, forRate: unknownForRate, overflowing: unknownOverflowing))
                    }
                } catch {
                    // No draft, so no revenue: the client's cost alone would read as a loss.
                    problem(.overflow, "client", clientId, "totals: \(error)", "", reports: 0)
                    book.marginGaps.append(MarginGap(code: .unpriced, clientId: client.id,
                        reason: "its invoice's totals cannot be held (its AMOUNT_OVERFLOW problem): its margin is left out"))
                }
            } else if unknown > 0 {
                // No report of the client priced, so no draft: its radiologists' cost for them is
                // in the payouts, and its margin is left out — said, as for a client partly priced.
                book.marginGaps.append(Self.unknownGap(client.id, unknown: unknown, forRate: unknownForRate, overflowing: unknownOverflowing))
            }
        }

        // Back to names: payout tallies per radiologist.
        for slot in groupTouched {
            payoutTallies[radiologists[radiologist(ofSlot: slot)], default: [:]][payoutKey(ofSlot: slot, row: rowMemo[slot]), default: Tally()]
                .merge(groupTally[slot])
        }
        return ClientsPart(book: book, payoutTallies: payoutTallies, problems: problems)
    }

    /// Reports ordered by (`reported_at`, `report_id`), sorting small keys instead of whole reports.
    /// Drops usually arrive in time order, so a client's reports mostly are already, or are a
    /// few runs in order, one a drop (a month's first drop, then each later one): that is
    /// found in one pass first, and a few runs are merged rather than sorted.
    static func inBillingOrder(_ slice: ArraySlice<PricedItem>, of reports: [Report]) -> [PricedItem] {
        let items = Array(slice)
        let runs = orderedRuns(items, of: reports, atMost: mergedRuns)
        if runs?.count == 1 { return items }
        if let runs { return merged(items, runs: runs, of: reports) }
        if let order = packedOrder(items, of: reports) { return order.map { items[$0] } }
        var keys = items.indices.map { (at: items[$0].at, k: Int32($0)) }
        keys.sort { a, b in
            a.at != b.at ? a.at < b.at : reports[Int(items[Int(a.k)].index)].id < reports[Int(items[Int(b.k)].index)].id
        }
        return keys.map { items[Int($0.k)] }
    }

    /// The billing order by sorting plain integers: each item's time, as an offset from the
    /// earliest in the largest unit all offsets share (a second, a millisecond or a microsecond
    /// when every time is whole in it, else the largest power of two of nanoseconds), above its
    /// position; reports of the same time are then put in report id order. Nil when time and
    /// position need more than 64 bits together (a month of nanosecond times over more than
    /// 4,096 reports): the caller sorts with a comparison instead.
    private static func packedOrder(_ items: [PricedItem], of reports: [Report]) -> [Int]? {
        guard items.count > 1, let first = items.lazy.map(\.at).min() else { return nil }
        // Times written to the second are a month of 22 bits in seconds but of 41 in the
        // power-of-two unit a second shares with its nanoseconds (2⁹): two radix passes, not four.
        // (The units are literals, so dividing by one is a multiplication.)
        var spread: UInt64 = 0, shared: UInt64 = 0, whole = 3  // seconds 3, milliseconds 2, microseconds 1, none 0
        for item in items {
            let offset = UInt64(bitPattern: item.at &- first)
            spread = max(spread, offset)
            shared |= offset
            if whole == 3 && offset % 1_000_000_000 != 0 { whole = 2 }
            if whole == 2 && offset % 1_000_000 != 0 { whole = 1 }
            if whole == 1 && offset % 1_000 != 0 { whole = 0 }
        }
        let shift = shared == 0 ? 0 : UInt64(shared.trailingZeroBitCount)
        func scaled(_ offset: UInt64) -> UInt64 {
            switch whole {
            case 3: return offset / 1_000_000_000
            case 2: return offset / 1_000_000
            case 1: return offset / 1_000
            default: return offset >> shift
            }
        }
        let timeBits = UInt64.bitWidth - scaled(spread).leadingZeroBitCount
        let positionBits = UInt64.bitWidth - UInt64(items.count - 1).leadingZeroBitCount
        guard timeBits + positionBits <= UInt64.bitWidth else { return nil }
        var keys = items.indices.map { scaled(UInt64(bitPattern: items[$0].at &- first)) << positionBits | UInt64($0) }
        // The keys are made in position order, which the radix passes keep among equal times:
        // only the time's bits are sorted on.
        RadixSort.sort(&keys, bits: timeBits + positionBits, from: positionBits)
        let mask: UInt64 = (1 << positionBits) - 1
        var order = keys.map { Int($0 & mask) }
        var i = 0
        while i < keys.count {
            var j = i + 1
            while j < keys.count, keys[j] >> positionBits == keys[i] >> positionBits { j += 1 }
            if j - i > 8 {
                order[i..<j].sort { reports[Int(items[$0].index)].id < reports[Int(items[$1].index)].id }
            } else if j - i > 1 {
                // Most shared times are shared by a few: put them in place without a sort's setup.
                for k in (i + 1)..<j {
                    let moving = order[k]
                    var m = k
                    while m > i && reports[Int(items[moving].index)].id < reports[Int(items[order[m - 1]].index)].id {
                        order[m] = order[m - 1]
                        m -= 1
                    }
                    order[m] = moving
                }
            }
            i = j
        }
        return order
    }

    /// Runs of a client's reports merged rather than sorted: beyond this many, a sort is cheaper.
    static let mergedRuns = 8

    /// Whether `a` comes strictly before `b` in (`reported_at`, `report_id`) order.
    private static func precedes(_ a: PricedItem, _ b: PricedItem, of reports: [Report]) -> Bool {
        a.at != b.at ? a.at < b.at : reports[Int(a.index)].id < reports[Int(b.index)].id
    }

    /// Where each run of items in billing order starts (each item strictly after the one before
    /// it), when there are at most `limit` runs; nil when there are more.
    static func orderedRuns(_ items: [PricedItem], of reports: [Report], atMost limit: Int) -> [Int]? {
        var starts = [0]
        var i = 1
        while i < items.count {
            if !precedes(items[i - 1], items[i], of: reports) {
                guard starts.count < limit else { return nil }
                starts.append(i)
            }
            i += 1
        }
        return starts
    }

    /// Items made of runs in billing order (starting at `runs`), merged into one: each run into
    /// what the runs before it made. Report ids are unique, so the order is total and a merge
    /// gives what a sort gives.
    static func merged(_ items: [PricedItem], runs: [Int], of reports: [Report]) -> [PricedItem] {
        var done = Array(items[..<(runs.count > 1 ? runs[1] : items.count)])
        var next: [PricedItem] = []
        next.reserveCapacity(items.count)
        for (k, start) in runs.enumerated().dropFirst() {
            let run = items[start..<(k + 1 < runs.count ? runs[k + 1] : items.count)]
            next.removeAll(keepingCapacity: true)
            var i = done.startIndex, j = run.startIndex
            while i < done.endIndex && j < run.endIndex {
                if precedes(run[j], done[i], of: reports) {
                    next.append(run[j])
                    j += 1
                } else {
                    next.append(done[i])
                    i += 1
                }
            }
            next.append(contentsOf: done[i...])
            next.append(contentsOf: run[j...])
            swap(&done, &next)
        }
        return done
    }

    /// The card in force on `day` and the range of days it stays the one in force.
    private func cardRange<Row>(_ cards: RateCards<Row>, day: LocalDate) -> (first: Int32, last: Int32, card: LocalDate?) {
        let card = cards.cardDate(on: day)
        let dates = cards.effectiveDates
        let next = dates.first { $0 > day }
        let first = card?.dayNumber ?? Int32.min
        let last = (next?.dayNumber).map { $0 - 1 } ?? Int32.max
        return (first, last, card)
    }

    private func margin(of client: Client, draft: DocumentDraft, costs: [String: [PayoutKey: Tally]], reports: Int,
                        into book: inout PeriodBook) {
        let fx = context.fx, base = context.base, day = book.fxDate
        do {
            let revenue = try base.round(try fx.toBaseExact(draft.subtotal, from: client.currency, on: day))
            var totalCost = ExactDecimal.zero
            let modalities = Set(draft.lines.map(\.modality)).union(costs.keys).sorted()
            var revenues: [ExactDecimal] = [], costsByModality: [ExactDecimal] = [], counts: [Int] = []
            for modality in modalities {
                var lineSum = client.currency.zero
                for l in draft.lines where l.modality == modality { lineSum = try lineSum + l.amount }
                var cost = ExactDecimal.zero
                var count = 0
                for (key, t) in costs[modality] ?? [:] {
                    let row = context.providerCards.cards[key.row.card]![key.row.index]
                    let exact = try (try row.ratePerReport * t.reports) + (try row.ratePerImage * t.images)
                    cost = try cost + (try fx.toBaseExact(exact, from: row.currency, on: day))
                    count += t.reports
                }
                totalCost = try totalCost + cost
                revenues.append(try fx.toBaseExact(lineSum, from: client.currency, on: day))
                costsByModality.append(cost)
                counts.append(count)
            }
            let cost = try base.round(totalCost)
            // The client's revenue and cost are rounded once (SPEC §3); its modalities share
            // them out, so the dashboard's rows add up to the client's margin to the minor unit.
            let shownRevenues = try Rounding.apportion(revenues, total: revenue, toScale: base.minorDigits)
            let shownCosts = try Rounding.apportion(costsByModality, total: cost, toScale: base.minorDigits)
            let rows = modalities.indices.map {
                MarginRow(clientId: client.id, modality: modalities[$0], reports: counts[$0], revenue: shownRevenues[$0],
                          cost: shownCosts[$0])
            }
            book.margins.append(ClientMargin(clientId: client.id, reports: reports, revenue: revenue, cost: cost, byModality: rows))
        } catch let m as FXTable.Missing {
            book.marginGaps.append(MarginGap(code: .fxMissing, clientId: client.id, reason: "no \(m.currency) rate to \(base) on or before \(m.date)"))
        } catch {
            book.marginGaps.append(MarginGap(code: .fxMissing, clientId: client.id, reason: "\(error)"))
        }
    }

    /// A client's margin left out for `unknown` reports without a price or payout, its problems
    /// named by code: filed under the missing FX rate when that is all that keeps them (`forRate`
    /// of them; `overflowing`, those of a line whose amount cannot be held).
    private static func unknownGap(_ clientId: String, unknown: Int, forRate: Int, overflowing: Int) -> MarginGap {
        let reports = unknown == 1 ? "1 report" : "\(unknown) reports"
        if forRate == unknown {
            return MarginGap(code: .fxMissing, clientId: clientId, reason: "\(reports) whose price wants an FX rate nobody dropped "
                + "(its FX_MISSING problem): its margin is left out until the rate is dropped")
        }
        let codes = [(unknown - forRate - overflowing, "UNPRICED"), (forRate, "FX_MISSING"), (overflowing, "AMOUNT_OVERFLOW")]
            .filter { $0.0 > 0 }.map(\.1)
        return MarginGap(code: .unpriced, clientId: clientId, reason: "\(reports) without a price or payout (its "
            + codes.joined(separator: " and ") + " problem\(codes.count == 1 ? "" : "s")): its margin is left out until they are priced")
    }

    /// The rate of each currency the lines were priced in, other than the document's.
    private func quotes(_ lines: [DocumentLine], to currency: Currency, on date: LocalDate) -> [FXQuote] {
        Set(lines.map(\.unitCurrency)).filter { $0 != currency }.sorted().compactMap {
            context.fx.quote(from: $0, to: currency, on: date)
        }
    }

    private func fxMessage(_ m: FXTable.Missing, from: Currency, to: Currency) -> String {
        "no \(m.currency) rate on or before \(m.date) to convert \(from) to \(to); drop an fx_rates row for \(m.currency)"
    }

    private func invoiceOrder(_ a: InvoiceKey, _ b: InvoiceKey) -> Bool {
        (a.modality, a.urgency.rawValue, a.currency) != (b.modality, b.urgency.rawValue, b.currency)
            ? (a.modality, a.urgency.rawValue, a.currency) < (b.modality, b.urgency.rawValue, b.currency)
            : a.price < b.price
    }

    private func payoutOrder(_ a: PayoutKey, _ b: PayoutKey) -> Bool {
        (a.modality, a.urgency.rawValue, a.row.card.dayNumber, a.row.index)
            < (b.modality, b.urgency.rawValue, b.row.card.dayNumber, b.row.index)
    }
}

import Foundation
import XLSX

/// `Outbox/YYYY-MM/review.xlsx`: what a reviewer works through before a close — flags by
/// severity and score with their reasons and features (soft ones marked provisional while
/// the period is open, final once it closes), each flagged party's ratio over its last 12
/// months, pricing problems, decisions already recorded, and images per case by client.
public enum ReviewWorkbook {
    /// A flag's reason as the Flags sheet prints it: a hard flag's with its report's details.
    static func reasonShown(_ f: PeriodReview.FlagState) -> String {
        f.flag.reason + (f.report.map { " (report: \($0))" } ?? "")
    }

    /// Writes the review of a period; `rowsPerSheet` is Excel's row limit except in tests.
    public static func write(_ review: PeriodReview, state: SiteState, to path: String, paper: PaperSize = .a4,
                             rowsPerSheet: Int = sheetRows, created: Date) throws {
        // An open month's review is month to date: said on every page, as the drafts say they are drafts
        // (without a soft flag, nothing told it from a closed month's).
        let open = review.softFlagsFinal ? "" : " (open: month to date, soft flags provisional)"
        let properties = DocumentProperties(title: "Review \(review.period)\(open)", subject: "flags, problems, decisions",
                                            author: state.name, company: state.name, created: created)
        try FileIO.makeDirectory(FileIO.parent(of: path))
        let temp = FileIO.temporaryName(for: path)
        try Workbook.write(to: temp, naming: path, properties: properties) { book in
            book.paper = paper
            // Each printed page says which month's review of which site it is.
            book.footerTitle = "Review of \(review.period)\(open), \(state.name)"
            try flags(review, book, rowsPerSheet: rowsPerSheet)
            try ReviewTrendSheet.write(review, state: state, book)
            try problems(review, book)
            try decisions(review, state: state, book)
            try imagesPerCase(review, book)
            // A rerun month's ratios are found again on the month as it stands now; its soft
            // flags' scores and reasons are the close's: said under them (they disagreed unsaid).
            let rerun = state.rerunAt[review.period].map {
                "Ratios of \(review.period) as it stands since its rerun of \($0); each soft flag's score and reason are as its "
                    + "close raised them (a rerun does not re-score soft flags, SPEC §4), so they may differ."
            }
            try flagFeatures(review, book, rowsPerSheet: rowsPerSheet, note: review.softFlags.isEmpty ? nil : rerun)
        }
        try FileIO.placeWritten(temp, at: path)
    }

    /// Rows a worksheet holds (Excel's limit); a longer list of flags continues on the next sheet.
    public static let sheetRows = 1_048_576

    static let flagHeaders = ["severity", "status", "flag_id", "code", "subject", "score", "reason", "blocks_close",
                              "decision", "decided_by", "note"]

    /// The flags, hard first, then by score: on `Flags`, continued on `Flags (2)`, … when
    /// they outgrow a sheet of `rowsPerSheet` rows (its header included).
    static func flags(_ review: PeriodReview, _ book: Workbook, rowsPerSheet: Int = sheetRows) throws {
        let all = orderedFlags(review)
        // The feature values are a sheet of their own (``flagFeatures``): beside the flags, six
        // more columns had the sheet fitted to the page at 4 pt, its reasons unreadable on paper.
        let headers = flagHeaders
        let perSheet = max(rowsPerSheet - 1, 1)
        let pages = max((all.count + perSheet - 1) / perSheet, 1)
        let softStatus = review.softFlagsFinal ? "final" : "provisional"
        let wrap = CellStyle().with { $0.wrapsText = true }
        // Every cell top-aligned, level with the first line of a reason or note wrapped beside it.
        let top = Self.topAligned
        let score = top.with { $0.numberFormat = .decimal(fractionDigits: 4) }
        for page in 0..<pages {
            let sheet = try book.addWorksheet(named: page == 0 ? "Flags" : "Flags (\(page + 1))")
            try sheet.setUpPrinting(paper: book.paper, landscape: true, repeatRows: 0...0)
            for (c, h) in headers.enumerated() { try sheet.write(text: h, row: 0, column: c, style: .header) }
            let slice = all[min(page * perSheet, all.count)..<min((page + 1) * perSheet, all.count)]
            var widths = headers.map { Double($0.count) }
            func text(_ value: String, _ row: Int, _ column: Int, style: CellStyle = top) throws {
                try sheet.write(text: value, row: row, column: column, style: style)
                widths[column] = max(widths[column], Double(TextWidth.of(value)))
            }
            for (i, f) in slice.enumerated() {
                let row = i + 1
                try text(f.flag.severity.rawValue, row, 0)
                try text(f.flag.severity == .soft ? softStatus : "raised", row, 1)
                try text(f.flag.id, row, 2)
                try text(f.flag.code, row, 3)
                try text(f.flag.subject, row, 4)
                try sheet.write(number: Double(f.flag.score) ?? 0, row: row, column: 5, style: score)
                try text(Self.reasonShown(f), row, 6, style: wrap)
                let blocks = f.decision == nil && (f.flag.severity == .hard || review.blockOnSoft)
                try text(blocks ? "yes" : "no", row, 7)
                try text(f.decision?.decision.rawValue ?? "", row, 8)
                // Who decided wraps too (up to 200 characters): cut at the column, it ran into the note.
                try text(f.decision?.by ?? "", row, 9, style: wrap)
                try text(f.decision?.note ?? "", row, 10, style: wrap)
            }
            if slice.isEmpty { try sheet.write(text: "No flags in \(review.period).", row: 1, column: 0) }
            try sheet.autofilter(CellRange(firstRow: 0, firstColumn: 0, lastRow: max(slice.count, 1), lastColumn: headers.count - 1))
            try sheet.freezePanes(row: 1, column: 0)
            // Fixed: 0.5 (nothing stands out, the Isolation Forest's own middle) yellow, 1 red.
            // Every flag listed is over the threshold; shaded from the lowest listed, a soft flag
            // under hard ones (1) was painted green, as if fine.
            if !slice.isEmpty { try sheet.addColorScale(CellRange(column: 5, rows: 1...slice.count), at: (0, 0.5, 1)) }
            try sheet.fitToPageWidth(landscape: true)
            // Columns as wide as what they hold; reasons and notes wrap within a readable width.
            // The feature columns get theirs once, below: a column set twice makes overlapping
            // <col> ranges, which Excel offers to repair.
            // The score (a number: no text width recorded) room for `1.0000` and a gap: at its
            // header's width it printed flush against the reason beside it ("1.000070 images…").
            // The subject, an id, as wide as the longest (IdColumnWidth): cut, two reports read as one.
            let set = widths.prefix(flagHeaders.count).enumerated().map { c, w in
                c == 5 ? 10 : min(w + 2, c == 4 ? Double(IdColumnWidth.cap) : c == 6 ? 80 : c == 10 ? 40 : 30)
            }
            for (c, w) in set.enumerated() { try sheet.setColumnWidth(w, columns: c...c) }
            for (i, f) in slice.enumerated() {
                // The reason as printed, the report's details with it: measured on the reason alone,
                // the row stayed one line and cut them off ("… read by D-AR on 2026-03-").
                try WrappedRowHeight.fit(i + 1, in: sheet, [(Self.reasonShown(f), set[6]), (f.decision?.by ?? "", set[9]),
                                                            (f.decision?.note ?? "", set[10])])
            }
            // What the soft gate could not judge, so no flags is not read as nothing found:
            // wrapped across the flags' columns on a row as tall as it needs. One cell running on
            // past them, LibreOffice fitted its overflow to the page and printed the sheet at 5 pt.
            if page == 0, let note = softGateNote(review) {
                let row = max(slice.count, 1) + 2
                try sheet.merge(CellRange(firstRow: row, firstColumn: 0, lastRow: row, lastColumn: flagHeaders.count - 1), text: note,
                                style: wrap.with { $0.isTopAligned = true })
                try WrappedRowHeight.fit(row, in: sheet, [(note, set.reduce(0, +))])
            }
        }
    }

    /// The period's flags as the Flags sheet lists them: hard first, then by score, highest first.
    static func orderedFlags(_ review: PeriodReview) -> [PeriodReview.FlagState] {
        (review.hardFlags + review.softFlags).sorted {
            if $0.flag.severity != $1.flag.severity { return $0.flag.severity == .hard }
            let a = Double($0.flag.score) ?? 0, b = Double($1.flag.score) ?? 0
            return a != b ? a > b : $0.flag.id < $1.flag.id
        }
    }

    /// The flags' features (what the soft gate measured), a row a flag in the Flags sheet's
    /// order, on sheets of their own: `Flag features`, continued as the flags are.
    static func flagFeatures(_ review: PeriodReview, _ book: Workbook, rowsPerSheet: Int = sheetRows, note: String? = nil) throws {
        let all = orderedFlags(review).filter { !$0.flag.features.isEmpty }
        guard !all.isEmpty else { return }
        let featureNames = Array(Set(all.flatMap { $0.flag.features.map(\.name) })).sorted()
        let headers = ["flag_id", "subject"] + featureNames
        let perSheet = max(rowsPerSheet - 1, 1)
        let top = Self.topAligned, feature = Self.topAligned.with { $0.numberFormat = .decimal(fractionDigits: 3) }
        for page in 0..<max((all.count + perSheet - 1) / perSheet, 1) {
            let sheet = try book.addWorksheet(named: page == 0 ? "Flag features" : "Flag features (\(page + 1))")
            try sheet.setUpPrinting(paper: book.paper, landscape: true, repeatRows: 0...0)
            for (c, h) in headers.enumerated() { try sheet.write(text: h, row: 0, column: c, style: .header) }
            let slice = all[min(page * perSheet, all.count)..<min((page + 1) * perSheet, all.count)]
            var widths = headers.map { Double(TextWidth.of($0)) }
            for (i, f) in slice.enumerated() {
                for (c, value) in [f.flag.id, f.flag.subject].enumerated() {
                    try sheet.write(text: value, row: i + 1, column: c, style: top)
                    widths[c] = max(widths[c], Double(TextWidth.of(value)))
                }
                for (k, name) in featureNames.enumerated() {
                    if let v = f.flag.features.first(where: { $0.name == name })?.value, v.isFinite {
                        try sheet.write(number: v, row: i + 1, column: 2 + k, style: feature)
                    }
                }
            }
            if let note, page == 0 {
                try sheet.write(text: note, row: slice.count + 2, column: 0, style: .plain.with { $0.isItalic = true })
            }
            try sheet.autofilter(CellRange(firstRow: 0, firstColumn: 0, lastRow: max(slice.count, 1), lastColumn: headers.count - 1))
            try sheet.freezePanes(row: 1, column: 0)
            try sheet.fitToPageWidth(landscape: true)
            // Ids as wide as the longest (up to the cap); each feature as wide as its name.
            for (c, w) in widths.enumerated() {
                try sheet.setColumnWidth(c < 2 ? min(w + 2, Double(IdColumnWidth.cap)) : min(max(w + 2, 10), 30), columns: c...c)
            }
        }
    }

    /// One line on the parties the soft gate did not judge and why (a young or small site, a
    /// party's first month), or nil when it judged every party with enough reports to read.
    static func softGateNote(_ review: PeriodReview) -> String? {
        let partial = review.softCoverage.filter { $0.judged < $0.parties }
        if review.softCoverage.isEmpty {
            guard !review.stats.isEmpty else { return nil }
            let least = SoftGateConfig().minimumReports
            return "Soft gate: no client or radiologist has \(least) reports in \(review.period)\(review.softFlagsFinal ? "" : " yet"), "
                + "the fewest it reads ratios from, so none was judged."
        }
        guard !partial.isEmpty else { return nil }
        let counts = review.softCoverage.map { c in
            "\(c.judged) of \(c.parties) \(c.party == .client ? "client" : "radiologist")\(c.parties == 1 ? "" : "s")"
        }
        let why = partial.map { c in (c.party == .client ? "clients: " : "radiologists: ") + c.reasons.joined(separator: "; ") }
        return "Soft gate: judged \(counts.joined(separator: " and ")) with enough reports in \(review.period) — "
            + why.joined(separator: " · ") + "."
    }

    /// Cells beside wrapped text sit level with its first line in a taller row.
    static let topAligned = CellStyle().with { $0.isTopAligned = true }

    static func problems(_ review: PeriodReview, _ book: Workbook) throws {
        let sheet = try book.addWorksheet(named: "Problems")
        try sheet.setUpPrinting(paper: book.paper, landscape: true, repeatRows: 0...0)
        let headers = ["code", "subject", "message", "blocks_close"]
        for (c, h) in headers.enumerated() { try sheet.write(text: h, row: 0, column: c, style: .header) }
        // A message wraps in its column (100 wide), on a row as tall as it needs.
        let messageWidth = 100.0
        let top = Self.topAligned, wrap = CellStyle.wrap
        var row = 1
        func problem(_ code: String, _ subject: String, _ message: String, blocks: Bool) throws {
            try sheet.write(text: code, row: row, column: 0, style: top)
            try sheet.write(text: subject, row: row, column: 1, style: top)
            try sheet.write(text: message, row: row, column: 2, style: wrap)
            try sheet.write(text: blocks ? "yes" : "no", row: row, column: 3, style: top)
            try WrappedRowHeight.fit(row, in: sheet, [(message, messageWidth)])
            row += 1
        }
        for p in review.book.problems { try problem(p.code.rawValue, p.subject, p.message, blocks: true) }
        for gap in review.book.marginGaps {
            try problem(gap.code.rawValue, gap.clientId, "margin not computed: \(gap)", blocks: false)
        }
        if row == 1 { try sheet.write(text: "No pricing problems in \(review.period).", row: 1, column: 0) }
        try sheet.autofilter(CellRange(firstRow: 0, firstColumn: 0, lastRow: max(row - 1, 1), lastColumn: 3))
        try sheet.freezePanes(row: 1, column: 0)
        try sheet.setColumnWidth(18, columns: 0...0)
        // The subject, a client's or radiologist's id, whole beside the message.
        let subjects = review.book.problems.map(\.subject) + review.book.marginGaps.map(\.clientId)
        try sheet.setColumnWidth(IdColumnWidth.width(subjects, atLeast: 18), columns: 1...1)
        try sheet.setColumnWidth(messageWidth, columns: 2...2)
        try sheet.fitToPageWidth(landscape: true)
    }

    /// A column as wide as the longest of `values` and its header, within 40, and a margin.
    private static func width(_ values: [String], _ header: String) -> Double {
        Double(min(40, max(header.count, values.map { TextWidth.of($0) }.max() ?? 0)) + 2)
    }

    static func decisions(_ review: PeriodReview, state: SiteState, _ book: Workbook) throws {
        let sheet = try book.addWorksheet(named: "Decisions")
        try sheet.setUpPrinting(paper: book.paper, landscape: true, repeatRows: 0...0)
        let headers = ["seq", "flag_id", "report_id", "decision", "by", "note"]
        for (c, h) in headers.enumerated() { try sheet.write(text: h, row: 0, column: c, style: .header) }
        let list = state.decisionLog.filter { $0.period == review.period }
        // A note wraps in its column (50 wide), on a row as tall as it needs; so does who decided,
        // in a column as wide as the longest name up to 40 (a longer one ran into the note).
        let noteWidth = 50.0
        let byWidth = width(list.map(\.by), "by")
        let top = Self.topAligned
        // The flag each decides: the one it names, or, decided by report id, the report's hard flag
        // if one is raised — never the report id under flag_id (no such flag exists).
        let flagIds = list.map { d in d.flagId != d.reportId ? d.flagId ?? "" : d.reportId.flatMap { state.hardFlagOfReport[$0] } ?? "" }
        for (i, d) in list.enumerated() {
            try sheet.write(number: Double(d.seq), row: i + 1, column: 0, style: CellStyle.integer.with { $0.isTopAligned = true })
            try sheet.write(text: flagIds[i], row: i + 1, column: 1, style: top)
            try sheet.write(text: d.reportId ?? "", row: i + 1, column: 2, style: top)
            try sheet.write(text: d.decision.rawValue, row: i + 1, column: 3, style: top)
            try sheet.write(text: d.by, row: i + 1, column: 4, style: .wrap)
            try sheet.write(text: d.note, row: i + 1, column: 5, style: .wrap)
            try WrappedRowHeight.fit(i + 1, in: sheet, [(d.by, byWidth), (d.note, noteWidth)])
        }
        try sheet.autofilter(CellRange(firstRow: 0, firstColumn: 0, lastRow: max(list.count, 1), lastColumn: 5))
        try sheet.freezePanes(row: 1, column: 0)
        // Ids and names as wide as the longest (within reason), so none prints cut.
        try sheet.setColumnWidth(8, columns: 0...0)
        try sheet.setColumnWidth(width(flagIds, "flag_id"), columns: 1...1)
        // A report id runs to 64 characters, past the 40 a name is held to.
        let reportIds = list.map { $0.reportId ?? "" }
        try sheet.setColumnWidth(IdColumnWidth.width(reportIds, atLeast: width([], "report_id")), columns: 2...2)
        try sheet.setColumnWidth(10, columns: 3...3)
        try sheet.setColumnWidth(byWidth, columns: 4...4)
        try sheet.setColumnWidth(noteWidth, columns: 5...5)
    }

    static func imagesPerCase(_ review: PeriodReview, _ book: Workbook) throws {
        let sheet = try book.addWorksheet(named: "Images per case")
        try sheet.setUpPrinting(paper: book.paper, landscape: true, repeatRows: 0...0)
        let clients = review.stats.filter { $0.party == .client && $0.reports > 0 }
        let headers = ["client", "reports", "images", "images_per_case"]
        for (c, h) in headers.enumerated() { try sheet.write(text: h, row: 0, column: c, style: .header) }
        for (i, s) in clients.enumerated() {
            try sheet.write(text: s.partyId, row: i + 1, column: 0)
            try sheet.write(number: Double(s.reports), row: i + 1, column: 1, style: .integer)
            try sheet.write(number: Double(s.images), row: i + 1, column: 2, style: .integer)
            try sheet.write(formula: "=C\(i + 2)/B\(i + 2)", cachedValue: Double(s.images) / Double(s.reports), row: i + 1,
                            column: 3, style: CellStyle().with { $0.numberFormat = .decimal(fractionDigits: 2) })
        }
        try sheet.setColumnWidth(IdColumnWidth.width(clients.map(\.partyId), atLeast: 16), columns: 0...0)
        try sheet.setColumnWidth(16, columns: 1...3)
        guard !clients.isEmpty else { return }
        var chart = ChartSpec(kind: .column, title: "Images per case by client, \(review.period)",
                              categoryAxisTitle: "client", valueAxisTitle: "images per case",
                              series: [.init(name: "images per case", sheet: sheet.name,
                                             categories: CellRange(column: 0, rows: 1...clients.count),
                                             values: CellRange(column: 3, rows: 1...clients.count))])
        // From 0, as the margin summary's: close ratios (2.4 and 2.6) drew one bar several times the other.
        chart.valueAxisMinimum = 0
        try sheet.insert(chart: chart, row: 1, column: 5)
    }
}

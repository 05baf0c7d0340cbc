import Crypto
import Dispatch
import Glibc

/// `Ledger/ledger.jsonl`: read and checked whole, appended to, never rewritten.
///
/// Reading checks every line's JSON, `seq`, `prev` and `hash`, the lines in pieces on every
/// core (``LedgerReader``). Any damage stops every writer.
///
/// An append is all or nothing. Before a batch of entries is written, an intent record
/// (`ledger.jsonl.intent`: the file's length before and after the batch, in a note signed by
/// the site key) is put in place durably; it is removed once the batch is fsynced. A command
/// killed in between leaves the intent behind, and reading then sees which bytes belong to
/// the interrupted batch, even when the write stopped exactly at a line's end. Those bytes —
/// and a last line without its newline, which is what any interrupted write leaves — are not
/// entries: the next writing command cuts them away (``cutHalfWrittenTail()``). Complete lines
/// are cut only on the word of an intent the site key of `site.init` signed: anyone may write
/// a file into `Ledger/`, and an unsigned one is ignored (SPEC §6: never cut a complete entry).
public final class LedgerFile {
    public let path: String
    public private(set) var entries: [LedgerEntry] = []
    /// Bytes after the last entry that a crash left: a half-written line, or the whole of
    /// an interrupted batch (see ``interruptedEntries``).
    public private(set) var halfWrittenBytes = 0
    /// Complete lines of an interrupted batch: written, but the batch never finished, so
    /// they are not entries.
    public private(set) var interruptedEntries = 0
    private(set) var validLength = 0
    private var staleIntent = false
    /// An intent record was found that the site key did not sign: ignored, and removed by the next writer.
    public private(set) var ignoredIntent = false
    /// Signs the intent record of each append (the site key); nil writes an unsigned one,
    /// which a later reader ignores: the batch's complete lines then stay entries.
    public var intentKey: SigningKey?
    /// The checkpoint a command noted it owes, signed by the site key (``CheckpointOwed``):
    /// found on reading, or noted by this command's append, until the checkpoint is written.
    public private(set) var owedCheckpoint: CheckpointOwed?
    /// The SHA-256 of the entries' bytes as they were read and appended (``contentSha256``).
    private var content = SHA256()
    /// The offset just after each entry's newline.
    public private(set) var ends: [Int] = []
    /// How many entries were taken from the ledger prefix (``LedgerPrefix``) rather than
    /// parsed; 0 when the whole file was read.
    public private(set) var entriesFromPrefix = 0
    /// Why a ledger prefix file that is there was not read, for the log.
    public private(set) var prefixPassedBy: String?

    public init(path: String) { self.path = path }

    public var head: LedgerEntry? { entries.last }
    public var headHash: String { entries.last?.hash ?? LedgerEntry.zeroHash }

    /// The intent record of the batch being appended: `START END`, the file's lengths.
    public var intentPath: String { path + ".intent" }

    /// The bytes of whole lines read at a time (``LineChunkReader``).
    public static let chunkBytes = 4 << 20

    /// Reads and checks the whole file. `deferringLines`: documents' `lines` stay in the file,
    /// read back on demand (``LedgerEntry/whole()``); `recon verify` holds every member.
    /// `chunkBytes`: how much of it is read at a time (tests read small ledgers in many chunks).
    ///
    /// `prefix`: the path of a ledger prefix file (``LedgerPrefix``), whose entries are taken
    /// instead of parsing the lines they stand for when the ledger vouches for it; otherwise
    /// (and with `deferringLines` false) every line is read.
    public func load(deferringLines: Bool = true, chunkBytes: Int = LedgerFile.chunkBytes, prefix: String? = nil) throws {
        // A chunk of whole lines at a time through one buffer; one core hashes the chunk while
        // its lines are read in pieces on the others, then joins them. A symbolic link in the
        // ledger's place is refused: appends through it would land outside the site.
        // With a prefix file most of the ledger is only hashed: a quarter of the chunk does,
        // and its buffer is that much less fresh memory on every command.
        let reader = try LineChunkReader(path: path, followingLinks: false,
                                         chunkBytes: deferringLines && prefix != nil ? max(1, chunkBytes / 4) : chunkBytes)
        var read: [LedgerEntry] = [], ends: [Int] = [], damage: LedgerDamage?
        var hash = SHA256()
        var taken: LedgerPrefix.Taken?
        entriesFromPrefix = 0
        if deferringLines, let prefix {
            taken = try takePrefix(prefix, reader: reader, hash: &hash)
            if let taken { (read, ends) = (taken.entries, taken.ends) }
        }
        func readLines(_ lines: UnsafeBufferPointer<UInt8>, offset: Int) {
            let part = withUnsafeMutablePointer(to: &hash) { hash in
                LedgerReader.read(lines, firstSeq: read.count + 1, chainedTo: read.last?.hash ?? LedgerEntry.zeroHash,
                                  fileOffset: offset, deferringFrom: deferringLines ? path : nil,
                                  alongside: { hash.pointee.update(bufferPointer: UnsafeRawBufferPointer(lines)) })
            }
            read.append(contentsOf: part.entries)
            ends.append(contentsOf: part.ends)
            damage = part.damage
        }
        if let rest = taken?.rest, !rest.lines.isEmpty { readLines(rest.lines, offset: rest.offset) }
        while damage == nil, let chunk = try reader.next() { readLines(chunk.lines, offset: chunk.offset) }
        if let taken {
            // Taken only on the word of an entry read after it, checked and chained from its last,
            // and signed: anyone can chain an entry, only the site key a checkpoint over it.
            guard damage == nil, let vouching = read[taken.entries.count...].first(where: { LedgerPrefix.vouches($0, for: taken.sha256) }) else {
                prefixPassedBy = "no period.closed entry after its entries records its SHA-256 as ledger_prefix_sha256"
                return try load(deferringLines: deferringLines, chunkBytes: chunkBytes, prefix: nil)
            }
            // A close's checkpoint covers its period.closed; one chained by hand after the last checkpoint is covered by none.
            guard let verifier = read.first.flatMap({ LedgerFile.verifier(of: $0) }),
                  CheckpointFiles.newestVerified(in: FileIO.parent(of: path) + "/checkpoints", entries: read, verifier: verifier,
                                                 origin: read.first?.string("site") ?? "", followingLinks: false) >= vouching.seq
            else {
                prefixPassedBy = "no checkpoint that verifies covers the period.closed entry \(vouching.seq) that records it"
                return try load(deferringLines: deferringLines, chunkBytes: chunkBytes, prefix: nil)
            }
            entriesFromPrefix = taken.entries.count
        }
        content = hash
        entries = read
        self.ends = ends
        if let damage { throw damage }
        try EntryTimes.check(entries)
        let length = reader.consumed
        seen = reader.status
        validLength = ends.last ?? 0
        interruptedEntries = 0
        let intent = try readIntent()
        staleIntent = intent != nil
        ignoredIntent = intent.map { !$0.signed } ?? false
        let batch = intent.flatMap { $0.signed ? (start: $0.start, end: $0.end) : nil }
        if let batch, length < batch.end, batch.start <= validLength, batch.start == 0 || ends.contains(batch.start) {
            // The batch never finished: its complete lines are no more entries than its half line.
            let kept = ends.firstIndex(of: batch.start).map { $0 + 1 } ?? 0
            interruptedEntries = entries.count - kept
            // One append stamps all its entries with one time: an intent naming complete
            // entries of different times is not what a crash leaves, and cuts nothing.
            if Set(entries[kept...].map(\.at)).count > 1 {
                throw LedgerDamage(seq: kept + 1, "\(intentPath) names complete entries written at different times as one "
                    + "unfinished append; it is not what an interrupted command leaves, so nothing is cut")
            }
            entries.removeLast(interruptedEntries)
            self.ends.removeLast(interruptedEntries)
            validLength = batch.start
        }
        owedCheckpoint = CheckpointOwed.read(besideLedger: path, verifier: siteVerifier)
        halfWrittenBytes = length - validLength
        if validLength != (ends.last ?? 0) {
            // An interrupted batch's complete lines are no entries: the hash covers the entries
            // only (a half-written last line was never in it). After a crash only: read again.
            let bytes = try FileIO.read(path, followingLinks: false)
            content = SHA256()
            bytes.withUnsafeBytes { content.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<validLength])) }
        }
        wholeTail = nil
        // An append writes its intent record before its lines and removes it only once they are
        // on disk: a line cut short with no intent beside it, or beside one whose batch does not
        // hold it (an empty or other file, other bounds), is no interrupted append's — the end of
        // an entry that was whole, cut off since — and is not cut away as one.
        let explained = intent.map { $0.start <= validLength && length < $0.end } ?? false
        tailWithoutIntent = halfWrittenBytes > 0 && !explained
        if halfWrittenBytes > 0 && interruptedEntries == 0 && !(batch.map { length < $0.end } ?? false) {
            // No unfinished batch explains it. An append writes a whole line, so a write cut short
            // leaves the start of one, and the start of a one-line object never holds a whole
            // value: a tail that begins with one (an entry whose newline became other bytes, an
            // object written so) was damaged, not cut short, and must not be cut away.
            // (Here the entries end at the last newline: what follows it is the reader's tail.)
            let tail = reader.tail
            if let length = tail.withUnsafeBufferPointer({ JSONParser.leadingValueLength($0) }) {
                let isEntry = tail.withUnsafeBufferPointer { whole in
                    (try? LedgerFile.parse(UnsafeBufferPointer(rebasing: whole[..<length]), expectedSeq: entries.count + 1,
                                           prev: headHash)) != nil
                }
                wholeTail = isEntry ? "entry" : "JSON \(tail.first { $0 > 32 } == UInt8(ascii: "{") ? "object" : "value") that is not the next entry"
            }
        }
    }

    /// The entries of the prefix file at `prefixPath` when the ledger's first bytes, read
    /// here through `reader` and hashed into `hash`, are the ones it says; nil otherwise, with
    /// why in ``prefixPassedBy`` (nothing when there is no file), and `reader` and `hash` then
    /// as they were. Whether an entry vouches for the file is for the caller to find.
    private func takePrefix(_ prefixPath: String, reader: LineChunkReader, hash: inout SHA256) throws -> LedgerPrefix.Taken? {
        prefixPassedBy = nil
        guard FileIO.exists(prefixPath) else { return nil }
        guard let size = FileStamp.of(prefixPath)?.size else {
            prefixPassedBy = "it is not a regular file"
            return nil
        }
        guard LedgerPrefix.couldBe(size: size, ledgerSize: Int64(reader.size)) else {
            prefixPassedBy = "it is larger than a ledger prefix of this ledger can be"
            return nil
        }
        // Its first line first: one core hashes the ledger's first bytes while the file is
        // read and split into lines on this one, then hashed and its entries read on all.
        guard let early = Self.prefixHeader(prefixPath, size: Int(size)), early.length <= reader.size else {
            prefixPassedBy = "it does not read as one"
            return nil
        }
        let hashing = BackgroundWork { () -> Result<(hash: SHA256, rest: (lines: UnsafeBufferPointer<UInt8>, offset: Int)?), Error> in
            var ledgerHash = SHA256()
            do {
                while let chunk = try reader.next() {
                    let inside = min(chunk.lines.count, early.length - chunk.offset)
                    ledgerHash.update(bufferPointer: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: chunk.lines[..<inside])))
                    if chunk.offset + chunk.lines.count >= early.length {
                        return .success((ledgerHash, (UnsafeBufferPointer(rebasing: chunk.lines[inside...]), early.length)))
                    }
                }
                return .success((ledgerHash, nil))
            } catch {
                return .failure(error)
            }
        }
        /// Nothing taken: the reader as it was once the hashing is done with it.
        func passedBy(_ why: String) -> LedgerPrefix.Taken? {
            _ = hashing.wait()
            reader.rewind()
            prefixPassedBy = why
            return nil
        }
        guard let bytes = try? FileIO.read(prefixPath, followingLinks: false) else { return passedBy("it could not be read") }
        return try bytes.withUnsafeBufferPointer { bytes throws -> LedgerPrefix.Taken? in
            // The first line read again with the rest must be the one the hashing went by.
            guard let lines = LedgerPrefix.lineRanges(bytes), let first = lines.first,
                  LedgerPrefix.header(UnsafeBufferPointer(rebasing: bytes[first])) == early else {
                return passedBy("it does not read as one")
            }
            var fileSha = ""
            let hashFile = {
                var file = SHA256()
                file.update(bufferPointer: UnsafeRawBufferPointer(bytes))
                fileSha = Hex.string(file.finalize())
            }
            let decoded = LedgerPrefix.entries(bytes, lines: Array(lines.dropFirst()), header: early, ledgerPath: path,
                                               alongside: [hashFile])
            let hashed = try hashing.wait().get()
            guard let decoded, let rest = hashed.rest, Hex.string(hashed.hash.finalize()) == early.ledgerSha256 else {
                return passedBy(decoded == nil ? "it does not read as one"
                    : "the ledger's first \(early.length) bytes do not hash to the SHA-256 it records")
            }
            hash = hashed.hash
            return LedgerPrefix.Taken(entries: decoded.entries, ends: decoded.ends, sha256: fileSha, rest: rest)
        }
    }

    /// The first line of the ledger prefix file at `path` read on its own, when it is a header.
    private static func prefixHeader(_ path: String, size: Int) -> LedgerPrefix.Header? {
        guard let file = try? ReadOnlyFile(path), let start = try? file.read(at: 0, count: min(size, 4096)) else { return nil }
        return start.withUnsafeBufferPointer { start in
            start.firstIndex(of: 10).flatMap { LedgerPrefix.header(UnsafeBufferPointer(rebasing: start[..<$0])) }
        }
    }

    /// What the bytes after the last entry are when they are whole, not a line cut short (an
    /// `entry`, or a `JSON object that is not the next entry`): damage a writer must not cut away.
    public private(set) var wholeTail: String?
    /// Whether the last line is cut short while no intent record says an append was under way.
    public private(set) var tailWithoutIntent = false

    /// What is wrong with the bytes after the last entry when no crash explains them (a whole
    /// entry or value without its newline, or a line cut short that no intent record holds), for
    /// people; nil when there are none, or an interrupted append left them.
    public var tailDamage: String? {
        if let whole = wholeTail { return "the last line holds a whole \(whole) not followed by its newline (damage, not a crash)" }
        guard tailWithoutIntent else { return nil }
        return "the last line ends after \(halfWrittenBytes) bytes without its newline, and no intent record "
            + "(Ledger/ledger.jsonl.intent) says an append of those bytes was under way: an interrupted command leaves one, "
            + "so this is an entry cut short since (damage, not a crash) — if you know how it was cut (a copy or backup made "
            + "while a command wrote, an earlier recon), keep a copy of the file and cut the line away: `truncate -s "
            + "\(validLength) Ledger/ledger.jsonl` (the \(entries.count) entries before it verify)"
    }

    /// What stands where an append writes its notes first (its intent record, and the checkpoint
    /// it owes when it owes one) and is not a regular file, said; nil when nothing does.
    public static func notesInTheWay(besideLedger path: String, checkpoint: Bool = true) -> String? {
        for note in [path + ".intent"] + (checkpoint ? [CheckpointOwed.path(besideLedger: path)] : []) {
            guard let kind = FileStatus.of(note)?.kind, kind != .regularFile else { continue }
            return "\(note) is not a regular file (something else was put in its place); nothing was appended — remove it "
                + "(recon writes that note itself, before an append), then run the command again"
        }
        return nil
    }

    /// The text an intent record signs: `recon intent`, then `START END`.
    static func intentText(start: Int, end: Int) -> String { "recon intent\n\(start) \(end)\n" }

    /// The interrupted batch's bounds, when an intent record is present, and whether the site
    /// key of `site.init` (the first entry read) signed it. Any other file there is unsigned.
    private func readIntent() throws -> (start: Int, end: Int, signed: Bool)? {
        guard FileIO.exists(intentPath) else { return nil }
        // recon puts its own file there before each append: a folder (or other) would stop every writer.
        guard FileIO.isRegularFile(intentPath) else {
            throw LedgerDamage(seq: nil, "\(intentPath) is not a file (something else is in the place of the intent record "
                + "an append writes first) — remove it")
        }
        guard let bytes = try? FileIO.read(intentPath) else { return (0, 0, false) }
        var text = String(decoding: bytes, as: UTF8.self), signed = false
        if let verifier = siteVerifier, let opened = try? SignedNote.open(bytes, verifier: verifier) {
            text = opened
            signed = true
        }
        var lines = text.split(separator: "\n")
        if signed {
            guard lines.first == "recon intent" else { return (0, 0, false) }
            lines.removeFirst()
        }
        let parts = lines.first?.split(separator: " ") ?? []
        guard lines.count == 1, parts.count == 2, let s = Int(parts[0]), let e = Int(parts[1]), s >= 0, e > s else {
            return (0, 0, false)
        }
        return (s, e, signed)
    }

    /// The site key's public half, as the first entry read (`site.init`) records it.
    var siteVerifier: VerifierKey? { entries.first.flatMap(Self.verifier(of:)) }

    /// The public key `first` records when it is the ledger's `site.init`.
    static func verifier(of first: LedgerEntry) -> VerifierKey? {
        guard first.seq == 1, case .siteInit(let initial)? = try? LedgerEvent(entry: first) else { return nil }
        return try? VerifierKey(text: initial.publicKey)
    }

    /// The owed checkpoint is written (or its note is stale): the note goes.
    public func checkpointNoLongerOwed() throws {
        try CheckpointOwed.remove(besideLedger: path)
        owedCheckpoint = nil
    }

    /// The SHA-256 of the file's bytes that are entries (those read, then those appended), in
    /// hex: the bytes every entry was checked on. A file holding exactly those bytes holds
    /// exactly these entries (``StatusCache`` is keyed by it).
    public var contentSha256: String { Hex.string(content.finalize()) }

    /// How many bytes of the file are entries.
    public var contentLength: Int { validLength }

    /// Whether a writing command must repair what a crash left (a cut, or a stale intent).
    public var needsRepair: Bool { halfWrittenBytes > 0 || staleIntent }

    /// Cuts what an interrupted append left after the last entry and drops its intent
    /// record; returns how many bytes went.
    @discardableResult
    public func cutHalfWrittenTail() throws -> Int {
        let cut = halfWrittenBytes
        if cut > 0 {
            if let names = try Self.giveOwnFile(path) { ownFileGiven?(names) }
            try FileIO.truncateDurably(path, toLength: validLength)
            seen = FileStatus.of(path)
        }
        if staleIntent {
            FileIO.remove(intentPath)
            try FileIO.syncDirectory(FileIO.parent(of: path))
            staleIntent = false
            ignoredIntent = false
        }
        halfWrittenBytes = 0
        interruptedEntries = 0
        return cut
    }

    /// The file read (and since appended to or cut by this process): an append refuses a ledger
    /// that is another file now, or one written since by something else.
    private var seen: FileStatus?

    /// Whether the file at the ledger's name is still the one this process read (and appended
    /// to), unwritten since by anything else; true when none was read (a ledger made here).
    public var isStillTheFileSeen: Bool { isSeen(FileStatus.of(path)) }

    /// Whether `now` (the ledger's status now) is the file read, its bytes as read. The same
    /// file whose times alone moved (a name added by `cp -al` or an old snapshot's removed, a
    /// `chmod`, a `touch`, or a byte written in place with its modification time put back by
    /// `touch -r`) is hashed again: the bytes decide. The modification time alone let such an
    /// edit through, and a close chained onto an entry no one checked; any change of it refused
    /// a command while a backup tool touched the site.
    private func isSeen(_ now: FileStatus?) -> Bool {
        guard let seen else { return true }
        guard let now else { return false }
        if now == seen { return true }
        guard now.kind == .regularFile, now.device == seen.device, now.inode == seen.inode, now.size == Int64(validLength),
              (try? HashedFileWindow.sha256(of: path)) == contentSha256 else { return false }
        self.seen = now
        return true
    }

    /// Called by ``append(_:at:owesCheckpoint:)`` after its checks, before it writes anything.
    var beforeTheBytes: (() -> Void)?

    /// Appends entries in one write, flushed and fsynced before returning; all or nothing
    /// (see the type's description).
    ///
    /// `owesCheckpoint`: a checkpoint must follow this batch (its command writes it next). The
    /// head it will sign is noted first, signed with ``intentKey`` (``CheckpointOwed``), so a
    /// writer finding it missing after a crash signs only that head.
    @discardableResult
    public func append(_ items: [(kind: String, body: [String: JSONValue])], at: String,
                       owesCheckpoint: Bool = false) throws -> [LedgerEntry] {
        precondition(halfWrittenBytes == 0 && !staleIntent, "cut the half-written tail before appending")
        let (out, bytes, lineEnds) = chain(items, at: at)
        // The file read, unwritten since: one of the same length renamed over it (a copy, edited)
        // or written in place passed the length check, and the batch was chained onto entries
        // that are not the ones checked.
        let changed = LedgerDamage(seq: entries.count + 1, "\(path) changed on disk while this command held the site lock; nothing was appended")
        guard isSeen(FileStatus.of(path)) else { throw changed }
        if let names = try Self.giveOwnFile(path) {
            ownFileGiven?(names)
            if seen != nil { seen = FileStatus.of(path) }
        }
        var file = try AppendingFile(path: path)
        let start = try file.size()
        guard start == validLength, isSeen(file.status) else { throw changed }
        // The notes written beside the ledger before its bytes: something else in their place
        // failed the command there with a bare system error (exit 1). Refused first, appending nothing.
        if let said = Self.notesInTheWay(besideLedger: path, checkpoint: owesCheckpoint) { throw ReconFailure.refused(said) }
        // The last moment a stop signal may end the command with nothing recorded (``SignalHold``).
        beforeTheBytes?()
        // The notes before the bytes: one the disk will not take (full) records nothing, and is
        // said so — the bare error named a temporary file and left the user to guess.
        do {
            if owesCheckpoint, let key = intentKey, let last = out.last {
                let owed = CheckpointOwed(seq: last.seq, head: last.hash)
                try owed.write(besideLedger: path, key: key)
                owedCheckpoint = owed
            }
            let intent = Self.intentText(start: start, end: start + bytes.count)
            let note = try intentKey.map { try SignedNote.sign(text: intent, with: $0) } ?? intent
            try FileIO.writeAtomically(intentPath, Array(note.utf8))
        } catch let failure as FileIO.Failure {
            throw ReconFailure.usage("could not write the notes kept beside \(path) before an append (\(failure)). \(Self.nothingRecorded) — "
                + "\(Self.remedy(failure.code, folder: FileIO.parent(of: path))) and run the command again")
        }
        // A name the file got since it was opened (a snapshot made with `cp -al` while this command
        // wrote its notes): the batch would land in the copy too, which then failed every verifier.
        // The ledger gets a file of its own again, the same bytes, and the batch goes there.
        if (file.status?.linkCount ?? 1) > 1 {
            if let names = try Self.giveOwnFile(path) { ownFileGiven?(names) }
            file = try AppendingFile(path: path)
            guard try file.size() == start else {
                FileIO.remove(intentPath)
                throw changed
            }
        }
        let landed: Int
        do {
            landed = try file.appendDurably(bytes)
        } catch {
            // The disk did not take the whole batch (full, or past a file-size limit): what did
            // land is no entry, as this command records nothing. It cuts those bytes itself, so
            // no complete line is left for the next writer to cut; only if the cut fails too does
            // the intent record stay for the next writer.
            if (try? FileIO.truncateDurably(path, toLength: start)) != nil { FileIO.remove(intentPath) }
            let code = (error as? FileIO.Failure)?.code ?? 0
            throw ReconFailure.usage("could not append to \(path): \(error). \(Self.nothingRecorded) — "
                + "\(Self.remedy(code, folder: FileIO.parent(of: path))) and run the command again")
        }
        // Bytes someone else appended after the checks above, before this batch: the batch,
        // chained from the head checked, landed after them, and a close signed a checkpoint
        // over a ledger no verifier accepts. Its own bytes are taken back; theirs are left for
        // `recon verify` to name.
        guard landed == start else {
            if (try? FileIO.truncateDurably(path, toLength: landed)) != nil { FileIO.remove(intentPath) }
            // Cut shorter meanwhile, the entries landed before the length checked: said as that.
            let what = landed > start ? "\(landed - start) bytes something else wrote landed before this command's entries"
                : "it was cut \(start - landed) bytes shorter, and this command's entries landed at the cut"
            throw LedgerDamage(seq: entries.count + 1, "\(path) changed on disk while this command held the site lock: \(what), "
                + "which it took back; nothing was appended — `recon verify` names what was written")
        }
        // The file written is still the one at the ledger's name: a file renamed over the name
        // meanwhile (a copy: rsync, `sed -i`, a restore) holds none of this batch, which landed in
        // the file replaced, and a close signed its checkpoint over entries the ledger never held.
        // Taken back from that file, wherever it is now.
        guard let own = file.identity, FileIO.Identity(at: path) == own else {
            if file.cut(toLength: start) { FileIO.remove(intentPath) }
            throw LedgerDamage(seq: entries.count + 1, "\(path) was replaced by another file while this command held the site lock "
                + "(a copy renamed over it?): this command's entries went to the file replaced and were taken back; nothing was "
                + "appended — `recon verify` checks the file now there")
        }
        seen = file.status
        content.update(data: bytes)
        ends += lineEnds
        // Once the batch is durable its intent is spent; if the removal itself is lost, the
        // next reader finds the file at least as long as the intent's end and just drops it.
        FileIO.remove(intentPath)
        entries += out
        validLength += bytes.count
        Self.appendedByThisProcess = true
        return out
    }

    /// What a failed append recorded: nothing, or nothing more than this command's earlier
    /// appends (a rerun's held drops), which stand — "nothing was recorded" had a script read the
    /// ledger as unchanged.
    static var nothingRecorded: String {
        appendedByThisProcess ? "Nothing more was recorded (what this command appended before stands)" : "Nothing was recorded"
    }

    /// What mends a write the system refused (`code`, its `errno`) in `folder`: permissions and
    /// a read-only file system are not mended by freeing disk space, which was said of every one.
    static func remedy(_ code: Int32, folder: String) -> String {
        switch code {
        case EACCES, EPERM: return "give this user write permission on \(folder) and its files (`chmod u+w`, or run recon as their owner)"
        case EROFS: return "\(folder) is on a read-only file system: mount it read-write"
        default: return "free some disk space (or raise the file-size limit)"
        }
    }

    /// Said when ``giveOwnFile(_:)`` gave the ledger a file of its own before a cut or an append.
    var ownFileGiven: ((Int) -> Void)?

    /// Gives the ledger at `path` a file of its own when it has other names (a copy of its site
    /// made with hard links, `cp -al`, as a snapshot before a rerun, or while a watcher's batch
    /// runs): the same bytes written, synced and renamed into place, so a cut or an append
    /// changes this site's ledger only — the copy took the site's entries without their
    /// documents or checkpoint and failed every verifier. Returns how many names it had, nil
    /// when it had one.
    static func giveOwnFile(_ path: String) throws -> Int? {
        guard let status = FileStatus.of(path), status.kind == .regularFile, status.linkCount > 1 else { return nil }
        let names = status.linkCount
        do {
            let bytes = try FileIO.read(path, followingLinks: false)
            try FileIO.writeAtomically(path, bytes, mode: status.permissions, exactMode: true)
        } catch {
            throw ReconFailure.refused("Ledger/ledger.jsonl has \(names) names (a copy of the site made with hard links?), "
                + "and appending would change every copy; it could not be given a file of its own (\(error)) — copy it "
                + "(`cp Ledger/ledger.jsonl L && mv L Ledger/ledger.jsonl`), then run the command again")
        }
        return names
    }

    static func ownFileNotice(_ names: Int) -> String {
        "Ledger/ledger.jsonl had \(names) names (a copy of the site made with hard links, `cp -al`?): this site now appends to "
            + "a file of its own with the same bytes, and the other names keep the ledger as it was"
    }

    /// Whether this process has recorded anything: a command that has is done, whatever
    /// becomes of what it prints after (its standard output may take no write).
    public private(set) static var appendedByThisProcess = false

    /// `items` as entries after the last one, stamped `at`: the entries, their lines' bytes,
    /// and where each line would end in the file.
    private func chain(_ items: [(kind: String, body: [String: JSONValue])], at: String)
        -> (entries: [LedgerEntry], bytes: [UInt8], ends: [Int]) {
        var out: [LedgerEntry] = []
        var bytes: [UInt8] = [], lineEnds: [Int] = []
        var prev = headHash
        var seq = entries.count
        for (item, body) in zip(items, Self.canonicalBodies(items.map(\.body))) {
            seq += 1
            let (e, line) = LedgerEntry.chained(seq: seq, at: at, kind: item.kind, body: item.body, canonicalBody: body, prev: prev)
            bytes += line
            lineEnds.append(validLength + bytes.count)
            out.append(e)
            prev = e.hash
        }
        return (out, bytes, lineEnds)
    }

    /// What the ledger would hold with `items` appended stamped `at`, nothing written: every
    /// entry, where each line ends, and the SHA-256 of all their bytes — the same as
    /// ``append(_:at:owesCheckpoint:)`` then gives (a close's ledger prefix is made from it).
    func holding(appending items: [(kind: String, body: [String: JSONValue])], at: String)
        -> (entries: [LedgerEntry], ends: [Int], sha256: String) {
        let (out, bytes, lineEnds) = chain(items, at: at)
        var sha = content
        sha.update(data: bytes)
        return (entries + out, ends + lineEnds, Hex.string(sha.finalize()))
    }

    /// The JCS form of each body, in order: a close's hundreds on every core, a few in line.
    static func canonicalBodies(_ bodies: [[String: JSONValue]]) -> [[UInt8]] {
        guard bodies.count >= 16 else { return bodies.map { JCS.canonical(.object($0)) } }
        var out = [[UInt8]](repeating: [], count: bodies.count)
        out.withUnsafeMutableBufferPointer { slots in
            DispatchQueue.concurrentPerform(iterations: bodies.count) { slots[$0] = JCS.canonical(.object(bodies[$0])) }
        }
        return out
    }

    @discardableResult
    public func append(kind: String, body: [String: JSONValue], at: String) throws -> LedgerEntry {
        try append([(kind, body)], at: at)[0]
    }

    /// The line as entry `expectedSeq` after `prev`, every check made (see ``LedgerLine``).
    static func parse(_ line: UnsafeBufferPointer<UInt8>, expectedSeq: Int, prev: String) throws -> LedgerEntry {
        try LedgerLine.read(line, expectedSeq: expectedSeq).chained(to: prev)
    }

    /// The `at` of the ledger's last complete line, read from the file's end (at most its last
    /// megabyte); nil when it cannot be read so (a reader then opens the whole ledger).
    public static func lastEntryAt(of site: Site) -> String? {
        guard let line = lastLine(of: site) else { return nil }
        // JCS puts `at` first: `{"at":"…",`.
        let prefix = Array(#"{"at":""#.utf8)
        guard line.starts(with: prefix), let end = line.dropFirst(prefix.count).firstIndex(of: 34) else { return nil }
        return String(decoding: line[(line.startIndex + prefix.count)..<end], as: UTF8.self)
    }

    /// The ledger's last complete line, without its newline, read from the file's end (at most
    /// its last megabyte); nil when it cannot be read so.
    public static func lastLine(of site: Site) -> ArraySlice<UInt8>? {
        guard let file = try? ReadOnlyFile(site.ledgerFile), let size = try? file.size(), size > 0 else { return nil }
        let count = min(size, 1 << 20)
        guard let tail = try? file.read(at: size - count, count: count), tail.last == 10 else { return nil }
        let body = tail.dropLast()
        guard let start = body.lastIndex(of: 10).map({ $0 + 1 }) ?? (count == size ? body.startIndex : nil) else { return nil }
        return body[start...]
    }

    /// The first entry of `site`'s ledger, read and checked on its own (its hash, no `prev`),
    /// when it is a `site.init`: the site's key, name and time zone without reading the rest.
    static func siteInit(of site: Site) -> LedgerEvent.SiteInit? {
        guard let file = try? ReadOnlyFile(site.ledgerFile), let size = try? file.size() else { return nil }
        guard let head = try? file.read(at: 0, count: min(size, 64 << 10)), let end = head.firstIndex(of: 10),
              let line = try? head[..<end].withUnsafeBufferPointer({ try LedgerLine.read($0, expectedSeq: 1) }),
              line.computedHash == line.entry.hash, line.entry.prev == LedgerEntry.zeroHash,
              case .siteInit(let initial)? = try? LedgerEvent(entry: line.entry)
        else { return nil }
        return initial
    }
}

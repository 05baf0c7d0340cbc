/// A path or argument written so that a shell reads it back as one word, for commands a
/// message gives people to paste (`recon ingest --site '/srv/site one' 'usage nov'"'"'s.csv'`).
public enum ShellWord {
    /// `text` as it is when every character is one a shell takes literally, else in single
    /// quotes, each single quote in it written `'"'"'` — no backslash, which a log line shows
    /// doubled.
    public static func quoted(_ text: String) -> String {
        let plain = !text.isEmpty && text.unicodeScalars.allSatisfy { s in
            s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s) || "/._-+,:@%=".unicodeScalars.contains(s))
        }
        return plain ? text : "'" + text.replacingOccurrences(of: "'", with: "'\"'\"'") + "'"
    }
}

import Foundation

/// The name a data file's rows are keyed by (`RecordKey`): stable across machines and working
/// directories, so the same rows get the same keys in a single run and in a sharded one. A file
/// found under a data directory is named by its path relative to that directory (for capture,
/// `{endpoint}/{variant}/yyyy/mm/dd/hh/name.jsonl`, so files of the same name in different hours
/// are told apart; `FeatureSourceChain`); a file given directly by its file name.
enum SourceName {
    /// A file given directly: its file name (`-` for standard input).
    static func of(_ path: String) -> String {
        path == "-" ? "-" : (path as NSString).lastPathComponent
    }

}

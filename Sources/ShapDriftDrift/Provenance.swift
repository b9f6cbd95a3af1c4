import ShapDriftCore

/// Where a report came from: the tool, the command, what was read and when, and the baseline it
/// was compared with (`docs/report.md`). `DriftMonitor` fills what the library knows (records,
/// files, capture times, the baseline profile's identity); the command line adds its arguments,
/// paths and timing.
public struct Provenance: Codable, Equatable, Sendable {
    /// The tool and version (`shapdrift 0.2.0`).
    public var tool = ShapDriftVersion.writer
    /// The arguments as given, the program name first.
    public var commandLine: [String]?
    /// When the check started (ISO 8601, UTC) and how long it ran, in seconds.
    public var startedAt: String?
    public var runSeconds: Double?
    /// The data paths as given (files or capture directories).
    public var inputs: [String] = []
    /// Files read, and the first and last of them.
    public var filesRead = 0
    public var firstFile: String?
    public var lastFile: String?
    /// The capture time window asked for, as given; `nil` sides are open.
    public var window: TimeWindow?
    /// The earliest and latest `inferenceTime` of the capture records actually read; `nil` for
    /// data without them.
    public var inferenceTime: TimeSpan?
    public var records: RecordCounts
    public var model: ModelReference?
    public var baseline: BaselineReference

    public init(records: RecordCounts, baseline: BaselineReference) {
        self.records = records
        self.baseline = baseline
    }

    public struct TimeWindow: Codable, Equatable, Sendable {
        public var since: String?
        public var until: String?
        public init(since: String?, until: String?) {
            self.since = since
            self.until = until
        }
    }

    public struct TimeSpan: Codable, Equatable, Sendable {
        public var first: String
        public var last: String
        public init(first: String, last: String) {
            self.first = first
            self.last = last
        }
    }

    public struct RecordCounts: Codable, Equatable, Sendable {
        /// Records read (data lines; capture records inside the window).
        public var read: UInt64
        /// Rows they gave.
        public var rows: UInt64
        /// Records skipped as unreadable, and by reason (empty until a bad-record budget lets
        /// readers skip rather than stop).
        public var skipped: UInt64
        public var skippedByReason: [String: UInt64]
        /// Capture records outside the time window.
        public var outsideWindow: UInt64

        public init(_ statistics: SourceStatistics) {
            read = statistics.records
            rows = statistics.rows
            skipped = statistics.skipped
            skippedByReason = statistics.skippedByReason
            outsideWindow = statistics.recordsOutsideWindow
        }

        enum CodingKeys: String, CodingKey {
            case read, rows, skipped, skippedByReason = "skipped_by_reason", outsideWindow = "outside_window"
        }
    }

    public struct ModelReference: Codable, Equatable, Sendable {
        public var path: String
        public var sha256: String
        public init(path: String, sha256: String) {
            self.path = path
            self.sha256 = sha256
        }
    }

    /// The baseline profile compared with.
    public struct BaselineReference: Codable, Equatable, Sendable {
        public var path: String?
        /// SHA-256 of the profile file.
        public var sha256: String?
        /// When `shapdrift baseline` wrote it; `nil` for profiles from before format 3.
        public var created: String?
        public var writer: String?
        public var formatVersion: Int
        public var rows: UInt64
        /// The model fingerprint the baseline was made for.
        public var modelSHA256: String

        public init(_ profile: AttributionProfile) {
            created = profile.created
            writer = profile.writer
            formatVersion = profile.formatVersion
            rows = profile.rows
            modelSHA256 = profile.identity.modelSHA256
        }

        enum CodingKeys: String, CodingKey {
            case path, sha256, created, writer, formatVersion = "format_version", rows, modelSHA256 = "model_sha256"
        }
    }

    enum CodingKeys: String, CodingKey {
        case tool, commandLine = "command_line", startedAt = "started_at", runSeconds = "run_seconds", inputs
        case filesRead = "files_read", firstFile = "first_file", lastFile = "last_file", window
        case inferenceTime = "inference_time", records, model, baseline
    }
}

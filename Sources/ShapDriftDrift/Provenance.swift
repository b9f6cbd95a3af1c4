import ShapDriftCore

/// Where a report came from: the tool, the command, the inputs named, the model and the baseline
/// it was compared with, and when the run started and how long it took (`docs/report.md`).
/// What the read found — records read and skipped, the time window asked for, the times of the
/// records actually read, the files — is the report's `records` (`RecordSummary`).
/// `DriftMonitor` fills what the library knows (the baseline profile's identity); the command
/// line adds its arguments, paths and timing.
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
    public var model: ModelReference?
    public var baseline: BaselineReference

    public init(baseline: BaselineReference) {
        self.baseline = baseline
    }

    /// Records the data paths, the model file (with the model's fingerprint, its SHA-256) and the
    /// baseline file with the SHA-256 of its bytes (left out if it cannot be read again).
    public mutating func recordFiles(inputs: [String], modelPath: String, model: Model, baselinePath: String) {
        self.inputs = inputs
        self.model = ModelReference(path: modelPath, sha256: model.fingerprint)
        baseline.path = baselinePath
        baseline.sha256 = (try? FileReading.bytes(baselinePath)).map { ContentDigest.sha256($0) }
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
        case tool, commandLine = "command_line", startedAt = "started_at", runSeconds = "run_seconds", inputs, model, baseline
    }
}

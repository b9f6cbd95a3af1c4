import ShapDriftCore

/// Data-quality findings of a check, with SageMaker Model Monitor's check types where they apply
/// (`docs/drift.md` states each rule and its default).
public struct DataQuality: Codable, Equatable, Sendable {
    public var violations: [DataQualityViolation]
    /// Records that could not be read at all and were skipped (by reason): none today, every
    /// unreadable record is an input error (exit 2).
    public var unreadableRecords: UInt64
    public var unreadableByReason: [String: UInt64]
    /// Checks that could not run, and why (e.g. a baseline written before category counts).
    public var unavailable: [String]

    public init(violations: [DataQualityViolation], unreadableRecords: UInt64, unreadableByReason: [String: UInt64],
                unavailable: [String]) {
        self.violations = violations
        self.unreadableRecords = unreadableRecords
        self.unreadableByReason = unreadableByReason
        self.unavailable = unavailable
    }

    enum CodingKeys: String, CodingKey {
        case violations, unreadableRecords = "unreadable_records", unreadableByReason = "unreadable_by_reason", unavailable
    }
}

/// One data-quality violation.
public struct DataQualityViolation: Codable, Equatable, Sendable {
    /// The feature or column it concerns.
    public var featureName: String
    /// SageMaker's `constraint_check_type`.
    public var checkType: DataQualityCheck
    public var description: String
    /// The measured quantity (a rate, share or distance) and the threshold it passed.
    public var value: Double
    public var threshold: Double

    public init(featureName: String, checkType: DataQualityCheck, description: String, value: Double, threshold: Double) {
        self.featureName = featureName
        self.checkType = checkType
        self.description = description
        self.value = value
        self.threshold = threshold
    }

    enum CodingKeys: String, CodingKey {
        case featureName = "feature_name", checkType = "constraint_check_type", description, value, threshold
    }
}

/// SageMaker Model Monitor's data-quality check types that apply to numeric model inputs.
public enum DataQualityCheck: String, Codable, Sendable {
    case completeness = "completeness_check"
    case baselineDrift = "baseline_drift_check"
    case categoricalValues = "categorical_values_check"
    case missingColumn = "missing_column_check"
    case extraColumn = "extra_column_check"
}

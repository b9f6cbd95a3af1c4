/// The files a report directory can hold (`docs/report.md`); a job's `outputs.formats` chooses
/// among them.
public enum ReportFile: String, CaseIterable, Codable, Sendable {
    /// `report.json`: the full `DriftReport`.
    case json = "report.json"
    /// `report.md`: for people.
    case markdown = "report.md"
    /// `features.csv`: the ranked table.
    case features = "features.csv"
    /// `constraint_violations.json`: SageMaker Model Monitor's schema.
    case constraintViolations = "constraint_violations.json"
    /// `analysis.json`: SageMaker Clarify's shape.
    case analysis = "analysis.json"

    /// The short name a job file uses: `json`, `markdown`, `features`, `constraint_violations`, `analysis`.
    public var jobName: String {
        switch self {
        case .json: return "json"
        case .markdown: return "markdown"
        case .features: return "features"
        case .constraintViolations: return "constraint_violations"
        case .analysis: return "analysis"
        }
    }
}

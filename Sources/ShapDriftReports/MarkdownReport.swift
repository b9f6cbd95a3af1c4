import ShapDriftCore
import ShapDriftDrift

/// `report.md`: the verdict, the evidence and the ranked table per output, for people (and as the
/// body of a ticket).
public enum MarkdownReport {
    /// - Complexity: O(outputs × features).
    public static func text(_ report: DriftReport) -> String {
        var text = "# ShapDrift report\n\n**\(ReportText.verdictLine(report))**\n\n"
        text += "- NDCG (SageMaker Clarify's feature-attribution drift score): **\(ReportText.format(report.ndcg, 4))**, threshold \(report.threshold.description)\(ReportText.intervalText(report))\n"
        text += "- Rows: \(report.rows) current, \(report.baselineRows) baseline\n"
        text += "- Model: \(report.model.modelFormat) `\(report.model.objective)`, SHA-256 `\(report.model.modelSHA256.prefix(16))…`; method \(report.model.method), attributions in \(report.model.outputSpace)\n"
        text += report.warnings.map { "- **Model warning:** \($0)\n" }.joined()
        text += "- Feature thresholds: shift ≥ \(ReportText.format(report.thresholds.featureShift * 100, 1))% of the attribution mass and PSI ≥ \(report.thresholds.psi.description)\n\n"
        for output in report.outputs {
            if report.outputs.count > 1 { text += "## Output \(output.output) (\(output.label)): NDCG \(ReportText.format(output.ndcg, 4))\n\n" }
            text += "| rank | feature | shift | PSI | mean \\|SHAP\\| baseline | mean \\|SHAP\\| current | rank baseline → current | sign flip | breached |\n"
            text += "|---:|---|---:|---:|---:|---:|---|---|---|\n"
            for (rank, f) in output.features.enumerated() {
                text += "| \(rank + 1) | \(f.name) | \(ReportText.format(f.shift * 100, 1))% | \(ReportText.format(f.psi, 3)) | \(ReportText.format(f.baselineMeanAbsShap, 4)) | \(ReportText.format(f.currentMeanAbsShap, 4)) | \(f.baselineRank) → \(f.currentRank) | \(f.signFlip ? "yes" : "") | \(f.breached ? "**yes**" : "") |\n"
            }
            text += "\n"
        }
        text += "Shift = Wasserstein-1 distance between the feature's baseline and current SHAP distributions, as a share of the total baseline mean |SHAP|.\n\n"
        text += "> \(report.note)\n"
        return text
    }
}

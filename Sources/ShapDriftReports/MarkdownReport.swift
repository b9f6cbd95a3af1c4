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
        text += recordsSection(report)
        text += "Shift = Wasserstein-1 distance between the feature's baseline and current SHAP distributions, as a share of the total baseline mean |SHAP|.\n\n"
        text += "> \(report.note)\n"
        return text
    }

    /// `## Data read`: records read and skipped by reason (the first few quoted), the window,
    /// the variants, and the sampling; empty for rows given in memory.
    static func recordsSection(_ report: DriftReport) -> String {
        guard let records = report.records else { return "" }
        var text = "## Data read\n\n"
        text += "- Records: \(records.read) read, \(records.skipped.count) skipped as bad"
        text += records.outsideWindow > 0 ? ", \(records.outsideWindow) outside the time window\n" : "\n"
        if let window = records.window {
            text += "- Time window: \(window.description)"
            text += records.filesOutsideWindow > 0 ? "; \(records.filesOutsideWindow) capture file(s) in hour folders outside it not opened\n" : "\n"
        }
        text += "- Files: \(records.filesRead)"
        text += records.variants.isEmpty ? "\n" : "; capture variants: \(records.variants.joined(separator: ", "))\n"
        if let sampling = report.sampling {
            text += "- Sampling: \(ReportText.format(sampling.rate * 100, 1))% of the records (seed \(sampling.seed)): \(sampling.rowsProfiled) of \(sampling.rowsSeen) rows profiled; baseline at \(ReportText.format(sampling.baselineRate * 100, 1))%\n"
        }
        if records.skipped.count > 0 {
            text += "\n| skipped because | records |\n|---|---:|\n"
            for (reason, count) in records.skipped.byReason.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
                text += "| \(reason.rawValue) | \(count) |\n"
            }
            text += "\nFirst skipped records:\n\n"
            for record in records.skipped.first {
                text += "- `\(record.file)\(record.line.map { ":\($0)" } ?? "")`: \(record.message.replacingOccurrences(of: "|", with: "\\|"))\n"
            }
        }
        return text + "\n"
    }
}

import ShapDriftCore
import ShapDriftDrift

/// `report.md`: the verdict, why each breached feature moved (in words, with its input values),
/// the ranked table per output, inputs, predictions, data quality and provenance, for people
/// (and as the body of a ticket).
public enum MarkdownReport {
    /// - Complexity: O(outputs × features).
    public static func text(_ report: DriftReport) -> String {
        let t = report.thresholds
        var text = "# ShapDrift report\n\n**\(ReportText.verdictLine(report))**\n\n"
        text += "- Rule: per output and feature, permutation tests of the SHAP distribution (rank sum) and of mean |SHAP|, "
            + "both samples' noise included; Holm over \(report.hypotheses) tests holds the false-alarm rate at α = \(t.alpha). "
            + "A feature breaches when significant and its shift ≥ \(ReportText.percent(t.minShift)) of the attribution mass. "
            + "Makes the verdict: \(report.failOn.map(\.rawValue).joined(separator: ", ")).\n"
        text += "- NDCG (SageMaker Clarify's feature-attribution drift score): **\(ReportText.format(report.ndcg, 4))**, threshold \(report.threshold.description)\(ReportText.intervalText(report))\n"
        text += "- Rows: \(report.rows) current, \(report.baselineRows) baseline\n"
        text += "- Model: \(report.model.modelFormat.rawValue) `\(report.model.objective)`, SHA-256 `\(report.model.modelSHA256.prefix(16))…`; method \(report.model.method.rawValue), attributions in \(report.model.outputSpaceDescription)\n"
        text += report.warnings.map { "- **Model warning:** \($0)\n" }.joined()
        text += "\n"

        let moved = report.outputs.flatMap { output in output.features.filter(\.significant).map { (output, $0) } }
        if !moved.isEmpty {
            text += "## Why the attributions moved\n\n"
            for (output, feature) in moved.sorted(by: { ($0.1.breached ? 0 : 1, -$0.1.shift) < ($1.1.breached ? 0 : 1, -$1.1.shift) }) {
                let which = report.outputs.count > 1 ? " [output \(output.displayName)]" : ""
                let floor = feature.breached ? "" : " (below the \(ReportText.percent(t.minShift)) floor: not a breach)"
                text += "- \(feature.breached ? "**breached** " : "")\(ReportText.explanation(feature))\(which)\(floor).\n"
            }
            text += "\n"
        }

        for output in report.outputs {
            if report.outputs.count > 1 {
                text += "## Output \(output.output) (\(output.displayName)): NDCG \(ReportText.format(output.ndcg, 4))\(output.ndcgBelowThreshold ? " below \(report.threshold.description)" : "")\n\n"
            } else {
                text += "## Features\n\n"
            }
            text += "| rank | feature | shift (95% interval) | adjusted p | mean \\|SHAP\\| baseline → current | rank baseline → current | cause | sign flip | breached |\n"
            text += "|---:|---|---|---:|---|---|---|---|---|\n"
            for (rank, f) in output.features.enumerated() {
                let interval = f.shiftInterval.map { " (\(ReportText.percent($0.lower))–\(ReportText.percent($0.upper)))" } ?? ""
                let cause = f.cause == .none ? "" : f.cause.rawValue + (f.partners.isEmpty ? "" : ": " + f.partners.joined(separator: ", "))
                text += "| \(rank + 1) | \(f.name) | \(ReportText.percent(f.shift))\(interval) | \(ReportText.pValue(f.adjustedPValue)) | \(ReportText.number(f.baselineMeanAbsShap)) → \(ReportText.number(f.currentMeanAbsShap)) | \(f.baselineRank) → \(f.currentRank) | \(cause) | \(f.signFlip ? "yes" : "") | \(f.breached ? "**yes**" : "") |\n"
            }
            text += "\n"
        }
        text += "Shift = Wasserstein-1 distance between the feature's baseline and current SHAP distributions, as a share of the attribution mass of both samples (Σ mean |SHAP|), in [0, 1]. Adjusted p = Holm-adjusted p-value of the feature's tests.\n\n"

        text += "## Input values\n\n| feature | baseline median (p05–p95) | current median (p05–p95) | missing baseline → current | distance | adjusted p | shifted |\n|---|---|---|---|---:|---:|---|\n"
        func range(_ summary: ValueSummary) -> String {
            guard let p50 = summary.p50 else { return "–" }
            return "\(ReportText.number(p50)) (\(ReportText.number(summary.p05 ?? p50))–\(ReportText.number(summary.p95 ?? p50)))"
        }
        for value in report.values {
            text += "| \(value.name)\(value.categorical ? " (categorical)" : "") | \(range(value.baseline)) | \(range(value.current)) | \(ReportText.percent(value.baseline.missingRate)) → \(ReportText.percent(value.current.missingRate)) | \(ReportText.format(value.distance, 3)) | \(ReportText.pValue(value.adjustedPValue)) | \(value.shifted ? "yes" : "") |\n"
        }
        text += "\n"

        if let prediction = report.prediction {
            text += "## Predictions\(report.failOn.contains(.prediction) ? "" : " (reported beside the verdict)")\n\n| output | space | baseline median (p05–p95) | current median (p05–p95) | distance | adjusted p | moved |\n|---|---|---|---|---:|---:|---|\n"
            for output in prediction.outputs {
                text += "| \(output.name ?? output.label) | \(output.space) | \(range(output.baseline)) | \(range(output.current)) | \(ReportText.format(output.distance, 3)) | \(ReportText.pValue(output.adjustedPValue)) | \(output.drifted ? "yes" : "") |\n"
            }
            text += "\n"
        }

        text += "## Data quality\n\n"
        if report.dataQuality.violations.isEmpty { text += "No violations.\n" }
        for violation in report.dataQuality.violations {
            text += "- `\(violation.checkType.rawValue)` \(violation.featureName): \(violation.description)\n"
        }
        for note in report.dataQuality.unavailable { text += "- Not checked: \(note)\n" }
        text += "\n"

        text += recordsSection(report)
        if let provenance = report.provenance { text += provenanceSection(provenance) }
        text += "> \(report.note)\n"
        return text
    }

    /// `## Data read`: records read and skipped by reason (the first few quoted), the window and
    /// the times read, the variants, and the sampling; empty for rows given in memory.
    static func recordsSection(_ report: DriftReport) -> String {
        guard let records = report.records else { return "" }
        var text = "## Data read\n\n"
        text += "- Records: \(records.read) read, \(records.skipped.count) skipped as bad"
        text += records.outsideWindow > 0 ? ", \(records.outsideWindow) outside the time window\n" : "\n"
        if let window = records.window {
            text += "- Time window: \(window.description)"
            text += records.filesOutsideWindow > 0 ? "; \(records.filesOutsideWindow) capture file(s) in hour folders outside it not opened\n" : "\n"
        }
        if let read = records.timesRead { text += "- Times of the records read: \(read.since ?? "") … \(read.until ?? "")\n" }
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

    static func provenanceSection(_ p: Provenance) -> String {
        var text = "## Provenance\n\n- Tool: \(p.tool)\n"
        if let command = p.commandLine { text += "- Command: `\(command.joined(separator: " "))`\n" }
        if !p.inputs.isEmpty { text += "- Data: \(p.inputs.joined(separator: ", "))\n" }
        var baseline = "- Baseline: \(p.baseline.path ?? "(in memory)")"
        if let sha = p.baseline.sha256 { baseline += ", SHA-256 `\(sha.prefix(16))…`" }
        baseline += ", \(p.baseline.rows) rows, created \(p.baseline.created ?? "unknown (profile format \(p.baseline.formatVersion))")"
        if let writer = p.baseline.writer { baseline += " by \(writer)" }
        text += baseline + "\n"
        if let model = p.model { text += "- Model file: \(model.path), SHA-256 `\(model.sha256.prefix(16))…`\n" }
        if let started = p.startedAt { text += "- Started: \(started)" + (p.runSeconds.map { ", ran \(ReportText.format($0, 2)) s" } ?? "") + "\n" }
        return text + "\n"
    }
}

// The umbrella module: `import ShapDrift` gives an embedding program the whole public API, layer
// by layer (docs/architecture.md):
//
// - ShapDriftCore: models, batches, errors, the support every layer uses;
// - ShapDriftFormats: model files and data readers;
// - ShapDriftAttribution: the attribution engines behind `Explainer`;
// - ShapDriftDrift: profiles, sketches, the comparator and `DriftReport`;
// - ShapDriftMonitor: `AttributionProfiler` and `DriftMonitor`, the monitor's loop;
// - ShapDriftReports: the report files and summaries.
@_exported import ShapDriftAttribution
@_exported import ShapDriftCore
@_exported import ShapDriftDrift
@_exported import ShapDriftFormats
@_exported import ShapDriftMonitor
@_exported import ShapDriftReports

"""Hand models to ShapDrift from a notebook, and read its reports back into pandas.

    from shapdrift_export import export_model, load_report, load_attributions
    export_model(model, "model.json")          # scikit-learn → ShapDrift JSON; XGBoost/LightGBM → native
    report = load_report("shapdrift-report")   # ranked features as a DataFrame, verdict in report.attrs
"""
from .exporter import SUPPORTED_ESTIMATORS, SCHEMA_VERSION, export_model, model_document
from .reports import load_attributions, load_report

__all__ = ["SUPPORTED_ESTIMATORS", "SCHEMA_VERSION", "export_model", "model_document", "load_attributions", "load_report"]

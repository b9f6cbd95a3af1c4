# %% [markdown]
# # ShapDrift quickstart
# Train a model, export it for ShapDrift, baseline its attributions on the training data, check
# newer traffic for feature-attribution drift, and read the report back into pandas.
# The same steps run as a test (`notebooks-export/tests/test_quickstart.py`).

# %%
import os
import shutil
import subprocess

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier

from shapdrift_export import export_model, load_report

SHAPDRIFT = os.environ.get("SHAPDRIFT_BIN") or shutil.which("shapdrift") or "../../.build/release/shapdrift"
workdir = os.environ.get("QUICKSTART_DIR", "quickstart-output")
os.makedirs(workdir, exist_ok=True)


def shapdrift(*arguments):
    """Runs the shapdrift command line; exit 1 (drift found) is a result, not a failure."""
    result = subprocess.run([SHAPDRIFT, *map(str, arguments)], capture_output=True, text=True)
    if result.returncode not in (0, 1):
        raise RuntimeError(result.stderr)
    print(result.stdout, end="")
    return result.returncode

# %% [markdown]
# ## 1. Train: a churn classifier on a pandas DataFrame (its column names travel with the export)

# %%
rng = np.random.default_rng(7)


def customers(count, drift=False):
    frame = pd.DataFrame({
        "tenure_months": rng.gamma(2.0, 12.0, count),
        "monthly_charges": rng.normal(65, 20, count),
        "support_calls": rng.poisson(1.5, count).astype(float),
        "late_payments": rng.poisson(0.5, count).astype(float),
    })
    if drift:
        frame["support_calls"] += 3
    return frame


train = customers(3000)
score = -0.05 * train["tenure_months"] + 0.02 * train["monthly_charges"] + 0.6 * train["support_calls"] + 0.7 * train["late_payments"] - 1
labels = (rng.random(len(train)) < 1 / (1 + np.exp(-score))).astype(int)
model = GradientBoostingClassifier(n_estimators=50, max_depth=3, random_state=0).fit(train, labels)
print(f"training accuracy {model.score(train, labels):.3f}")

# %% [markdown]
# ## 2. Export, and baseline the attributions on the training data

# %%
export_model(model, f"{workdir}/model.json")
train.to_csv(f"{workdir}/train.csv", index=False)
shapdrift("inspect", "--model", f"{workdir}/model.json")
shapdrift("baseline", "--model", f"{workdir}/model.json", "--data", f"{workdir}/train.csv", "--output", f"{workdir}/baseline.json")

# %% [markdown]
# ## 3. Check this week's traffic: support calls went up

# %%
customers(800, drift=True).to_csv(f"{workdir}/this_week.csv", index=False)
status = shapdrift("check", "--baseline", f"{workdir}/baseline.json", "--model", f"{workdir}/model.json",
                   "--data", f"{workdir}/this_week.csv", "--output-dir", f"{workdir}/report")
print("exit code", status)

# %% [markdown]
# ## 4. Read the report into pandas and plot the shift per feature

# %%
report = load_report(f"{workdir}/report")
print(report.attrs["verdict"], "NDCG", round(report.attrs["ndcg"], 3), "breached:", report.attrs["breached_features"])
report[["name", "shift", "adjusted_p_value", "cause", "baseline_mean_abs_shap", "current_mean_abs_shap", "breached"]]

# %%
figure, axis = plt.subplots(figsize=(6, 2.5))
colours = ["tab:red" if breached else "tab:gray" for breached in report["breached"]]
axis.barh(report["name"], report["shift"] * 100, color=colours)
axis.axvline(report.attrs["thresholds"]["min_shift"] * 100, linestyle="--", color="black", linewidth=1)
axis.invert_yaxis()
axis.set_xlabel("attribution mass moved (%)")
axis.set_title("Feature attribution shift (red: breached)")
figure.tight_layout()
figure.savefig(f"{workdir}/shift.png")
plt.close(figure)
figure

# %% [markdown]
# Only `support_calls` was shifted in the data, and its `cause` says so (`input`: its own values
# rose). Another feature may breach too with cause `interaction`: its own values did not change,
# but the trees combine it with support calls, so when customers call more the model leans on it
# differently. That is a real change in what drives the predictions, which is what attribution
# drift measures; `report.md` says each in words, with the input values.
#
# A drift finding means *investigate*: look at the breached features and the data feeding them.
# It is not a reason to retrain or roll back automatically.

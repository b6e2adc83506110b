"""Python variant of steps/train.mjs: scikit-learn's MLPClassifier, written as ONNX with the `onnx` package.

Usage (flowbench runs this): /usr/bin/python3 steps/train.py --learning-rate 0.003 --epochs 8 [--hidden 16]
    [--batch-size 256] [--l2 0] [--seed 7]
Needs numpy, scikit-learn and onnx (Debian: python3-numpy python3-sklearn python3-onnx) and Node on PATH, which
turns the Parquet input into CSV (steps/lib/parquet-to-csv.mjs) because plain Debian Python has no Parquet reader.
The model has the same graph, input, output and metadata as the Node trainer's, so steps/evaluate.mjs and any
deployment score it the same way.
"""
import argparse
import csv
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL_PATH = "models/model.onnx"
METRICS_PATH = "metrics/train.json"
OTHER = "<other>"  # same slot name as steps/lib/features.mjs


class StepError(Exception):
    pass


def load_libraries():
    try:
        import numpy
        import onnx
        import sklearn  # noqa: F401  (checked here so the message names every missing package)
    except ImportError as err:
        raise StepError(
            f"{err.name} is not installed for {sys.executable}. "
            "On Debian: apt-get install python3-numpy python3-sklearn python3-onnx"
        )
    return numpy, onnx


def parse_args(argv):
    def bounded(kind, low, high=math.inf):
        def parse(text):
            try:
                value = kind(text)
            except ValueError:
                raise argparse.ArgumentTypeError(f"must be {'an integer' if kind is int else 'a number'}, got '{text}'")
            if not (low <= value <= high) or (kind is float and not math.isfinite(value)):
                raise argparse.ArgumentTypeError(f"must be between {low} and {high}, got '{text}'")
            return value
        return parse

    parser = argparse.ArgumentParser(prog="train.py", description="Train the flight-delay classifier (Python variant).")
    parser.add_argument("--learning-rate", type=bounded(float, 1e-6, 10), default=0.003)
    parser.add_argument("--epochs", type=bounded(int, 1, 1000), default=8)
    parser.add_argument("--hidden", type=bounded(int, 0, 1024), default=16)
    parser.add_argument("--batch-size", type=bounded(int, 1), default=256)
    parser.add_argument("--l2", type=bounded(float, 0), default=0.0)
    parser.add_argument("--seed", type=bounded(int, 0, 2**32 - 1), default=7)
    return parser.parse_args(argv)


def input_path():
    path = os.environ.get("FLOWBENCH_INPUT_FEATURES")
    if not path:
        raise StepError(
            "FLOWBENCH_INPUT_FEATURES is not set. Run this step through flowbench with `inputs: [features]`, "
            "or set FLOWBENCH_INPUT_FEATURES to the Parquet file of the features table."
        )
    if not os.path.exists(path):
        raise StepError(f"FLOWBENCH_INPUT_FEATURES points at {path}, which does not exist.")
    return path


def read_rows(parquet, columns):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "features.csv")
        helper = os.path.join(HERE, "lib", "parquet-to-csv.mjs")
        done = subprocess.run(
            ["node", helper, parquet, out, ",".join(columns), "split IN ('train', 'valid')"],
            capture_output=True, text=True,
        )
        if done.returncode != 0:
            raise StepError(done.stderr.strip() or f"node {helper} failed with exit code {done.returncode}")
        with open(out, newline="") as f:
            return list(csv.DictReader(f))


def compare_key(value):
    """Numbers in numeric order before text, like compareKeys in features.mjs."""
    try:
        return (0, float(value), "")
    except ValueError:
        return (1, 0.0, value)


def fit_encoder(rows, spec):
    columns = []
    for s in spec:
        values = [r[s["column"]] for r in rows]
        if s["kind"] == "numeric":
            finite = [float(v) for v in values if v != "" and math.isfinite(float(v))]
            if not finite:
                raise StepError(f"numeric feature '{s['column']}' has no finite values")
            mean = sum(finite) / len(finite)
            std = math.sqrt(max(0.0, sum(v * v for v in finite) / len(finite) - mean * mean))
            columns.append({"column": s["column"], "kind": "numeric", "mean": mean, "scale": std if std > 1e-12 else 1})
        elif s["kind"] == "onehot":
            counts = {}
            for v in values:
                if v != "":
                    counts[v] = counts.get(v, 0) + 1
            ranked = sorted(counts.items(), key=lambda kv: (-kv[1], compare_key(kv[0])))
            kept = sorted((k for k, _ in ranked[: s.get("top", len(ranked))]), key=compare_key)
            columns.append({"column": s["column"], "kind": "onehot", "values": kept})
        else:
            raise StepError(f"feature '{s['column']}': unknown kind '{s['kind']}' (numeric or onehot)")
    return {"version": 1, "columns": columns}


def feature_names(encoder):
    names = []
    for c in encoder["columns"]:
        if c["kind"] == "numeric":
            names.append(c["column"])
        else:
            names.extend([f"{c['column']}={v}" for v in c["values"]] + [f"{c['column']}={OTHER}"])
    return names


def encode(np, encoder, rows):
    width = len(feature_names(encoder))
    out = np.zeros((len(rows), width), dtype=np.float32)
    offset = 0
    for c in encoder["columns"]:
        if c["kind"] == "numeric":
            for r, row in enumerate(rows):
                v = row[c["column"]]
                out[r, offset] = float(v) if v != "" and math.isfinite(float(v)) else c["mean"]
            offset += 1
        else:
            slot = {v: i for i, v in enumerate(c["values"])}
            for r, row in enumerate(rows):
                out[r, offset + slot.get(row[c["column"]], len(c["values"]))] = 1
            offset += len(c["values"]) + 1
    return out


def normalization(np, encoder):
    mean, scale = [], []
    for c in encoder["columns"]:
        if c["kind"] == "numeric":
            mean.append(c["mean"])
            scale.append(c["scale"])
        else:
            mean.extend([0.0] * (len(c["values"]) + 1))
            scale.extend([1.0] * (len(c["values"]) + 1))
    return np.array(mean, dtype=np.float32), np.array(scale, dtype=np.float32)


def log_loss(np, labels, probs):
    p = np.clip(probs, 1e-7, 1 - 1e-7)
    return float(-np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p)))


def to_onnx(np, onnx, mean, scale, coefs, intercepts, metadata):
    """The graph onnx-model.mjs writes: Sub, Div, (MatMul, Add, Relu)*, MatMul, Add, Sigmoid."""
    from onnx import TensorProto, helper, numpy_helper

    init = [numpy_helper.from_array(mean, "mean"), numpy_helper.from_array(scale, "scale")]
    nodes = [
        helper.make_node("Sub", ["features", "mean"], ["centered"], name="center"),
        helper.make_node("Div", ["centered", "scale"], ["standardized"], name="standardize"),
    ]
    current = "standardized"
    for i, (w, b) in enumerate(zip(coefs, intercepts)):
        last = i == len(coefs) - 1
        init += [numpy_helper.from_array(w.astype(np.float32), f"W{i}"), numpy_helper.from_array(b.astype(np.float32), f"b{i}")]
        nodes.append(helper.make_node("MatMul", [current, f"W{i}"], [f"matmul{i}"], name=f"matmul{i}"))
        nodes.append(helper.make_node("Add", [f"matmul{i}", f"b{i}"], ["logit" if last else f"linear{i}"], name=f"add{i}"))
        if not last:
            nodes.append(helper.make_node("Relu", [f"linear{i}"], [f"hidden{i}"], name=f"relu{i}"))
            current = f"hidden{i}"
    nodes.append(helper.make_node("Sigmoid", ["logit"], ["probability"], name="sigmoid"))
    graph = helper.make_graph(
        nodes, "flight_delay_classifier",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", len(mean)])],
        [helper.make_tensor_value_info("probability", TensorProto.FLOAT, ["N", 1])],
        init,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8,
                              producer_name="flowbench-example-python", producer_version="1")
    helper.set_model_props(model, metadata)
    onnx.checker.check_model(model)
    return model.SerializeToString()


def write_atomic(path, data):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    temp = f"{path}.{os.getpid()}.tmp"
    with open(temp, "wb") as f:
        f.write(data)
    os.replace(temp, path)


def main(argv):
    args = parse_args(argv)
    np, onnx = load_libraries()
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.metrics import roc_auc_score
    from sklearn.neural_network import MLPClassifier

    with open(os.path.join(HERE, "feature-spec.json")) as f:
        spec = json.load(f)
    label = spec["label"]
    source = input_path()
    started = time.time()
    rows = read_rows(source, [s["column"] for s in spec["features"]] + [label, "split"])
    train_rows = [r for r in rows if r["split"] == "train"]
    valid_rows = [r for r in rows if r["split"] == "valid"]
    if not train_rows:
        raise StepError(f"{source} has no rows with split = 'train'")
    for part, name in ((train_rows, "train"), (valid_rows, "valid")):
        bad = next((r[label] for r in part if r[label] not in ("0", "1")), None)
        if bad is not None:
            raise StepError(f"column {label} must be 0 or 1, found '{bad}' in the {name} rows")

    encoder = fit_encoder(train_rows, spec["features"])
    names = feature_names(encoder)
    mean, scale = normalization(np, encoder)
    x_train = (encode(np, encoder, train_rows) - mean) / scale
    y_train = np.array([int(r[label]) for r in train_rows])
    x_valid = (encode(np, encoder, valid_rows) - mean) / scale if valid_rows else None
    y_valid = np.array([int(r[label]) for r in valid_rows]) if valid_rows else None
    base_rate = float(y_train.mean())
    print(f"read {len(train_rows)} training and {len(valid_rows)} validation rows from {source} "
          f"({len(names)} inputs, {base_rate * 100:.1f}% delayed) in {time.time() - started:.1f}s", flush=True)
    kind = f"one hidden layer of {args.hidden} ReLU units" if args.hidden else "logistic regression"
    print(f"training {kind} with scikit-learn: {args.epochs} epochs, learning rate {args.learning_rate}, "
          f"batch {args.batch_size}, l2 {args.l2}, seed {args.seed}", flush=True)

    net = MLPClassifier(
        hidden_layer_sizes=(args.hidden,) if args.hidden else (), activation="relu", solver="adam",
        learning_rate_init=args.learning_rate, alpha=args.l2, batch_size=args.batch_size, random_state=args.seed,
        shuffle=True,
    )
    metrics_log = os.environ.get("FLOWBENCH_METRICS_LOG")
    best = None
    history = []
    for epoch in range(1, args.epochs + 1):
        tick = time.time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            net.partial_fit(x_train, y_train, classes=[0, 1])
        train_loss = log_loss(np, y_train, net.predict_proba(x_train)[:, 1])
        valid_loss = log_loss(np, y_valid, net.predict_proba(x_valid)[:, 1]) if x_valid is not None else None
        if not math.isfinite(train_loss):
            raise StepError(f"training diverged at epoch {epoch} (loss {train_loss}); lower --learning-rate")
        history.append((train_loss, valid_loss))
        print(f"epoch {epoch}/{args.epochs}  train_loss {train_loss:.5f}"
              + (f"  valid_loss {valid_loss:.5f}" if valid_loss is not None else "")
              + f"  ({time.time() - tick:.1f}s)", flush=True)
        if metrics_log:
            with open(metrics_log, "a") as f:
                f.write(json.dumps({"name": "train_loss", "value": train_loss, "step": epoch}) + "\n")
                if valid_loss is not None:
                    f.write(json.dumps({"name": "valid_loss", "value": valid_loss, "step": epoch}) + "\n")
        score = valid_loss if valid_loss is not None else train_loss
        if best is None or score < best[0]:
            best = (score, epoch, [w.copy() for w in net.coefs_], [b.copy() for b in net.intercepts_])

    _, best_epoch, coefs, intercepts = best
    net.coefs_, net.intercepts_ = coefs, intercepts
    valid_auc = float(roc_auc_score(y_valid, net.predict_proba(x_valid)[:, 1])) if x_valid is not None else None
    metadata = {
        "feature_names": json.dumps(names),
        "feature_encoder": json.dumps(encoder),
        "label": f"{label}: arrival delay of more than 15 minutes",
        "output": "probability: probability that the flight is delayed",
        "train_positive_rate": repr(base_rate),
        "train_rows": str(len(train_rows)),
        "hyperparameters": json.dumps(vars(args)),
    }
    data = to_onnx(np, onnx, mean, scale, coefs, intercepts, metadata)
    write_atomic(MODEL_PATH, data)
    train_loss, valid_loss = history[best_epoch - 1]
    metrics = {
        "train_rows": len(train_rows), "valid_rows": len(valid_rows), "inputs": len(names), "best_epoch": best_epoch,
        "train_loss": train_loss, "train_positive_rate": base_rate, "seconds": time.time() - started,
    }
    if valid_loss is not None:
        metrics.update(valid_loss=valid_loss, valid_auc=valid_auc)
    write_atomic(METRICS_PATH, (json.dumps(metrics, indent=2) + "\n").encode())
    print(f"kept epoch {best_epoch}" + (f", validation AUC {valid_auc:.4f}" if valid_auc is not None else "")
          + f"; wrote {MODEL_PATH} ({len(data)} bytes) and {METRICS_PATH}", flush=True)


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except StepError as err:
        print(f"train.py: error: {err}", file=sys.stderr)
        sys.exit(1)

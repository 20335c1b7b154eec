"""scripts/export-onnx.py exports a model faithfully for training, and warns
when an export is not faithful to the model.

  1. export_for_training on a model with a tied LM head: no warning, every
     parameter an initializer of its own name, the tie kept (one
     initializer), the loss a scalar output.
  2. The same model exported folded (eval mode, constant folding), as
     torch.onnx.export does by default: export_warnings names the Linear
     weight folded into a transposed copy, the tied table's untied copy, and
     the initializer count that no longer matches the parameters.
  3. A model that returns no loss: export_for_training warns through
     warnings.warn that no output is a scalar float.

Needs PyTorch and the onnx package in the python3 that runs it (Debian:
python3-torch, python3-onnx); exits 77 (skipped) without them.

    export_onnx_warnings.py SOURCE_DIR
"""

import importlib.util
import os
import sys
import tempfile
import warnings

try:
    import onnx
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as missing:
    print("skipped: %s (install python3-torch and python3-onnx)" % missing)
    sys.exit(77)


def fail(message):
    print("FAIL: %s" % message, file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def load_exporter(source_dir):
    path = os.path.join(source_dir, "scripts", "export-onnx.py")
    spec = importlib.util.spec_from_file_location("export_onnx", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class TiedDecoder(nn.Module):
    """An embedding, a Linear, and an LM head tied to the embedding."""

    def __init__(self, return_loss=True):
        super().__init__()
        self.return_loss = return_loss
        self.wte = nn.Embedding(16, 8)
        self.fc = nn.Linear(8, 8)
        self.head = nn.Linear(8, 16, bias=False)
        self.head.weight = self.wte.weight

    def forward(self, tokens, targets):
        logits = self.head(torch.relu(self.fc(self.wte(tokens))))
        if not self.return_loss:
            return logits * 1.0, targets
        return logits, F.cross_entropy(logits.view(-1, 16), targets.view(-1))


def main():
    exporter = load_exporter(sys.argv[1])
    torch.manual_seed(0)
    tokens = torch.randint(0, 16, (2, 4))
    targets = torch.randint(0, 16, (2, 4))
    names = (["tokens", "targets"], ["logits", "loss"])
    with tempfile.TemporaryDirectory() as work:
        # 1. The recipe: faithful.
        model = TiedDecoder()
        path = os.path.join(work, "tied.onnx")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            problems = exporter.export_for_training(
                model, (tokens, targets), path, *names)
        check(problems == [], "the recipe's export has problems: %s"
              % problems)
        ours = [w for w in caught if "tied.onnx" in str(w.message)]
        check(ours == [], "the recipe's export warned: %s"
              % [str(w.message) for w in ours])
        initializers = [t.name for t in onnx.load(path).graph.initializer]
        check(sorted(initializers) == ["fc.bias", "fc.weight", "wte.weight"],
              "initializers %s, expected the three parameters once each"
              % initializers)
        print("recipe: initializers %s, no warning" % initializers)

        # 2. Folded: the transposed weights become new initializers.
        folded = os.path.join(work, "folded.onnx")
        torch.onnx.export(model, (tokens, targets), folded, opset_version=17,
                          training=torch.onnx.TrainingMode.EVAL,
                          do_constant_folding=True,
                          input_names=names[0], output_names=names[1])
        problems = exporter.export_warnings(model, folded)
        for problem in problems:
            print("folded: %s" % problem)
        text = "\n".join(problems)
        check("parameter 'fc.weight' is not an initializer" in text,
              "the folded fc.weight is not reported")
        check(text.count("is a copy of parameter 'wte.weight'") == 1,
              "the untied copy of the tied table is not reported once")
        check("is a copy of parameter 'fc.weight'" in text,
              "the transposed copy of fc.weight is not reported")
        check("holds 2 of the model's 3 parameters" in text,
              "the initializer count is not reported")

        # 3. No loss output: warned through warnings.warn.
        no_loss = os.path.join(work, "no_loss.onnx")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            problems = exporter.export_for_training(
                TiedDecoder(return_loss=False), (tokens, targets), no_loss,
                names[0], ["logits", "targets_out"])
        messages = [str(w.message) for w in caught
                    if "no_loss.onnx" in str(w.message)]
        check(len(messages) == 1 and "no graph output is a scalar float"
              in messages[0], "a model without a loss warned %s" % messages)
        check(problems == [messages[0].split(": ", 1)[1]],
              "the returned problems %s differ from the warning" % problems)
        print("no loss: %s" % messages[0])
    print("ok")


if __name__ == "__main__":
    main()

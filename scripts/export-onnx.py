#!/usr/bin/env python3
"""Exports a PyTorch model to ONNX the way mpc trains it.

mpc imports a model whose graph computes its own loss, and trains the float
initializers that reach that loss, starting from their values
(docs/onnx.md). The export that gives it such a graph:

  - opset 17, the opset mpc's node table is written for;
  - training=torch.onnx.TrainingMode.TRAINING, so that nothing is exported in
    its inference form;
  - do_constant_folding=False, so that every parameter stays an initializer
    of its own name: folding turns `x @ W.T` into a new initializer holding
    W transposed, unties tied weights (one copy per use) and bakes other
    parameter maths into constants, none of which trains as the model does;
  - static shapes (no dynamic_axes): the inputs' shapes are those of the
    example inputs;
  - the loss inside the graph, as a scalar float output (the module's
    forward computes it, e.g. with F.cross_entropy);
  - the names of the parameters that require a gradient, as a JSON list in
    the model's metadata under "mpc.parameters": ONNX stores parameters and
    buffers (masks, rotary tables) alike as initializers, and this list is
    how mpc tells them apart (without it, it guesses; docs/onnx.md).

Requires PyTorch and the onnx package (Debian:
`apt-get install python3-torch python3-onnx`).

From Python:

    export_onnx = importlib.import_module(...)   # or runpy / importlib.util
    export_onnx.export_for_training(
        model, (tokens, targets), "model.onnx",
        input_names=["tokens", "targets"], output_names=["logits", "loss"])

From the command line, with a file that defines `make_model()` returning
the module and `example_inputs()` returning a tuple of tensors:

    scripts/export-onnx.py my_model.py model.onnx \\
        --input-names tokens targets --output-names logits loss

Afterwards `mpc-opt model.onnx` shows the imported graph, and
`mpc-run model.onnx --data tokens=... --data targets=...` trains it.

The export is checked against the model (export_warnings): a parameter that
is not an initializer of its own name, a float initializer that is neither a
parameter nor a buffer (a folded copy), or a parameter stored twice is
reported with warnings.warn, as is a graph without a scalar float output.
"""

import argparse
import importlib.util
import json
import sys
import warnings

PARAMETERS_METADATA_KEY = "mpc.parameters"


def declare_parameters(model, path):
    """Writes into the ONNX file at `path` the names of `model`'s parameters
    that require a gradient and are initializers of the export, as the JSON
    list mpc reads from the metadata key PARAMETERS_METADATA_KEY."""
    import onnx

    exported = onnx.load(path, load_external_data=False)
    initializers = {tensor.name for tensor in exported.graph.initializer}
    names = [name for name, p in model.named_parameters()
             if p.requires_grad and name in initializers]
    for entry in list(exported.metadata_props):
        if entry.key == PARAMETERS_METADATA_KEY:
            exported.metadata_props.remove(entry)
    entry = exported.metadata_props.add()
    entry.key = PARAMETERS_METADATA_KEY
    entry.value = json.dumps(names)
    onnx.save(exported, path)


def export_warnings(model, path):
    """What makes the ONNX file at `path` train differently from `model`.

    Returns one message per problem; none for a faithful export. Every
    parameter of the model (tied ones once, under the name
    `model.named_parameters()` gives) must be a float initializer of that
    name holding its values; every other float initializer must be a buffer
    of the model; no two initializers may hold the same parameter's values;
    and one graph output must be a scalar float (the loss).
    """
    import numpy as np
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(path).graph
    initializers = {tensor.name: numpy_helper.to_array(tensor)
                    for tensor in graph.initializer}
    floats = {name: value for name, value in initializers.items()
              if np.issubdtype(value.dtype, np.floating)}
    parameters = {name: p.detach().cpu().numpy()
                  for name, p in model.named_parameters()}
    buffers = {name for name, _ in model.named_buffers()}
    problems = []

    for name, value in parameters.items():
        stored = floats.get(name)
        if stored is None:
            problems.append(
                "parameter '%s' is not an initializer of the export (folded "
                "into another tensor, or renamed)" % name)
        elif stored.shape != value.shape or not np.array_equal(stored, value):
            problems.append(
                "initializer '%s' does not hold parameter '%s' as the model "
                "stores it (shape %s, the parameter's %s)"
                % (name, name, list(stored.shape), list(value.shape)))

    for name, value in floats.items():
        if name in parameters or name in buffers:
            continue
        copies = [p for p, v in parameters.items()
                  if v.size == value.size and
                  (np.array_equal(v.reshape(value.shape), value) or
                   (v.ndim == 2 and v.T.shape == value.shape and
                    np.array_equal(v.T, value)))]
        if copies:
            problems.append(
                "initializer '%s' is a copy of parameter '%s' (folded or "
                "tied weights untied): it would train apart from it"
                % (name, copies[0]))
        else:
            problems.append(
                "float initializer '%s' is neither a parameter nor a buffer "
                "of the model (a constant folded from them?)" % name)

    trained = [name for name in floats if name in parameters]
    if len(trained) != len(parameters):
        problems.append(
            "the export holds %d of the model's %d parameters as "
            "initializers" % (len(trained), len(parameters)))

    scalar_losses = [
        output.name for output in graph.output
        if output.type.tensor_type.elem_type in (
            onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT16,
            onnx.TensorProto.BFLOAT16)
        and output.type.tensor_type.HasField("shape")
        and len(output.type.tensor_type.shape.dim) == 0]
    if not scalar_losses:
        problems.append(
            "no graph output is a scalar float: compute the loss in the "
            "model's forward and return it")
    return problems


def export_for_training(model, example_inputs, path, input_names,
                        output_names):
    """Exports `model` to `path` for training with mpc; returns the warnings.

    `example_inputs` is a tuple of tensors (the inputs of model.forward, the
    targets included), whose shapes become the graph's static input shapes;
    `input_names` and `output_names` name the graph's inputs and outputs in
    order, one of the outputs being the scalar loss. Each problem
    export_warnings finds is also reported with warnings.warn.
    """
    import torch

    was_training = model.training
    model.train()
    try:
        torch.onnx.export(
            model, tuple(example_inputs), path,
            export_params=True,
            opset_version=17,
            training=torch.onnx.TrainingMode.TRAINING,
            do_constant_folding=False,
            input_names=list(input_names),
            output_names=list(output_names))
    finally:
        model.train(was_training)
    declare_parameters(model, path)
    problems = export_warnings(model, path)
    for problem in problems:
        warnings.warn("%s: %s" % (path, problem), stacklevel=2)
    return problems


def main():
    parser = argparse.ArgumentParser(
        description="Exports a PyTorch model to ONNX for training with mpc.")
    parser.add_argument("model_file",
                        help="a Python file defining make_model() and "
                             "example_inputs()")
    parser.add_argument("output", help="the .onnx file to write")
    parser.add_argument("--input-names", nargs="+", required=True)
    parser.add_argument("--output-names", nargs="+", required=True)
    args = parser.parse_args()

    spec = importlib.util.spec_from_file_location("exported_model",
                                                  args.model_file)
    source = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(source)
    problems = export_for_training(source.make_model(),
                                   source.example_inputs(), args.output,
                                   args.input_names, args.output_names)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

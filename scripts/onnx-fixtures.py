#!/usr/bin/python3
"""Writes the ONNX fixtures of tests/fixtures/onnx: tiny models exported
from PyTorch, with PyTorch's loss and gradients at initialization.

    scripts/onnx-fixtures.py [--out tests/fixtures/onnx] [NAME ...]

Each model is written as PyTorch users write it, built with a fixed seed and
exported with scripts/export-onnx.py (opset 17, training mode, no constant
folding, static shapes, the loss inside the graph). For each NAME (default:
all) the script writes OUT/NAME/:

  model.onnx              the export
  <input>.npy             one batch for each graph input (int64 token ids
                          and targets, or f32 features)
  loss.npy                PyTorch's f32 loss on that batch at init
  grads/<param>.npy       PyTorch's f32 gradient of that loss for every
                          parameter, named by its ONNX initializer
  train/<input>.npy       64 rows of a learnable task, for training checks

The fixtures:

  gpt2    a GPT-2 decoder written as nanoGPT writes it: token and position
          embeddings, pre-LN blocks (nn.LayerNorm), c_attn split into q, k, v
          with .split, heads by view/transpose, a causal mask from a
          registered `tril` buffer through masked_fill(-inf), softmax,
          GELU(approximate='tanh'), the LM head tied to the token embedding,
          F.cross_entropy
  llama   a LLaMA decoder: RMSNorm as x * rsqrt(mean(x^2) + eps) * w, rotary
          embeddings from cos/sin buffers with rotate_half (slices and
          cat(-x2, x1)), a SwiGLU MLP with F.silu, a causal mask from
          torch.triu, no biases, an untied head, F.cross_entropy
  mlp     two nn.Linear layers (Gemm) with ReLU, and the cross-entropy
          written as -(log_softmax(logits) * one_hot).sum(-1).mean() against
          f32 one-hot targets

Running it again writes identical files. Requires PyTorch and the onnx
package (Debian: `apt-get install python3-torch python3-onnx`).
"""

import argparse
import importlib.util
import math
import os
import shutil
import sys
import warnings

import numpy as np
import torch
import torch.nn as nn
from torch.nn import functional as F

VOCAB = 64
LAYERS = 2
CHANNELS = 32
HEADS = 4
SEQUENCE = 16
BATCH = 4
TRAIN_ROWS = 64
SEED = 0


def load_exporter():
    """scripts/export-onnx.py, whose name is not a module name."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "export-onnx.py")
    spec = importlib.util.spec_from_file_location("export_onnx", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- GPT-2, as nanoGPT (model.py) writes it ---------------------------------

class CausalSelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_attn = nn.Linear(CHANNELS, 3 * CHANNELS)
        self.c_proj = nn.Linear(CHANNELS, CHANNELS)
        self.n_head = HEADS
        self.n_embd = CHANNELS
        self.register_buffer(
            "bias", torch.tril(torch.ones(SEQUENCE, SEQUENCE))
            .view(1, 1, SEQUENCE, SEQUENCE))

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
        att = F.softmax(att, dim=-1)
        y = att @ v
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y)


class GptMlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_fc = nn.Linear(CHANNELS, 4 * CHANNELS)
        self.gelu = nn.GELU(approximate="tanh")
        self.c_proj = nn.Linear(4 * CHANNELS, CHANNELS)

    def forward(self, x):
        return self.c_proj(self.gelu(self.c_fc(x)))


class GptBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(CHANNELS)
        self.attn = CausalSelfAttention()
        self.ln_2 = nn.LayerNorm(CHANNELS)
        self.mlp = GptMlp()

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class Gpt2(nn.Module):
    def __init__(self):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(VOCAB, CHANNELS),
            wpe=nn.Embedding(SEQUENCE, CHANNELS),
            h=nn.ModuleList([GptBlock() for _ in range(LAYERS)]),
            ln_f=nn.LayerNorm(CHANNELS)))
        self.lm_head = nn.Linear(CHANNELS, VOCAB, bias=False)
        self.transformer.wte.weight = self.lm_head.weight
        self.apply(self._init_weights)
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * LAYERS))

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(self, idx, targets):
        b, t = idx.size()
        pos = torch.arange(0, t, dtype=torch.long, device=idx.device)
        tok_emb = self.transformer.wte(idx)
        pos_emb = self.transformer.wpe(pos)
        x = tok_emb + pos_emb
        for block in self.transformer.h:
            x = block(x)
        x = self.transformer.ln_f(x)
        logits = self.lm_head(x)
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)),
                               targets.view(-1))
        return logits, loss


# --- LLaMA ------------------------------------------------------------------

class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) \
            * self.weight


def rotate_half(x):
    x1 = x[..., : x.shape[-1] // 2]
    x2 = x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


class LlamaAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.n_head = HEADS
        self.head_dim = CHANNELS // HEADS
        self.wq = nn.Linear(CHANNELS, CHANNELS, bias=False)
        self.wk = nn.Linear(CHANNELS, CHANNELS, bias=False)
        self.wv = nn.Linear(CHANNELS, CHANNELS, bias=False)
        self.wo = nn.Linear(CHANNELS, CHANNELS, bias=False)

    def forward(self, x, cos, sin):
        B, T, C = x.shape
        q = self.wq(x).view(B, T, self.n_head, self.head_dim).transpose(1, 2)
        k = self.wk(x).view(B, T, self.n_head, self.head_dim).transpose(1, 2)
        v = self.wv(x).view(B, T, self.n_head, self.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(self.head_dim)
        mask = torch.full((T, T), float("-inf"))
        mask = torch.triu(mask, diagonal=1)
        scores = F.softmax(scores + mask, dim=-1)
        y = (scores @ v).transpose(1, 2).contiguous().view(B, T, C)
        return self.wo(y)


class SwiGlu(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.w1 = nn.Linear(CHANNELS, hidden, bias=False)
        self.w2 = nn.Linear(hidden, CHANNELS, bias=False)
        self.w3 = nn.Linear(CHANNELS, hidden, bias=False)

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class LlamaBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention_norm = RMSNorm(CHANNELS)
        self.attention = LlamaAttention()
        self.ffn_norm = RMSNorm(CHANNELS)
        self.feed_forward = SwiGlu()

    def forward(self, x, cos, sin):
        x = x + self.attention(self.attention_norm(x), cos, sin)
        return x + self.feed_forward(self.ffn_norm(x))


class Llama(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok_embeddings = nn.Embedding(VOCAB, CHANNELS)
        self.layers = nn.ModuleList([LlamaBlock() for _ in range(LAYERS)])
        self.norm = RMSNorm(CHANNELS)
        self.output = nn.Linear(CHANNELS, VOCAB, bias=False)
        head_dim = CHANNELS // HEADS
        inv_freq = 1.0 / (10000 ** (torch.arange(0, head_dim, 2).float()
                                    / head_dim))
        freqs = torch.outer(torch.arange(SEQUENCE).float(), inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        self.register_buffer("cos_cached", emb.cos())
        self.register_buffer("sin_cached", emb.sin())
        for p in self.parameters():
            if p.dim() == 2:
                nn.init.normal_(p, mean=0.0, std=0.02)

    def forward(self, tokens, targets):
        _, T = tokens.shape
        h = self.tok_embeddings(tokens)
        cos, sin = self.cos_cached[:T], self.sin_cached[:T]
        for layer in self.layers:
            h = layer(h, cos, sin)
        logits = self.output(self.norm(h))
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)),
                               targets.view(-1))
        return logits, loss


# --- an MLP that imports with the ops mapped today ---------------------------

class Mlp(nn.Module):
    def __init__(self, features=16, hidden=32, classes=10):
        super().__init__()
        self.fc1 = nn.Linear(features, hidden)
        self.fc2 = nn.Linear(hidden, classes)

    def forward(self, x, targets):
        logits = self.fc2(F.relu(self.fc1(x)))
        loss = -(F.log_softmax(logits, dim=-1) * targets).sum(-1).mean()
        return logits, loss


# --- data -------------------------------------------------------------------

def counting_sequences(rng, rows):
    """Token ids that count up by a per-row stride mod VOCAB: the next token
    follows from the last two, so a decoder learns it quickly."""
    start = rng.integers(0, VOCAB, (rows, 1))
    stride = rng.integers(1, 4, (rows, 1))
    ids = (start + stride * np.arange(SEQUENCE + 1)) % VOCAB
    return {"tokens": ids[:, :-1].astype(np.int64),
            "targets": ids[:, 1:].astype(np.int64)}


def decoder_batch(rng):
    """One batch of uniformly drawn tokens and targets."""
    return {"tokens": rng.integers(0, VOCAB, (BATCH, SEQUENCE)).astype(np.int64),
            "targets": rng.integers(0, VOCAB, (BATCH, SEQUENCE)).astype(np.int64)}


def mlp_rows(rng, rows):
    """Features and the one-hot class of a fixed linear map of them."""
    x = rng.standard_normal((rows, 16)).astype(np.float32)
    mixing = np.random.default_rng(SEED + 1).standard_normal((16, 10))
    classes = np.argmax(x @ mixing, axis=1)
    return {"x": x, "targets": np.eye(10, dtype=np.float32)[classes]}


FIXTURES = {
    # name: (model class, input names, one batch, training rows)
    "gpt2": (Gpt2, ["tokens", "targets"], decoder_batch,
             lambda rng: counting_sequences(rng, TRAIN_ROWS)),
    "llama": (Llama, ["tokens", "targets"], decoder_batch,
              lambda rng: counting_sequences(rng, TRAIN_ROWS)),
    "mlp": (Mlp, ["x", "targets"], lambda rng: mlp_rows(rng, 8),
            lambda rng: mlp_rows(rng, TRAIN_ROWS)),
}


def write_fixture(exporter, name, directory):
    model_class, input_names, batch, train_rows = FIXTURES[name]
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    model = model_class()
    inputs = batch(rng)
    train = train_rows(rng)

    if os.path.exists(directory):
        shutil.rmtree(directory)
    os.makedirs(os.path.join(directory, "grads"))
    os.makedirs(os.path.join(directory, "train"))
    problems = exporter.export_for_training(
        model, tuple(torch.from_numpy(inputs[n]) for n in input_names),
        os.path.join(directory, "model.onnx"), input_names,
        ["logits", "loss"])
    if problems:
        sys.exit("%s: the export is not faithful to the model" % name)

    model.zero_grad()
    _, loss = model(*(torch.from_numpy(inputs[n]) for n in input_names))
    loss.backward()
    for input_name in input_names:
        np.save(os.path.join(directory, input_name + ".npy"),
                inputs[input_name])
        np.save(os.path.join(directory, "train", input_name + ".npy"),
                train[input_name])
    np.save(os.path.join(directory, "loss.npy"),
            loss.detach().numpy().astype(np.float32))
    # named_parameters() names a tied parameter once, as the export does.
    for param_name, param in model.named_parameters():
        np.save(os.path.join(directory, "grads", param_name + ".npy"),
                param.grad.numpy().astype(np.float32))
    print("%s: loss %.6f, %d parameters" %
          (directory, loss.item(), len(list(model.parameters()))))


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(
        description="Writes the ONNX fixtures of tests/fixtures/onnx.")
    parser.add_argument("--out",
                        default=os.path.join(root, "tests", "fixtures", "onnx"))
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="fixtures to write: %s (default: all)"
                        % ", ".join(sorted(FIXTURES)))
    args = parser.parse_args()
    for name in args.names:
        if name not in FIXTURES:
            parser.error("unknown fixture '%s' (known: %s)"
                         % (name, ", ".join(sorted(FIXTURES))))
    # nanoGPT's 1/sqrt(k.size(-1)) is a constant at T=16, as the tracer says.
    warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    exporter = load_exporter()
    for name in args.names or sorted(FIXTURES):
        write_fixture(exporter, name, os.path.join(args.out, name))
    return 0


if __name__ == "__main__":
    sys.exit(main())

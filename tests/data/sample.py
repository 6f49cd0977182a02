"""A small training script with two misuses and one suppressed line."""

import torch
import torch.nn.functional as F


def step(model, x, y):
    out = model(x)
    probs = F.softmax(out, dim=1)
    loss = F.cross_entropy(probs, y)
    lp = torch.log(F.softmax(out, dim=1))
    quiet = torch.log(torch.sigmoid(out))  # noqa: LGT002
    return loss, lp, quiet

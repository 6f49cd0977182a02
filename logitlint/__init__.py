"""logitlint: finds logits misuse (softmax/sigmoid/log mix-ups) in Python ML code."""

__version__ = "0.1.0"

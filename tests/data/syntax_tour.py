"""Every statement and expression form, for the walk-order test (never run)."""
# a header comment

from __future__ import annotations

import os.path as osp
from typing import *  # noqa

import torch
import torch.nn.functional as F


@decorator(arg=1)
@other.decorator
async def coroutine(a, /, b: int = 2, *args: str, c, d=3, **kwargs) -> list[int]:
    global counter
    counter += 1
    async with lock as (x, y), other():
        await thing(x)
    async for item in stream():
        yield item
    return [i async for i in stream() if i]


class Model(Base, metaclass=Meta):
    attribute: int = 0

    def __init__(self, width):
        super().__init__()
        self.act = torch.nn.Softmax(dim=1)
        self.loss = torch.nn.CrossEntropyLoss()

    def forward(self, x, y=None):
        nonlocal_value = lambda q, *r, s=1, **t: q + s
        probs = self.act(x)
        if y is None:
            return probs
        elif y == 0:
            pass
        else:
            del nonlocal_value
        while True:
            break
        for i, (j, k) in enumerate([(1, 2)]):
            continue
        else:
            pass
        try:
            value = F.softmax(x, dim=-1)
        except (ValueError, TypeError) as error:
            raise RuntimeError("bad") from error
        except Exception:
            raise
        else:
            value = None
        finally:
            assert value is not None, "value"
        with open(osp.join("a", "b")) as handle:
            text = handle.read()
        return self.loss(torch.log(probs + 1e-8), y)


def expressions(a, b, c):
    x = a if b else c
    y = not a and (b or c)
    z = -a + b * c @ a // b % c ** 2 - (a << 1 >> 2 | b & c ^ ~a)
    w = a < b <= c != a is not b in c not in a > b >= c
    s = a[1:2, ::3, ...][0]
    t = {**a, "k": b, c: [1, 2.5, 3j]}
    u = {1, 2, *a}
    v = (1,)
    l = [*a, b]
    f = f"{a!r:>{b}} and {c=}" "plain"
    by = rb"bytes"
    g = (n for n in a if n)
    d = {k: v for k, v in a.items()}
    e = {m for m in b}
    if (n := len(a)) > 10:
        x += 1
        y -= 1
        z *= 2
        w **= 2
    h: dict[str, int] = {}
    x, *rest = a
    a.b.c = b[0] = c
    print(*a, sep="", **b)
    return x, y, z, w, s, t, u, v, l, f, by, g, d, e, h, rest


def matching(command):
    match command:
        case ["go", direction] if direction:
            return direction
        case {"key": value, **others}:
            return value
        case Point(x=0, y=0) | Point(1, 2):
            return None
        case str() as text:
            return text
        case [1, *_]:
            return 1
        case _:
            return -1


def generic[T: int, *Ts, **P](value: T) -> T:
    type Alias = list[T]
    return value


try:
    import missing
except* ImportError as group:
    missing = None

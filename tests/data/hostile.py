"""A file that leaves a marker beside itself if anything imports, runs or evaluates it.

tests/test_fix_safety.py copies it into a temporary directory, lints and fixes it,
and checks that no marker appeared. It also holds misuse for the fixer to rewrite.
"""

import pathlib

import torch

MARKER = pathlib.Path(__file__).with_name("MARKER")
MARKER.write_text("imported\n")


def leave_marker(why="called"):
    MARKER.write_text(why + "\n")
    return torch.zeros(3)


class Model(torch.nn.Module):
    side_effect = leave_marker("class body")

    def forward(self, x, scale=leave_marker("default argument")):
        return torch.log(torch.softmax(x, dim=-1))


@leave_marker
def decorated():
    return torch.log(torch.sigmoid(torch.ones(2)))


if __name__ == "__main__":
    leave_marker("run as a script")

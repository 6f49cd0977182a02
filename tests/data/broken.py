import torch
import torch.nn.functional as F

def oops(x:
    return torch.log(F.softmax(x, 1))

import torch.nn.functional as F

def oops(x:
    return F.softmax(x, 1)

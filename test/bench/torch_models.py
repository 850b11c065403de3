# Engram's memory models written again in PyTorch, one class per model, with the sizes, layers, loss
# and read/write steps of engine/models/*.ts, for the reference side of `engram bench`. Each class
# computes `memory_floats()` as Engram does, so the runner can check the two sides agree on sizes.
# Python (Debian's python3-torch).
import math

import torch
import torch.nn.functional as F
from torch import nn


def glorot(fan_in, fan_out):
    return nn.Parameter(torch.randn(fan_in, fan_out) * math.sqrt(2 / (fan_in + fan_out)))


class Dense(nn.Module):
    """x·W + b over the last axis (engine/core/layers.ts dense/applyDense)."""

    def __init__(self, fan_in, fan_out):
        super().__init__()
        self.W = glorot(fan_in, fan_out)
        self.b = nn.Parameter(torch.zeros(fan_out))

    def forward(self, x):
        return x @ self.W + self.b


def output_activation(kind, raw):
    if kind == 'bipolar':
        return torch.tanh(raw)
    if kind == 'image':
        return torch.sigmoid(raw)
    return raw


def layer_norm(x, gain, bias, eps=1e-5):
    mean = x.mean(-1, keepdim=True)
    var = (x - mean).pow(2).mean(-1, keepdim=True)
    return (x - mean) * torch.rsqrt(var + eps) * gain + bias


def per_query(t, q):
    """[B, ...] → [B·Q, ...], one copy of each episode's state per query (sequence-reading.ts perQuery)."""
    return t.unsqueeze(1).expand(t.shape[0], q, *t.shape[1:]).reshape(t.shape[0] * q, *t.shape[1:])


class Readout(nn.Module):
    """sequence-reading.ts: a ReLU layer (when hidden > 0), then a linear one, then the task's activation."""

    def __init__(self, fan_in, hidden, fan_out, kind):
        super().__init__()
        self.hidden = Dense(fan_in, hidden) if hidden > 0 else None
        self.out = Dense(hidden if hidden > 0 else fan_in, fan_out)
        self.kind = kind

    def forward(self, h):
        features = torch.relu(self.hidden(h)) if self.hidden is not None else h
        return output_activation(self.kind, self.out(features))


class MemoryModel(nn.Module):
    """write(items) → state, read(state, queries) → retrieved; loss = the task's loss of a write-then-read episode."""

    def episode(self, episode):
        return self.read(self.write(episode.items), episode.queries)

    def loss(self, episode, task):
        return task.loss(self.episode(episode), episode.targets)


class SlotMemory(MemoryModel):
    def __init__(self, c, task):
        super().__init__()
        self.slots = task.set_size
        self.width = c['budgetFloats'] // self.slots
        self.hops = c['hops']
        # One embedding for items and queries (tied, as slot-memory.ts).
        self.embed = Dense(task.input_dim, self.width)
        self.decode = Dense(self.width, task.output_dim)
        self.log_beta = nn.Parameter(torch.tensor(math.log(math.sqrt(self.width))))
        self.kind = task.output

    def write(self, items):
        return self.embed(items)  # [B, N, S]

    def read(self, slots, queries):
        beta = self.log_beta.exp()
        u = self.embed(queries)
        o = u
        for hop in range(self.hops):
            weights = torch.softmax(u @ slots.transpose(1, 2) * beta, -1)
            o = weights @ slots
            if hop + 1 < self.hops:
                u = u + o
        return output_activation(self.kind, self.decode(o))

    def memory_floats(self):
        return self.slots * self.width


class Hopfield(MemoryModel):
    def __init__(self, c, task):
        super().__init__()
        self.rule, self.schedule, self.max_iterations = c['rule'], c['read'], c['maxIterations']
        self.d = task.input_dim
        self.orders = [torch.randperm(self.d) for _ in range(self.max_iterations)]

    def zero_diagonal(self, w):
        return w * (1 - torch.eye(self.d))

    def write(self, items):
        b, n, d = items.shape
        w = torch.zeros(b, d, d)
        if self.rule == 'hebb':
            return self.zero_diagonal(w + items.transpose(1, 2) @ items / d)
        if self.rule == 'storkey':
            for mu in range(n):
                x = items[:, mu:mu + 1, :]  # [B, 1, d]
                h = x @ w
                x_col, h_col, sq = x.transpose(1, 2), h.transpose(1, 2), x.square()
                delta = x_col * x - x_col * h - h_col * x + w * (sq.transpose(1, 2) + sq)
                w = self.zero_diagonal(w + delta / d)
            return w
        residual = items - items @ w
        gram = residual @ residual.transpose(1, 2) + torch.eye(n) * 1e-6 * d
        solved = torch.cholesky_solve(residual, torch.linalg.cholesky(gram))
        return w + residual.transpose(1, 2) @ solved

    def read(self, weights, queries):
        w = self.zero_diagonal(weights)
        x = queries.clone()
        if self.schedule == 'sync':
            for _ in range(self.max_iterations):
                nxt = torch.where(x @ w >= 0, 1.0, -1.0)
                if torch.equal(nxt, x):
                    break
                x = nxt
            return x
        # Unit by unit in a fixed order, every query at once (the sweep is sequential over units).
        for sweep in range(self.max_iterations):
            before = x.clone()
            for i in self.orders[sweep].tolist():
                field = (x * w[:, i, :].unsqueeze(1)).sum(-1)  # [B, Q]
                x[:, :, i] = torch.where(field >= 0, 1.0, -1.0)
            if torch.equal(before, x):
                break
        return x

    def memory_floats(self):
        return self.d * (self.d - 1) // 2 + self.d


class ModernHopfield(MemoryModel):
    def __init__(self, c, task):
        super().__init__()
        d = task.input_dim
        self.beta, self.iterations = c['beta'], c['iterations']
        self.stored = d if c['budgetFloats'] is None else min(d, c['budgetFloats'] // task.set_size)
        self.set_size = task.set_size

    def write(self, items):
        return items[:, :, :self.stored]

    def read(self, x, queries):
        xi, tail = queries[:, :, :self.stored], queries[:, :, self.stored:]
        for _ in range(self.iterations):
            xi = torch.softmax(xi @ x.transpose(1, 2) * self.beta, -1) @ x
        return torch.cat([xi, tail], 2)

    def memory_floats(self):
        return self.set_size * self.stored


class Lstm(MemoryModel):
    def __init__(self, c, task):
        super().__init__()
        h = c['hiddenSize'] if c['hiddenSize'] is not None else c['budgetFloats'] // 2
        self.H, self.read_steps = h, c['readSteps']
        self.input = Dense(task.input_dim, 4 * h)
        with torch.no_grad():
            self.input.b[h:2 * h] = 1.0
        self.recurrent = nn.Parameter(torch.randn(h, 4 * h) * math.sqrt(2 / (5 * h)))
        self.readout = Readout(h, c['readoutSize'], task.output_dim, task.output)

    def step(self, x, h, c):
        i, f, g, o = (x + h @ self.recurrent).chunk(4, -1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        return torch.sigmoid(o) * torch.tanh(c), c

    def write(self, items):
        b = items.shape[0]
        h = torch.zeros(b, self.H)
        c = torch.zeros(b, self.H)
        for x in self.input(items).unbind(1):
            h, c = self.step(x, h, c)
        return h, c

    def read(self, state, queries):
        b, q, _ = queries.shape
        x = self.input(queries).reshape(b * q, 4 * self.H)
        h, c = per_query(state[0], q), per_query(state[1], q)
        for _ in range(self.read_steps):
            h, c = self.step(x, h, c)
        return self.readout(h).reshape(b, q, -1)

    def memory_floats(self):
        return 2 * self.H


class FastWeights(MemoryModel):
    def __init__(self, c, task):
        super().__init__()
        r = c['hiddenSize'] if c['hiddenSize'] is not None else int((math.sqrt(1 + 4 * c['budgetFloats']) - 1) / 2)
        self.R, self.decay, self.rate = r, c['decay'], c['fastLearningRate']
        self.inner, self.read_steps = c['innerSteps'], c['readSteps']
        self.input = Dense(task.input_dim, r)
        self.recurrent = nn.Parameter(torch.eye(r) * 0.05)
        self.layer = c['normalisation'] == 'layer'
        self.gain = nn.Parameter(torch.ones(r)) if self.layer else None
        self.bias = nn.Parameter(torch.zeros(r)) if self.layer else None
        self.readout = Readout(r, c['readoutSize'], task.output_dim, task.output)

    def activate(self, x):
        return torch.relu(layer_norm(x, self.gain, self.bias) if self.layer else x)

    def transition(self, x, h, a):
        boundary = x + (h @ self.recurrent).unsqueeze(1)  # [rows, q, R]
        hs = self.activate(boundary)
        if a is not None:
            for _ in range(self.inner):
                hs = self.activate(boundary + hs @ a)
        return hs

    def update(self, a, h):
        return a * self.decay + h.unsqueeze(2) * h.unsqueeze(1) * self.rate

    def write(self, items):
        b = items.shape[0]
        h = torch.zeros(b, self.R)
        a = torch.zeros(b, self.R, self.R) if self.inner > 0 else None
        for x in self.input(items).unbind(1):
            h = self.transition(x.unsqueeze(1), h, a).squeeze(1)
            if a is not None:
                a = self.update(a, h)
        return h, a

    def read(self, state, queries):
        b, q, _ = queries.shape
        h, a = state
        x = self.input(queries)
        if self.read_steps == 1:
            h = self.transition(x, h, a)
        else:
            rows = x.reshape(b * q, 1, self.R)
            a = per_query(a, q) if a is not None else None
            h = per_query(h, q)
            for s in range(self.read_steps):
                h = self.transition(rows, h, a).squeeze(1)
                if a is not None and s + 1 < self.read_steps:
                    a = self.update(a, h)
        return self.readout(h).reshape(b, q, -1)

    def memory_floats(self):
        return self.R * self.R + self.R if self.inner > 0 else self.R


class Plasticity(MemoryModel):
    def __init__(self, c, task):
        super().__init__()
        n = c['hiddenSize'] if c['hiddenSize'] is not None else int((math.sqrt(1 + 4 * c['budgetFloats']) - 1) / 2)
        self.N, self.rule, self.read_steps = n, c['rule'], c['readSteps']
        self.input = Dense(task.input_dim, n)
        self.w = nn.Parameter(torch.randn(n, n) * 0.01)
        self.plastic = self.rule != 'none'
        if self.plastic:
            self.alpha = nn.Parameter(torch.randn(n, n) * 0.01)
            self.eta_logit = nn.Parameter(torch.tensor(math.log(0.01 / 0.99)))
        self.readout = Readout(n, 0, task.output_dim, task.output)

    def step(self, u, y, hebb):
        if hebb is not None:
            recurrent = y.unsqueeze(1) @ (hebb * self.alpha + self.w)  # [rows, 1, N]
        else:
            recurrent = (y @ self.w).unsqueeze(1)
        return torch.tanh(recurrent + u)

    def learn(self, hebb, pre, post):
        eta = torch.sigmoid(self.eta_logit)
        pre, post = pre.unsqueeze(2), post.unsqueeze(1)
        if self.rule == 'decay':
            return hebb * (1 - eta) + pre * post * eta
        return hebb + post * (pre - hebb * post) * eta

    def write(self, items):
        b = items.shape[0]
        y = torch.zeros(b, self.N)
        hebb = torch.zeros(b, self.N, self.N) if self.plastic else None
        for u in self.input(items).unbind(1):
            nxt = self.step(u.unsqueeze(1), y, hebb).squeeze(1)
            if hebb is not None:
                hebb = self.learn(hebb, y, nxt)
            y = nxt
        return y, hebb

    def read(self, state, queries):
        b, q, _ = queries.shape
        y, hebb = state
        u = self.input(queries)
        if self.read_steps == 1:
            y = self.step(u, y, hebb)
        else:
            rows = u.reshape(b * q, 1, self.N)
            hebb = per_query(hebb, q) if hebb is not None else None
            y = per_query(y, q)
            for s in range(self.read_steps):
                nxt = self.step(rows, y, hebb).squeeze(1)
                if hebb is not None and s + 1 < self.read_steps:
                    hebb = self.learn(hebb, y, nxt)
                y = nxt
        return self.readout(y).reshape(b, q, -1)

    def memory_floats(self):
        return self.N * self.N + self.N if self.plastic else self.N


def kanerva_shape(budget, rows, code):
    k = rows
    if k is None:
        k = math.floor(math.sqrt(budget / 4)) if code is None else math.floor((-code + math.sqrt(code * code + 4 * budget)) / 2)
    c = code if code is not None else (budget - k * k) // max(k, 1)
    return k, c


class KanervaCodec(nn.Module):
    """kanerva-machine.ts KanervaCodec: an MLP with ReLU for images, linear maps for ±1 patterns."""

    def __init__(self, task, code, hidden, address):
        super().__init__()
        d = task.input_dim
        self.kind = task.output
        self.image = task.output == 'image'
        if self.image:
            self.encode_hidden = Dense(d, hidden)
            self.encode_code = Dense(hidden, code)
            self.decode_hidden = Dense(code, hidden)
            self.decode_out = Dense(hidden, task.output_dim)
            self.address = Dense(hidden, address) if address > 0 else None
        else:
            self.encode_code = Dense(d, code)
            self.decode_out = Dense(code, task.output_dim)
            self.address = Dense(d, address) if address > 0 else None

    def encode(self, x):
        features = torch.relu(self.encode_hidden(x)) if self.image else x
        return self.encode_code(features), (self.address(features) if self.address is not None else None)

    def decode(self, z):
        features = torch.relu(self.decode_hidden(z)) if self.image else z
        return output_activation(self.kind, self.decode_out(features))


def prior_variance(log_var):
    return log_var.exp() + 1e-6


def write_online(mean, cov, codes, weights, noise_var):
    """kanerva-memory.ts (1)–(5), item by item."""
    eye = torch.eye(cov.shape[1])
    for i in range(codes.shape[1]):
        z, w = codes[:, i:i + 1], weights[:, i:i + 1]
        delta = z - w @ mean
        sigma_c = w @ cov
        sigma_z = (sigma_c * w).sum(-1, keepdim=True) + noise_var
        gain = (sigma_c / sigma_z).transpose(1, 2)
        mean = mean + gain * delta
        cov = cov - gain * sigma_c
        diagonal = (cov * eye).sum(-1)
        cov = cov + eye * (diagonal.clamp(1e-6, 1e10) - diagonal).unsqueeze(-1)
    return mean, cov


def kl_memory(mean, cov, prior_mean, prior_log_var):
    k, c = mean.shape[1], mean.shape[2]
    p = prior_variance(prior_log_var)
    q = (cov * torch.eye(k)).sum(-1)
    trace = (q / p).sum(-1) * c
    mean_term = ((mean - prior_mean).square() / p.unsqueeze(-1)).sum((1, 2))
    log_ratio = (p.log() - q.log()).sum(-1) * c
    return (trace + mean_term + log_ratio - k * c) * 0.5


def kl_address(weights, log_std, prior_std=1.0):
    k = weights.shape[-1]
    ratio = (log_std * 2).exp() / prior_std ** 2
    mean_term = weights.square().sum(-1) / prior_std ** 2
    log_term = (log_std - math.log(prior_std)) * 2 * k
    return (mean_term + ratio * k - k - log_term) * 0.5


def solve_weights(mean, codes, lam):
    """kanerva-memory.ts (7): (R Rᵀ + λI)⁻¹ R z through a Cholesky factor."""
    k = mean.shape[1]
    gram = mean @ mean.transpose(1, 2) + torch.eye(k) * lam
    rhs = mean @ codes.transpose(1, 2)
    return torch.cholesky_solve(rhs, torch.linalg.cholesky(gram)).transpose(1, 2)


class KanervaMachine(MemoryModel):
    def __init__(self, c, task, dynamic=False):
        super().__init__()
        self.K, self.C = kanerva_shape(c['budgetFloats'], c['rows'], c['codeSize'])
        self.dynamic = dynamic
        self.with_memory = dynamic or c['memory'] == 'bayesian'
        self.codec = KanervaCodec(task, self.C, c['hidden'], self.K if self.with_memory and not dynamic else 0)
        self.prior_mean = nn.Parameter(torch.randn(self.K, self.C))
        self.prior_log_var = nn.Parameter(torch.zeros(self.K))
        self.log_address_std = nn.Parameter(torch.tensor(math.log(0.3)))
        self.noise_var = c['noiseStd'] ** 2
        self.lam = c['noiseStd'] ** 2
        self.iterations = c.get('iterations', 1)
        self.train_iterations = c.get('trainIterations', 1)
        self.stored_weight = c.get('storedWeight', 0)
        self.d = task.output_dim

    def prior(self, b):
        mean = self.prior_mean.unsqueeze(0).expand(b, -1, -1)
        cov = (torch.eye(self.K) * prior_variance(self.prior_log_var)).unsqueeze(0).expand(b, -1, -1)
        return mean, cov

    def write_with_weights(self, items):
        mean, cov = self.prior(items.shape[0])
        code, address = self.codec.encode(items)
        weights = solve_weights(mean, code, self.lam) if self.dynamic else address
        return write_online(mean, cov, code, weights, self.noise_var), weights

    def write(self, items):
        return self.write_with_weights(items)[0]

    def iterate(self, state, queries, iterations):
        mean = state[0]
        x, weights, iterates = queries, None, []
        for _ in range(iterations):
            z = self.codec.encode(x)[0]
            weights = solve_weights(mean, z, self.lam)
            x = self.codec.decode(weights @ mean)
            iterates.append(x)
        return iterates, weights

    def read(self, state, queries):
        if self.dynamic:
            return self.iterate(state, queries, self.iterations)[0][-1]
        code, address = self.codec.encode(queries)
        if not self.with_memory:
            return self.codec.decode(code)
        return self.codec.decode(address @ state[0])

    def loss(self, episode, task):
        n = episode.items.shape[1]
        if not self.with_memory:
            return task.loss(self.codec.decode(self.codec.encode(episode.queries)[0]), episode.targets)
        (mean, cov), weights = self.write_with_weights(episode.items)
        if self.dynamic:
            iterates, read_weights = self.iterate((mean, cov), episode.queries, self.train_iterations)
            reconstruction = sum(task.loss(x, episode.targets) for x in iterates) / len(iterates)
            stored, _ = self.iterate((mean, cov), episode.items, 1)
            reconstruction = reconstruction + self.stored_weight * task.loss(stored[0], episode.items)
        else:
            code, read_weights = self.codec.encode(episode.queries)
            reconstruction = task.loss(self.codec.decode(read_weights @ mean), episode.targets)
        kl_w = kl_address(torch.cat([weights, read_weights], 1), self.log_address_std).mean() / self.d
        kl_m = kl_memory(mean, cov, self.prior_mean, self.prior_log_var).mean() / (n * self.d)
        return reconstruction + kl_w + kl_m

    def memory_floats(self):
        return self.K * self.C + self.K * self.K if self.with_memory else 0


class NeuralBloomFilter(MemoryModel):
    def __init__(self, c, task):
        super().__init__()
        self.K, self.W, C, H = c['slots'], c['wordSize'], c['keySize'], c['hiddenSize']
        self.threshold = c['threshold']
        self.encoder = nn.ModuleList([Dense(task.input_dim, H), Dense(H, H)])
        self.query_net = nn.ModuleList([Dense(H, H), Dense(H, C)])
        self.query_gain = nn.Parameter(torch.ones(C))
        self.query_bias = nn.Parameter(torch.zeros(C))
        self.word_net = nn.ModuleList([Dense(H, H), Dense(H, self.W)])
        self.addresses = nn.Parameter(torch.randn(C, self.K) / math.sqrt(C))
        self.out_net = nn.ModuleList([Dense(self.K * self.W + self.W + H, H), Dense(H, H), Dense(H, 1)])

    def control(self, x):
        z = F.leaky_relu(self.encoder[1](F.leaky_relu(self.encoder[0](x), 0.2)), 0.2)
        q = layer_norm(self.query_net[1](F.leaky_relu(self.query_net[0](z), 0.2)), self.query_gain, self.query_bias)
        w = self.word_net[1](F.leaky_relu(self.word_net[0](z), 0.2))
        a = torch.softmax(q @ self.addresses, -1)
        return z, a, w

    def write(self, items):
        _, a, w = self.control(items)
        return w.transpose(1, 2) @ a  # [B, W, K]

    def read(self, memory, queries):
        b, q, _ = queries.shape
        z, a, w = self.control(queries)
        r = (memory.unsqueeze(1) * a.unsqueeze(2)).reshape(b, q, self.W * self.K)
        features = torch.cat([r, w, z], -1)
        hidden = F.leaky_relu(self.out_net[1](F.leaky_relu(self.out_net[0](features), 0.2)), 0.2)
        return self.out_net[2](hidden) - self.threshold

    def memory_floats(self):
        return self.K * self.W


# EBMM (ebmm/*.ts): an energy network whose writable layer is written by T gradient steps on the
# writing loss and read by K projected Nesterov steps; the meta-gradient differentiates through both
# (create_graph=True everywhere, as Engram's exact meta-gradient does).

def he(shape, fan_in):
    return nn.Parameter(torch.randn(*shape) * math.sqrt(2 / fan_in))


def inverse_softplus(y):
    return y + math.log(-math.expm1(-y))


class GatedRnnEnergy(nn.Module):
    """gated-rnn-energy.ts: per hop c = tanh([x W_mem + b_mem; z W_s + b_s]), u = σ(z W_u + b_u), s ← u c + (1 − u) s."""

    def __init__(self, dim, hidden, width, hops):
        super().__init__()
        self.width, self.hops = width, hops
        fan_in = dim + hidden
        self.memory_init = nn.ParameterDict({'W': nn.Parameter(torch.zeros(dim, width)), 'b': nn.Parameter(torch.zeros(width))})
        self.static_x = he((dim, hidden - width), fan_in)
        self.static_b = nn.Parameter(torch.zeros(hidden - width))
        self.gate_x = he((dim, hidden), fan_in)
        self.gate_b = nn.Parameter(torch.zeros(hidden))
        self.out_w = he((hidden, 1), hidden)
        if hops > 1:
            self.static_s = he((hidden, hidden - width), fan_in)
            self.gate_s = he((hidden, hidden), fan_in)

    def energy(self, x, memory):
        b, m, d = x.shape
        flat = x.reshape(b * m, d)
        dynamic = (x @ memory['W'] + memory['b'].unsqueeze(1)).reshape(b * m, self.width)
        static_x = flat @ self.static_x + self.static_b
        gate_x = flat @ self.gate_x + self.gate_b
        s = None
        for _ in range(self.hops):
            static_part = static_x + s @ self.static_s if s is not None else static_x
            gate_part = gate_x + s @ self.gate_s if s is not None else gate_x
            c = torch.tanh(torch.cat([dynamic, static_part], 1))
            u = torch.sigmoid(gate_part)
            s = u * c + (1 - u) * s if s is not None else u * c
        return (s @ self.out_w).reshape(b, m)


def conv_same(x, weight, bias, kernel, stride):
    """A 'same' convolution of NHWC x with an im2col filter [k·k·C, C'] as Engram stores it (conv-ops.ts)."""
    c_in = x.shape[3]
    w = weight.reshape(kernel, kernel, c_in, -1).permute(3, 2, 0, 1)  # [C', C, k, k]
    y = F.conv2d(x.permute(0, 3, 1, 2), w, bias, stride=1, padding=kernel // 2)
    if stride == 2:
        y = y[:, :, ::2, ::2]
    return y.permute(0, 2, 3, 1)


def average_pool(x):
    """2×2 average pooling, stride 2, 'same' (an odd side is averaged with zeros), NHWC."""
    return F.avg_pool2d(x.permute(0, 3, 1, 2), 2, 2, ceil_mode=True, count_include_pad=True).permute(0, 2, 3, 1)


class ResBlocks(nn.Module):
    """res-blocks.ts: y = tanh(conv3(tanh(conv3 stride 2(x))) + conv1(avgpool(x)))."""

    def __init__(self, channels):
        super().__init__()
        self.blocks = nn.ModuleList()
        for c_in, c_out in channels:
            block = nn.ParameterDict({
                'conv1_W': he((9 * c_in, c_out), 9 * c_in), 'conv1_b': nn.Parameter(torch.zeros(c_out)),
                'conv2_W': he((9 * c_out, c_out), 9 * c_out), 'conv2_b': nn.Parameter(torch.zeros(c_out)),
                'short_W': he((c_in, c_out), c_in), 'short_b': nn.Parameter(torch.zeros(c_out)),
            })
            self.blocks.append(block)

    def forward(self, x):
        for p in self.blocks:
            h = torch.tanh(conv_same(x, p['conv1_W'], p['conv1_b'], 3, 2))
            residual = conv_same(h, p['conv2_W'], p['conv2_b'], 3, 1)
            shortcut = conv_same(average_pool(x), p['short_W'], p['short_b'], 1, 1)
            x = torch.tanh(residual + shortcut)
        return x


def out_side(side):
    return math.ceil(side / 2)


class FcEnergy(nn.Module):
    """fc-energy.ts: a residual conv encoder, a writable Linear(code → dyn), gated recurrent hops, tanh readout."""

    def __init__(self, image, c, code, hidden, width, readout, hops):
        super().__init__()
        h, w, ch = image
        for _ in range(3):
            h, w = out_side(h), out_side(w)
        self.image, self.hops, self.flat = image, hops, h * w * 3 * c
        self.encoder = ResBlocks([(ch, c), (c, 2 * c), (2 * c, 3 * c)])
        self.memory_init = nn.ParameterDict({'W': nn.Parameter(torch.zeros(code, width)), 'b': nn.Parameter(torch.zeros(width))})
        self.code = Dense(self.flat, code)
        self.code_gain, self.code_bias = nn.Parameter(torch.ones(code)), nn.Parameter(torch.zeros(code))
        self.static = Dense(code, hidden - width)
        self.cand = Dense(hidden, hidden)
        self.cand_gain, self.cand_bias = nn.Parameter(torch.ones(hidden)), nn.Parameter(torch.zeros(hidden))
        self.gate = Dense(hidden, hidden)
        self.readout = Dense(hidden, readout)
        self.out_w = he((readout, 1), readout)
        if hops > 1:
            self.cand_s = he((hidden, hidden), 2 * hidden)
            self.gate_s = he((hidden, hidden), 2 * hidden)

    def energy(self, x, memory):
        b, m, _ = x.shape
        features = self.encoder(x.reshape(b * m, *self.image))
        e = layer_norm(self.code(features.reshape(b * m, self.flat)), self.code_gain, self.code_bias)
        dynamic = (e.reshape(b, m, -1) @ memory['W'] + memory['b'].unsqueeze(1)).reshape(b * m, -1)
        h = torch.tanh(torch.cat([dynamic, self.static(e)], 1))
        cand_h, gate_h = self.cand(h), self.gate(h)
        s = None
        for _ in range(self.hops):
            cand_z = cand_h + s @ self.cand_s if s is not None else cand_h
            gate_z = gate_h + s @ self.gate_s if s is not None else gate_h
            c = layer_norm(torch.tanh(cand_z), self.cand_gain, self.cand_bias)
            u = torch.sigmoid(gate_z)
            s = u * c + (1 - u) * s if s is not None else u * c
        return (torch.tanh(self.readout(s)) @ self.out_w).reshape(b, m)


class ConvEnergy(nn.Module):
    """conv-energy.ts: residual down-scaling, two bottleneck blocks with writable 3×3 filters, a conv-GRU."""

    def __init__(self, image, c, width, readout, hops):
        super().__init__()
        h, w, ch = image
        for _ in range(3):
            h, w = out_side(h), out_side(w)
        self.image, self.hops, self.grid, self.c = image, hops, (h, w), c
        wide, narrow = 4 * c, 2 * c
        self.encoder = ResBlocks([(ch, c), (c, narrow)])
        self.memory_init = nn.ParameterDict()
        self.blocks = nn.ModuleList()
        for name, c_in in (('block1', narrow), ('block2', wide)):
            self.memory_init[f'{name}_W'] = nn.Parameter(torch.zeros(9 * narrow, width))
            self.memory_init[f'{name}_b'] = nn.Parameter(torch.zeros(width))
            self.blocks.append(nn.ParameterDict({
                'reduce_W': he((c_in, narrow), c_in), 'reduce_b': nn.Parameter(torch.zeros(narrow)),
                'static_W': he((9 * narrow, wide - width), 9 * narrow), 'static_b': nn.Parameter(torch.zeros(wide - width)),
                'gain': nn.Parameter(torch.ones(wide)), 'bias': nn.Parameter(torch.zeros(wide)),
                'short_W': he((c_in, wide), c_in), 'short_b': nn.Parameter(torch.zeros(wide)),
            }))
        self.cand_W, self.cand_b = he((9 * wide, wide), 9 * wide), nn.Parameter(torch.zeros(wide))
        self.cand_gain, self.cand_bias = nn.Parameter(torch.ones(wide)), nn.Parameter(torch.zeros(wide))
        self.gate_W, self.gate_b = he((wide, wide), wide), nn.Parameter(torch.zeros(wide))
        self.gate_gain, self.gate_bias = nn.Parameter(torch.ones(wide)), nn.Parameter(torch.zeros(wide))
        self.readout = Dense(h * w * wide, readout)
        self.out_w = he((readout, 1), readout)
        if hops > 1:
            self.cand_s = he((9 * wide, wide), 18 * wide)
            self.gate_s = he((wide, wide), 2 * wide)

    def energy(self, x, memory):
        b, m, _ = x.shape
        features = self.encoder(x.reshape(b * m, *self.image))
        for i, (name, stride) in enumerate((('block1', 1), ('block2', 2))):
            p = self.blocks[i]
            r = torch.tanh(conv_same(features, p['reduce_W'], p['reduce_b'], 1, 1))
            # One filter per episode: a grouped convolution over the episodes of the batch.
            mw, mb = memory[f'{name}_W'], memory[f'{name}_b']  # [B, 9·2c, dyn], [B, dyn]
            rows, hh, ww, cc = r.shape
            grouped = r.reshape(b, m, hh, ww, cc).permute(1, 0, 4, 2, 3).reshape(m, b * cc, hh, ww)
            filters = mw.reshape(b, 3, 3, cc, -1).permute(0, 4, 3, 1, 2).reshape(-1, cc, 3, 3)
            written = F.conv2d(grouped, filters, mb.reshape(-1), padding=1, groups=b)
            if stride == 2:
                written = written[:, :, ::2, ::2]
            written = written.reshape(m, b, -1, written.shape[2], written.shape[3]).permute(1, 0, 3, 4, 2).reshape(rows, written.shape[2], written.shape[3], -1)
            fixed = conv_same(r, p['static_W'], p['static_b'], 3, stride)
            y = torch.tanh(layer_norm(torch.cat([written, fixed], 3), p['gain'], p['bias']))
            shortcut = conv_same(average_pool(features) if stride == 2 else features, p['short_W'], p['short_b'], 1, 1)
            features = y + shortcut
        cand_x = conv_same(features, self.cand_W, self.cand_b, 3, 1)
        gate_x = conv_same(features, self.gate_W, self.gate_b, 1, 1)
        s = None
        for _ in range(self.hops):
            cand_z = cand_x + conv_same(s, self.cand_s, None, 3, 1) if s is not None else cand_x
            gate_z = gate_x + conv_same(s, self.gate_s, None, 1, 1) if s is not None else gate_x
            c = layer_norm(torch.tanh(cand_z), self.cand_gain, self.cand_bias)
            u = torch.sigmoid(layer_norm(gate_z, self.gate_gain, self.gate_bias))
            s = u * c + (1 - u) * s if s is not None else u * c
        flat = s.reshape(b * m, -1)
        return (torch.tanh(self.readout(flat)) @ self.out_w).reshape(b, m)


class EnergyMemory(MemoryModel):
    """energy-memory.ts: write by T steps on E + α‖∇ₓE‖² + β‖θ − θ̄‖², read by K projected Nesterov steps."""

    def __init__(self, net, dynamics, box):
        super().__init__()
        self.net = net
        self.names = list(net.memory_init.keys())
        layer_names = []
        for n in self.names:
            layer = n.rsplit('_', 1)[0] if n.endswith(('_W', '_b')) else ''
            if layer not in layer_names:
                layer_names.append(layer)
        self.layer_of = {n: layer_names.index(n.rsplit('_', 1)[0] if n.endswith(('_W', '_b')) else '') for n in self.names}
        self.write_rates = nn.Parameter(torch.full((len(layer_names), 3), inverse_softplus(dynamics['writeRateInit'])))
        self.alpha = nn.Parameter(torch.tensor(inverse_softplus(1.0)))
        self.beta = nn.Parameter(torch.tensor(inverse_softplus(1.0)))
        self.first_step = nn.Parameter(torch.tensor(inverse_softplus(dynamics['readStepInit'])))
        later = dynamics['readSteps'] - 1
        self.step_decay = nn.Parameter(torch.full((later,), math.log(0.9 / 0.1))) if later > 0 else None
        self.momentum = nn.Parameter(torch.full((later,), 0.0)) if later > 0 else None
        self.write_steps, self.read_steps = dynamics['writeSteps'], dynamics['readSteps']
        self.first_order = dynamics['metaGradient'] == 'first-order'
        self.box = box

    def energy(self, x, theta):
        return self.net.energy(x, theta)

    def d_energy_dx(self, x, theta, create_graph):
        y = x.clone() if x.requires_grad else x.detach().requires_grad_(True)
        return torch.autograd.grad(self.energy(y, theta).sum(), y, create_graph=create_graph)[0]

    def write(self, items, create_graph=False):
        b = items.shape[0]
        rates = F.softplus(self.write_rates)
        alpha, beta = F.softplus(self.alpha), F.softplus(self.beta)
        init = {n: self.net.memory_init[n] for n in self.names}
        theta = {n: init[n].unsqueeze(0).expand(b, *init[n].shape) for n in self.names}
        graph = create_graph and not self.first_order
        for _ in range(self.write_steps):
            with torch.enable_grad():
                # Exact meta-gradient: differentiate at θ itself, so the outer gradient flows through it.
                start = [theta[n] if graph else theta[n].detach().requires_grad_(True) for n in self.names]
                memory = dict(zip(self.names, start))
                energy = torch.autograd.grad(self.energy(items, memory).mean(1).sum(), start, create_graph=graph)
                d_edx = self.d_energy_dx(items, memory, create_graph=True)
                grad_norm = torch.autograd.grad(d_edx.square().sum(-1).mean(1).sum(), start, create_graph=graph)
            new = {}
            for i, n in enumerate(self.names):
                layer = self.layer_of[n]
                prior = (theta[n] - init[n]) * (beta * 2)
                new[n] = theta[n] - energy[i] * rates[layer, 0] - grad_norm[i] * alpha * rates[layer, 1] - prior * rates[layer, 2]
            theta = new if graph else {n: t.detach() for n, t in new.items()}
        return theta

    def descend(self, theta, queries, create_graph):
        lo, hi = self.box
        gamma = F.softplus(self.first_step)
        psi = torch.tensor(1.0)
        x, v = queries, torch.zeros_like(queries)
        iterates = []
        for k in range(self.read_steps):
            look = x
            if k > 0:
                gamma = gamma * torch.sigmoid(self.step_decay[k - 1])
                psi = psi * torch.sigmoid(self.momentum[k - 1])
                v = v * psi
                look = (x + v).clamp(lo, hi)
            with torch.enable_grad():
                grad = self.d_energy_dx(look, theta, create_graph)
            v = v - grad * gamma
            x = (x + v).clamp(lo, hi)
            if not create_graph:
                x, v = x.detach(), v.detach()
            iterates.append(x)
        return iterates

    def episode(self, episode):
        theta = self.write(episode.items)
        return self.descend(theta, episode.queries, False)[-1]

    def loss(self, episode, task):
        theta = self.write(episode.items, create_graph=True)
        iterates = self.descend(theta, episode.queries, True)
        return sum((x - episode.targets).square().sum(-1).mean() for x in iterates)

    def memory_floats(self):
        return sum(p.numel() for p in self.net.memory_init.values())


def width_for_budget(budget, per_unit):
    return math.ceil(budget / per_unit) - 1


def make_model(model_id, c, task):
    if model_id == 'slot-memory':
        return SlotMemory(c, task)
    if model_id == 'hopfield':
        return Hopfield(c, task)
    if model_id == 'modern-hopfield':
        return ModernHopfield(c, task)
    if model_id == 'lstm':
        return Lstm(c, task)
    if model_id == 'fast-weights':
        return FastWeights(c, task)
    if model_id == 'plasticity':
        return Plasticity(c, task)
    if model_id == 'kanerva-machine':
        return KanervaMachine(c, task)
    if model_id == 'dynamic-kanerva':
        return KanervaMachine(c, task, dynamic=True)
    if model_id == 'neural-bloom-filter':
        return NeuralBloomFilter(c, task)
    if model_id == 'ebmm':
        width = width_for_budget(c['budgetFloats'], task.input_dim + 1)
        return EnergyMemory(GatedRnnEnergy(task.input_dim, c['hidden'], width, c['hops']), c, (-1.0, 1.0))
    if model_id == 'ebmm-fc':
        width = width_for_budget(c['budgetFloats'], c['code'] + 1)
        net = FcEnergy(task.image, c['channels'], c['code'], c['hidden'], width, c['readout'], c['hops'])
        return EnergyMemory(net, c, (0.0, 1.0))
    if model_id == 'ebmm-conv':
        width = width_for_budget(c['budgetFloats'], 2 * (9 * 2 * c['channels'] + 1))
        net = ConvEnergy(task.image, c['channels'], width, c['readout'], c['hops'])
        return EnergyMemory(net, c, (0.0, 1.0))
    raise ValueError(f'no PyTorch reference for model {model_id}')

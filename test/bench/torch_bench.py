# The PyTorch side of `engram bench`: reads jobs (JSON lines on stdin), times the same training steps,
# evaluation episodes and matrix products as the Engram side, and prints one JSON result per line.
# Python, started by engine/cli/bench-torch.ts with Debian's /usr/bin/python3 (python3-torch).
import json
import statistics
import sys
import time

import torch

from torch_models import make_model
from torch_tasks import make_task


def matmul_gflops(size, repeats):
    a, b = torch.randn(size, size), torch.randn(size, size)
    for _ in range(2):
        a @ b
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - started)
    return 2 * size ** 3 / statistics.median(times) / 1e9


def make_optimizer(params, training):
    if training['optimizer'] == 'adamw':
        return torch.optim.AdamW(params, lr=training['learningRate'], weight_decay=training['weightDecay'])
    return torch.optim.Adam(params, lr=training['learningRate'])


def windows(step, warmup, budget_s, max_windows):
    """Median calls per second over timed windows, after `warmup` calls: the windows are sized from the
    last warm-up call to fill the budget, as Engram's side does (engine/training/throughput.ts)."""
    took = 0.0
    for _ in range(warmup):
        started = time.perf_counter()
        step()
        took = time.perf_counter() - started
    window = max(1, round(budget_s / max_windows / max(took, 1e-6)))
    rates = []
    deadline = time.perf_counter() + budget_s
    while len(rates) < max_windows and (len(rates) < 1 or time.perf_counter() < deadline):
        started = time.perf_counter()
        for _ in range(window):
            step()
        rates.append(window / (time.perf_counter() - started))
    return statistics.median(rates), len(rates)


def build(job):
    """The task and model of a job, checked against the memory size Engram computed for the same config."""
    torch.manual_seed(job.get('seed', 0))
    task = make_task(job['task'], job['taskConfig'], job['digitsDir'])
    model = make_model(job['model'], job['modelConfig'], task)
    floats = model.memory_floats()
    if floats != job['memoryFloats']:
        raise ValueError(f"memory floats {floats} differ from Engram's {job['memoryFloats']}: the reference does not match the model")
    return task, model


def check_model(job):
    """One training loss and one evaluation episode at batch 1: the reference builds and runs."""
    task, model = build(job)
    episode = task.sample(1)
    loss = model.loss(episode, task)
    if loss.requires_grad:
        loss.backward()
    with torch.no_grad():
        scores = task.score(episode, model.episode(episode))
    return {'model': job['model'], 'task': job['task'], 'loss': loss.item(), 'scores': scores}


def time_model(job):
    task, model = build(job)
    result = {'model': job['model'], 'task': job['task']}
    training = job['training']
    params = [p for p in model.parameters() if p.requires_grad]
    if job['train'] and params:
        optimizer = make_optimizer(params, training)
        counter = {'steps': 0}

        def step():
            episode = task.sample(training['batchSize'])
            loss = model.loss(episode, task)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if training['clipNorm'] is not None:
                torch.nn.utils.clip_grad_norm_(params, training['clipNorm'])
            optimizer.step()
            counter['steps'] += 1
            # Engram reads the loss every logEvery steps; so does this loop.
            if counter['steps'] % training['logEvery'] == 0 and not torch.isfinite(loss).item():
                raise ValueError(f'loss is {loss.item()} at step {counter["steps"]}')

        rate, count = windows(step, job['warmupSteps'], job['budgetSeconds'], job['maxWindows'])
        result.update(stepsPerSec=rate, windows=count)
    batch = job['evalBatch']

    def evaluate():
        with torch.no_grad():
            episode = task.sample(batch)
            task.score(episode, model.episode(episode))

    # Engram's evaluation gives untrained models the whole budget, trained ones half of it.
    budget = job['budgetSeconds'] / 2 if job['train'] and params else job['budgetSeconds']
    rate, count = windows(evaluate, 1, budget, job['maxWindows'])
    result.update(evalEpisodesPerSec=rate * batch, evalWindows=count)
    return result


def main():
    torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
    print(json.dumps({'ready': True, 'torch': torch.__version__, 'threads': torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        job = json.loads(line)
        try:
            if job['kind'] == 'matmul':
                out = {'kind': 'matmul', 'size': job['size'], 'gflops': matmul_gflops(job['size'], job['repeats'])}
            elif job['kind'] == 'check':
                out = {'kind': 'check', **check_model(job)}
            else:
                out = {'kind': 'model', **time_model(job)}
        except Exception as err:  # reported per job, so one failing reference does not end the bench
            out = {'kind': job['kind'], 'error': f'{type(err).__name__}: {err}'.splitlines()[0]}
        print(json.dumps(out), flush=True)


if __name__ == '__main__':
    main()

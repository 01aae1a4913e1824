#!/usr/bin/python3
"""Peer: the implicit model of El Ghaoui et al. (2019) trained by implicit differentiation
with mini-batch Adam in PyTorch (the "deep equilibrium" way), on the same data, split and
preprocessing as the Spark trainer.

Model (as in the Java trainer): u gets a constant 1 appended (bias), so B is n x (p+1) and
D is q x (p+1);
    x = relu(A x + B u),   yhat = C x + D u,   every row of A in the L1 ball of radius kappa
(||A||_inf <= kappa < 1, so the fixed point is unique and Picard iteration contracts).
Loss: softmax cross-entropy averaged over the batch.

Forward: Picard iteration X <- relu(X A^T + U B^T) (rows are points), without autograd, from
X = relu(U B^T), until max|X_t - X_{t-1}| <= tol * max|X_t| (relative, tol = 1e-4 when
training; capped at --max-iter = 300 iterations, counted). Backward: the explicit adjoint at
the fixed point, V = relu'(Z) * (V A + dL/dX) (i.e. v = J^T v + g with J the Jacobian of the
map), solved by Picard iteration with the same relative stop; then dA = V^T X, d(U B^T) = V,
from which autograd gives dB. Check it with --check-gradient (finite differences, float64).
After every Adam step A is projected exactly onto {||A||_inf <= kappa}: each row onto the L1
ball (sort-based, Duchi et al. 2008, vectorised over rows).

Initialisation as the Java trainer's: A = 0, B ~ N(0, 1/p) with p the number of features and
the bias column 0; C = 0, D = 0.

After every epoch (time excluded from the training time): test accuracy and loss at the true
fixed point (tol --eval-tol = 1e-6, cap 1000, chunks of 10000 points), and the same on a fixed
subset of at most 10000 training points (datasets.train_eval_indices).

    /usr/bin/python3 bench/peers/torch_implicit.py --dataset mnist --out bench/results/peers/mnist-torch_implicit.json
    /usr/bin/python3 bench/peers/torch_implicit.py --check-gradient
"""
import math
import os
import sys
import time

# OpenMP threads that spin-wait between the many small operations of a Picard iteration are
# 3-8x slower when the 2 cores are shared with other processes (measured: 6-7 s against
# 0.8 s per MNIST-10k epoch at load average 8). Passive waiting must be set before libgomp
# loads, i.e. before importing torch; an OMP_WAIT_POLICY in the environment wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import datasets  # noqa: E402

# Defaults per data set (full training sets), chosen by the tuning in docs/benchmarks.md on
# validation splits, never the test set. MNIST-10k tuned best at --lr 3e-3 (pass it there).
# Command-line options override them.
PRESETS = {
    "digits": dict(hidden=64, lr=1e-2, batch_size=32, epochs=40),
    "mnist": dict(hidden=100, lr=1e-3, batch_size=128, epochs=30),
    "fashion": dict(hidden=100, lr=1e-3, batch_size=128, epochs=30),
    # The narrow case (bench/narrow.sh): not tuned; the same settings as ours there.
    "mnist-pca16": dict(hidden=100, lr=1.5e-3, batch_size=128, epochs=5),
}


# ---------------------------------------------------------------- the implicit layer

class Stats:
    """Picard iteration counts of the current epoch."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.fwd = []
        self.bwd = []
        self.fwd_capped = 0
        self.bwd_capped = 0


STATS = Stats()


def picard(A, BU, tol, max_iter, X0=None):
    """Fixed point of X = relu(X A^T + BU) (rows are points), no autograd.
    Stops when max|X_t - X_{t-1}| <= tol * max|X_t|. Returns (X, iterations, converged)."""
    X = torch.relu(BU) if X0 is None else X0
    At = A.t()
    for it in range(1, max_iter + 1):
        Xn = torch.relu(torch.addmm(BU, X, At))
        diff = (Xn - X).abs().max().item()
        scale = Xn.abs().max().item()
        X = Xn
        if diff <= tol * scale or scale == 0.0:
            return X, it, True
    return X, max_iter, False


class ImplicitReLU(torch.autograd.Function):
    """X = fixed point of relu(X A^T + BU); gradients by the implicit function theorem."""

    @staticmethod
    def forward(ctx, A, BU, tol, max_iter):
        with torch.no_grad():
            X, it, ok = picard(A, BU, tol, max_iter)
            Z = torch.addmm(BU, X, A.t())
            X = torch.relu(Z)  # one more application: X and the mask agree exactly
        STATS.fwd.append(it)
        STATS.fwd_capped += 0 if ok else 1
        ctx.save_for_backward(A, X, Z > 0)
        ctx.tol, ctx.max_iter = tol, max_iter
        return X

    @staticmethod
    def backward(ctx, G):
        A, X, mask = ctx.saved_tensors
        M = mask.to(G.dtype)
        # adjoint fixed point V = M * (V A + G), Picard from V = M * G
        V = M * G
        it, ok = 0, True
        if V.abs().max().item() > 0:
            ok = False
            for it in range(1, ctx.max_iter + 1):
                Vn = M * torch.addmm(G, V, A)
                diff = (Vn - V).abs().max().item()
                scale = Vn.abs().max().item()
                V = Vn
                if diff <= ctx.tol * scale or scale == 0.0:
                    ok = True
                    break
        STATS.bwd.append(it)
        STATS.bwd_capped += 0 if ok else 1
        dA = V.t() @ X if ctx.needs_input_grad[0] else None
        return dA, V, None, None


class ImplicitModel:
    def __init__(self, p, n, q, dtype, seed):
        g = torch.Generator().manual_seed(seed)
        self.p, self.n, self.q = p, n, q
        self.A = torch.zeros(n, n, dtype=dtype)
        B = torch.randn(n, p + 1, generator=g, dtype=torch.float64) / math.sqrt(p)
        B[:, p] = 0.0  # bias column
        self.B = B.to(dtype)
        self.C = torch.zeros(q, n, dtype=dtype)
        self.D = torch.zeros(q, p + 1, dtype=dtype)
        for t in self.params():
            t.requires_grad_(True)

    def params(self):
        return [self.A, self.B, self.C, self.D]

    def logits(self, U, tol, max_iter):
        """U has the bias column appended. Autograd through the implicit layer."""
        BU = U @ self.B.t()
        X = ImplicitReLU.apply(self.A, BU, tol, max_iter)
        return X @ self.C.t() + U @ self.D.t()

    @torch.no_grad()
    def evaluate(self, U, y, tol, max_iter, chunk=10000):
        """Accuracy, mean cross-entropy and mean Picard iterations at the true fixed point."""
        correct, loss, its, capped = 0, 0.0, [], 0
        for s in range(0, U.shape[0], chunk):
            Uc, yc = U[s:s + chunk], y[s:s + chunk]
            X, it, ok = picard(self.A, Uc @ self.B.t(), tol, max_iter)
            its.append(it)
            capped += 0 if ok else 1
            out = X @ self.C.t() + Uc @ self.D.t()
            loss += torch.nn.functional.cross_entropy(out, yc, reduction="sum").item()
            correct += (out.argmax(1) == yc).sum().item()
        m = U.shape[0]
        return correct / m, loss / m, float(np.mean(its)), capped


@torch.no_grad()
def project_rows_l1(A, kappa):
    """In place: each row of A onto {w : ||w||_1 <= kappa} (Euclidean projection; exact,
    sort-based, Duchi et al. 2008), vectorised over the rows that are outside the ball."""
    absA = A.abs()
    need = absA.sum(1) > kappa
    if not bool(need.any()):
        return A
    rows = absA[need]
    u, _ = torch.sort(rows, dim=1, descending=True)
    css = torch.cumsum(u, dim=1) - kappa
    j = torch.arange(1, A.shape[1] + 1, dtype=A.dtype, device=A.device)
    rho = (u - css / j > 0).sum(1, keepdim=True)  # the condition holds on a prefix
    theta = css.gather(1, rho - 1) / rho.to(A.dtype)
    A[need] = torch.sign(A[need]) * torch.clamp(rows - theta, min=0)
    return A


# ---------------------------------------------------------------- checks

def _project_reference(v, kappa):
    """Projection of one row onto the L1 ball by bisection on the threshold (numpy, float64)."""
    a = np.abs(v)
    if a.sum() <= kappa:
        return v.copy()
    lo, hi = 0.0, a.max()
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if np.maximum(a - mid, 0).sum() > kappa:
            lo = mid
        else:
            hi = mid
    return np.sign(v) * np.maximum(a - 0.5 * (lo + hi), 0)


def check_gradient(seed=0):
    """Implicit gradient vs central finite differences (and vs backprop through an unrolled
    Picard iteration) on a tiny problem in float64; and the projection vs a reference."""
    torch.manual_seed(seed)
    dt = torch.float64
    p, n, q, m, kappa = 4, 6, 3, 7, 0.9
    g = torch.Generator().manual_seed(seed)
    U = torch.cat([torch.randn(m, p, generator=g, dtype=dt), torch.ones(m, 1, dtype=dt)], 1)
    y = torch.randint(0, q, (m,), generator=g)
    A = torch.randn(n, n, generator=g, dtype=dt)
    project_rows_l1(A, kappa)
    params = [A, torch.randn(n, p + 1, generator=g, dtype=dt),
              torch.randn(q, n, generator=g, dtype=dt), torch.randn(q, p + 1, generator=g, dtype=dt)]
    names = ["A", "B", "C", "D"]
    tol, cap = 1e-15, 5000

    def loss_of(ps):
        Ab, Bb, Cb, Db = ps
        X, _, ok = picard(Ab, U @ Bb.t(), tol, cap)
        assert ok
        return torch.nn.functional.cross_entropy(X @ Cb.t() + U @ Db.t(), y).item()

    # implicit gradient
    ps = [t.clone().requires_grad_(True) for t in params]
    BU = U @ ps[1].t()
    X = ImplicitReLU.apply(ps[0], BU, tol, cap)
    loss = torch.nn.functional.cross_entropy(X @ ps[2].t() + U @ ps[3].t(), y)
    grads = torch.autograd.grad(loss, ps)
    Z = X.detach() @ params[0].t() + U @ params[1].t()
    print(f"tiny problem: p={p} n={n} q={q} m={m}, ||A||_inf={params[0].abs().sum(1).max():.3f}, "
          f"active units {int((Z > 0).sum())}/{Z.numel()}, min |Z| = {Z.abs().min():.2e}")

    # unrolled: backprop through 400 Picard iterations
    pu = [t.clone().requires_grad_(True) for t in params]
    BUu = U @ pu[1].t()
    Xu = torch.relu(BUu)
    for _ in range(400):
        Xu = torch.relu(Xu @ pu[0].t() + BUu)
    lu = torch.nn.functional.cross_entropy(Xu @ pu[2].t() + U @ pu[3].t(), y)
    grads_unrolled = torch.autograd.grad(lu, pu)

    h = 1e-6
    worst = 0.0
    for k, name in enumerate(names):
        fd = torch.zeros_like(params[k])
        flat = fd.view(-1)
        for i in range(flat.numel()):
            plus = [t.clone() for t in params]
            minus = [t.clone() for t in params]
            plus[k].view(-1)[i] += h
            minus[k].view(-1)[i] -= h
            flat[i] = (loss_of(plus) - loss_of(minus)) / (2 * h)
        rel = ((grads[k] - fd).norm() / fd.norm().clamp_min(1e-300)).item()
        rel_u = ((grads[k] - grads_unrolled[k]).norm() / grads_unrolled[k].norm()).item()
        worst = max(worst, rel)
        print(f"d{name}: |grad| = {fd.norm():.4e}, relative error vs finite differences = {rel:.2e}, "
              f"vs unrolled backprop = {rel_u:.2e}")
    print(f"gradient check: worst relative error {worst:.2e} "
          f"({'PASS' if worst < 1e-5 else 'FAIL'}: threshold 1e-5)")

    # projection
    gen = np.random.default_rng(seed)
    M = gen.standard_normal((50, 40)) * gen.uniform(0.001, 0.1, (50, 1))
    P = project_rows_l1(torch.tensor(M), 0.95).numpy()
    ref = np.stack([_project_reference(r, 0.95) for r in M])
    inside = np.abs(M).sum(1) <= 0.95
    perr = np.abs(P - ref).max()
    print(f"projection: {int((~inside).sum())}/50 rows outside the ball; max |P - reference| = "
          f"{perr:.2e}; max row L1 norm after = {np.abs(P).sum(1).max():.12f}; rows inside "
          f"unchanged: {bool(np.array_equal(P[inside], M[inside]))}")
    ok = worst < 1e-5 and perr < 1e-10
    return ok


# ---------------------------------------------------------------- training

def main():
    ap = datasets.argument_parser(__doc__, "n, hidden units (preset: 64 digits, 100 mnist/fashion)")
    ap.add_argument("--lr", type=float, help="Adam learning rate (preset per data set)")
    ap.add_argument("--batch-size", type=int, help="mini-batch size (preset per data set)")
    ap.add_argument("--epochs", type=int, help="epochs (preset per data set)")
    ap.add_argument("--schedule", choices=("constant", "cosine"), default="constant",
                    help="learning rate over the epochs: constant, or cosine annealing towards 0 at the end of the last epoch,"
                         " step by step (the formula of our stepSchedule=cosine) [constant]")
    ap.add_argument("--kappa", type=float, default=0.95, help="||A||_inf bound [0.95]")
    ap.add_argument("--tol", type=float, default=1e-4,
                    help="relative Picard tolerance in training, forward and adjoint [1e-4]")
    ap.add_argument("--max-iter", type=int, default=300, help="Picard cap in training [300]")
    ap.add_argument("--eval-tol", type=float, default=1e-6, help="relative tolerance when measuring [1e-6]")
    ap.add_argument("--eval-max-iter", type=int, default=1000, help="Picard cap when measuring [1000]")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--float64", action="store_true", help="float64 instead of float32")
    datasets.add_data_options(ap)
    ap.add_argument("--max-train-seconds", type=float,
                    help="stop after the epoch at which the training time exceeds this")
    ap.add_argument("--threads", type=int, default=os.cpu_count(),
                    help="torch threads [os.cpu_count()]")
    ap.add_argument("--out", help="JSON results file")
    ap.add_argument("--check-gradient", action="store_true",
                    help="check the implicit gradient against finite differences and exit")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()} (cpu_count {os.cpu_count()})",
          file=sys.stderr)
    if args.check_gradient:
        sys.exit(0 if check_gradient(args.seed) else 1)

    preset = PRESETS[args.dataset]
    for k, v in preset.items():
        if getattr(args, k) is None:
            setattr(args, k, v)
    dtype = torch.float64 if args.float64 else torch.float32
    load_start = datasets.load_average()

    Xtr, ytr, Xte, yte, info = datasets.load_args(args)
    m, p = Xtr.shape
    q = info["classes"]

    def aug(X):
        return torch.cat([torch.from_numpy(X).to(dtype), torch.ones(X.shape[0], 1, dtype=dtype)], 1)

    Utr, Ute = aug(Xtr), aug(Xte)
    ytr_t, yte_t = torch.from_numpy(ytr), torch.from_numpy(yte)
    sub = torch.from_numpy(datasets.train_eval_indices(m))
    Usub, ysub = Utr[sub], ytr_t[sub]

    torch.manual_seed(args.seed)
    model = ImplicitModel(p, args.hidden, q, dtype, args.seed)
    opt = torch.optim.Adam(model.params(), lr=args.lr)
    shuffle_gen = torch.Generator().manual_seed(args.seed)
    config = {k: v for k, v in vars(args).items() if k not in ("out", "check_gradient")}
    config.update(dtype=str(dtype).replace("torch.", ""), torch=torch.__version__,
                  torch_threads=torch.get_num_threads(),
                  omp_wait_policy=os.environ.get("OMP_WAIT_POLICY"), optimizer="torch.optim.Adam (betas 0.9, 0.999, eps 1e-8, no weight decay)",
                  init="A = 0, B ~ N(0, 1/p) with bias column 0, C = 0, D = 0",
                  stop_rule="max|X_t - X_{t-1}| <= tol * max|X_t| (forward and adjoint)",
                  train_metrics_on=f"{len(sub)} training points (datasets.train_eval_indices)")

    curve = []
    train_seconds = 0.0
    for epoch in range(1, args.epochs + 1):
        STATS.reset()
        t0 = time.perf_counter()
        perm = torch.randperm(m, generator=shuffle_gen)
        batch_loss_sum = 0.0
        for s in range(0, m, args.batch_size):
            if args.schedule == "cosine":
                progress = (epoch - 1 + s / m) / args.epochs
                for group in opt.param_groups:
                    group["lr"] = 0.5 * args.lr * (1 + math.cos(math.pi * progress))
            idx = perm[s:s + args.batch_size]
            Ub, yb = Utr[idx], ytr_t[idx]
            out = model.logits(Ub, args.tol, args.max_iter)
            loss = torch.nn.functional.cross_entropy(out, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            project_rows_l1(model.A.data, args.kappa)
            batch_loss_sum += loss.item() * len(idx)
        epoch_seconds = time.perf_counter() - t0
        train_seconds += epoch_seconds

        t1 = time.perf_counter()
        te_acc, te_loss, te_it, te_cap = model.evaluate(Ute, yte_t, args.eval_tol, args.eval_max_iter)
        tr_acc, tr_loss, _, _ = model.evaluate(Usub, ysub, args.eval_tol, args.eval_max_iter)
        eval_seconds = time.perf_counter() - t1
        with torch.no_grad():
            a_norm = model.A.abs().sum(1).max().item()
        rec = datasets.epoch_record(
            epoch, train_seconds, epoch_seconds, eval_seconds, (te_acc, te_loss), (tr_acc, tr_loss),
            train_batch_loss=batch_loss_sum / m,
            forward_iterations=float(np.mean(STATS.fwd)), forward_iterations_max=int(max(STATS.fwd)),
            backward_iterations=float(np.mean(STATS.bwd)), backward_iterations_max=int(max(STATS.bwd)),
            forward_capped=STATS.fwd_capped, backward_capped=STATS.bwd_capped,
            eval_iterations=te_it, eval_capped=te_cap, A_inf_norm=a_norm)
        curve.append(rec)
        print(f"epoch {epoch:3d}  train {train_seconds:7.1f}s (+{epoch_seconds:.1f})  "
              f"test acc {100 * te_acc:.2f} loss {te_loss:.4f}  train acc {100 * tr_acc:.2f} "
              f"loss {tr_loss:.4f}  fwd it {rec['forward_iterations']:.1f} bwd it "
              f"{rec['backward_iterations']:.1f}  ||A||inf {a_norm:.3f}  eval {eval_seconds:.1f}s  "
              f"load {rec['load_average'][0]:.2f}", file=sys.stderr, flush=True)
        if args.max_train_seconds and train_seconds > args.max_train_seconds:
            print(f"stopping: training time {train_seconds:.0f}s > {args.max_train_seconds}s",
                  file=sys.stderr)
            break

    datasets.write_results(args.out, "torch_implicit", config, info, curve, load_start)


if __name__ == "__main__":
    main()
